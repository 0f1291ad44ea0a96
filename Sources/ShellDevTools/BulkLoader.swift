import ShellCore

/// Writes many keys fast, for demos and benchmarks: transactions of up to 128 puts (etcd's default
/// `--max-txn-ops`), several in flight at once on the one connection. etcd's v2 API has no multi-key
/// transactions: there each key is one PUT, with 64 in flight over keep-alive connections.
public enum BulkLoader {
    public static let operationsPerTransaction = 128

    public static func load(
        _ pairs: [(key: String, value: [UInt8])],
        into store: any KeyValueStore,
        concurrency: Int? = nil
    ) async throws {
        let isV2 = store is V2HTTPStore
        let perTransaction = isV2 ? 1 : operationsPerTransaction
        let concurrency = concurrency ?? (isV2 ? 64 : 8)
        let batches = stride(from: 0, to: pairs.count, by: perTransaction).map {
            Array(pairs[$0..<min($0 + perTransaction, pairs.count)])
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func submit() {
                let batch = batches[next]
                next += 1
                group.addTask {
                    _ = try await store.commit(
                        Transaction(operations: batch.map { .put(key: $0.key, value: $0.value) })
                    )
                }
            }
            while next < batches.count && next < concurrency { submit() }
            while try await group.next() != nil {
                if next < batches.count { submit() }
            }
        }
    }
}
