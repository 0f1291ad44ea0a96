import Foundation
import NIOHTTP1

/// Reads and writes through etcd's v2 keys API.
///
/// - Reads are `quorum=true` (through raft, linearizable like v3's default reads).
/// - A range is one recursive `GET` of the directory both ends share, filtered to `[start, end)`: v2 has
///   no paging, so the whole range comes back as one page (`readsWholeRanges`). A whole directory with
///   many children (a load) is read child by child instead (`V2HTTPStore+DirectoryFanOut`).
/// - A v2 write is a compare-and-swap on one key: `prevIndex=N` (N: the key's `modifiedIndex`), or
///   `prevExist=false` to create. A transaction of several operations, or one comparing another key,
///   is refused: v2 has no multi-key transactions.
/// - `.exists(prefix:)` (a profile still exists) is checked with a quorum read just before the write.
///   A profile deleted between that read and the write is not noticed: a window of one round trip,
///   which v3 closes inside its transaction and v2 cannot.
extension V2HTTPStore {
    public var readsWholeRanges: Bool { true }
    /// v2 has no multi-key transactions: a compare-and-swap writes one key.
    public var maximumTransactionOperations: Int? { 1 }

    public func range(
        from start: String,
        to end: String,
        revision: Int64,
        limit: Int64,
        keysOnly: Bool
    ) async throws -> RangePage {
        if limit <= 0, Self.isWholeDirectory(start, end) {
            var pairs: [KeyValue] = []
            let read = try await readChildren(of: start, keysOnly: keysOnly, operation: "reading \(start)") { run in
                pairs.append(contentsOf: run)
            }
            if case .complete(let index, let clusterID) = read {
                let total = Int64(pairs.count)
                return RangePage(pairs: pairs, more: false, revision: index, remaining: total, clusterID: clusterID)
            }
        }
        return try await wholeRange(from: start, to: end, limit: limit, keysOnly: keysOnly)
    }

    /// `[start, end)` as one recursive quorum `GET` of the directory both ends share.
    func wholeRange(from start: String, to end: String, limit: Int64, keysOnly: Bool) async throws -> RangePage {
        let directory = Self.sharedDirectory(start, end)
        let operation = "reading \(start)"
        let reply = try await send(
            .GET,
            path: V2KeyPath.url(base: "", key: directory) + "?recursive=true&quorum=true",
            operation: operation,
            idempotent: true,
            timeout: max(configuration.dialTimeout, .seconds(60)),
            scanningTree: keysOnly
        )
        let index = reply.headers.index ?? reply.error?.index ?? 0
        if reply.status == 404 {
            return RangePage(pairs: [], more: false, revision: index, remaining: 0, clusterID: reply.headers.clusterID)
        }
        try Self.check(reply, operation: operation)
        var pairs = reply.leaves
        // The range of a directory's prefix is that directory's tree: every leaf lies in it (a full
        // load's case, which skips the comparisons). Any other range keeps only its own keys.
        if !Self.isWholeDirectory(start, end) {
            pairs.removeAll { pair in KeyText.less(pair.key, start) || !KeyText.less(pair.key, end) }
        }
        pairs = Self.inKeyOrder(pairs)
        let total = Int64(pairs.count)
        var more = false
        if limit > 0, total > limit {
            pairs.removeLast(Int(total - limit))
            more = true
        }
        return RangePage(
            pairs: pairs,
            more: more,
            revision: index,
            remaining: total,
            clusterID: reply.headers.clusterID
        )
    }

    public func get(_ key: String) async throws -> KeyValue? {
        let operation = "reading \(key)"
        let reply = try await send(
            .GET,
            path: V2KeyPath.url(base: "", key: key) + "?quorum=true",
            operation: operation,
            idempotent: true
        )
        if reply.status == 404 { return nil }
        try Self.check(reply, operation: operation)
        let node = try reply.decode(V2Answer.self, operation: operation).node
        guard let node, node.dir != true, let found = node.key else { return nil }
        return KeyValue(key: found, value: Array((node.value ?? "").utf8), modRevision: node.modifiedIndex ?? 0)
    }

    public func position(readingKey key: String) async throws -> StorePosition {
        // A quorum read of one key (found or not): every v2 answer carries the index and the cluster.
        let operation = "reading \(key)"
        let reply = try await send(
            .GET,
            path: V2KeyPath.url(base: "", key: key) + "?quorum=true",
            operation: operation,
            idempotent: true
        )
        if reply.status != 404 { try Self.check(reply, operation: operation) }
        guard let index = reply.headers.index ?? reply.error?.index else {
            throw EtcdError.server(operation: operation, message: "etcd's answer has no X-Etcd-Index")
        }
        return StorePosition(clusterID: reply.headers.clusterID, revision: index)
    }

    public func commit(_ transaction: Transaction) async throws -> TransactionResult {
        guard transaction.operations.count == 1, let operation = transaction.operations.first else {
            throw EtcdError.server(
                operation: "writing \(transaction.operations.first?.key ?? "etcd")",
                message: "etcd's v2 API has no multi-key transactions"
            )
        }
        let key = operation.key
        let description = "writing \(key)"
        var query: [String] = []
        for compare in transaction.compares {
            switch compare {
            case .modRevision(let compared, let revision):
                guard compared == key else {
                    throw EtcdError.server(
                        operation: description,
                        message: "etcd's v2 API compares only the key it writes"
                    )
                }
                query.append(revision == 0 ? "prevExist=false" : "prevIndex=\(revision)")
            case .exists(let prefix):
                guard try await exists(prefix: prefix) else {
                    let position = try await position(readingKey: key)
                    return TransactionResult(succeeded: false, revision: position.revision)
                }
            }
        }
        let path = V2KeyPath.url(base: "", key: key) + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
        let reply: Reply
        switch operation {
        case .put(_, let value):
            reply = try await send(
                .PUT,
                path: path,
                form: "value=" + V2KeyPath.formValue(value),
                operation: description,
                idempotent: false
            )
        case .delete:
            reply = try await send(.DELETE, path: path, operation: description, idempotent: false)
        }
        let index = reply.headers.index ?? reply.error?.index ?? 0
        if reply.status == 412 || reply.status == 404 {
            // 101: compare failed; 100: the key is gone (prevIndex on a deleted key); 105: it exists.
            return TransactionResult(succeeded: false, revision: index)
        }
        if let code = reply.error?.errorCode, code == V2ErrorBody.keyExists {
            return TransactionResult(succeeded: false, revision: index)
        }
        try Self.check(reply, operation: description)
        let written = (try? reply.decode(V2Answer.self, operation: description))?.node?.modifiedIndex
        return TransactionResult(succeeded: true, revision: written ?? index)
    }

    /// Whether any key lies under `prefix` (a directory in v2), read with quorum.
    private func exists(prefix: String) async throws -> Bool {
        let page = try await range(
            from: prefix,
            to: KeyRange.prefixEnd(prefix),
            revision: 0,
            limit: 1,
            keysOnly: true
        )
        return !page.pairs.isEmpty
    }

    /// `pairs` in key order, as a range answers: etcd keeps a directory's children in a map, so a tree
    /// comes in no order. Keys compare as bytes (as etcd orders them), copied once into one buffer, and
    /// what is sorted is their positions: sorting the pairs themselves moved and retained two references
    /// per comparison, a third of the CPU of a 100,000-key load.
    static func inKeyOrder(_ pairs: [KeyValue]) -> [KeyValue] {
        var bytes: [UInt8] = []
        var spans: [(start: Int, count: Int)] = []
        spans.reserveCapacity(pairs.count)
        for pair in pairs {
            var key = pair.key
            key.withUTF8 { utf8 in
                spans.append((bytes.count, utf8.count))
                bytes.append(contentsOf: utf8)
            }
        }
        var order = Array(pairs.indices)
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            spans.withUnsafeBufferPointer { spans in
                order.sort { a, b in
                    let x = spans[a]
                    let y = spans[b]
                    let result = memcmp(base + x.start, base + y.start, min(x.count, y.count))
                    return result != 0 ? result < 0 : x.count < y.count
                }
            }
        }
        return order.map { pairs[$0] }
    }

    /// Fails with etcd's own message for any answer that is not a success.
    static func check(_ reply: Reply, operation: String) throws(EtcdError) {
        guard !(200..<300).contains(reply.status) else { return }
        let error = reply.error
        let message = [error?.message, error?.cause].compactMap { $0 }.joined(separator: ": ")
        throw .server(operation: operation, message: message.isEmpty ? "HTTP \(reply.status)" : message)
    }

    /// Whether `[start, end)` is the range of a directory's prefix (`/calico/v1/host/` to
    /// `/calico/v1/host0`), which is exactly that directory's tree.
    static func isWholeDirectory(_ start: String, _ end: String) -> Bool {
        start.hasSuffix("/") && KeyText.equal(end, KeyRange.prefixEnd(start))
    }

    /// The deepest directory holding every key of `[start, end)`: the directory itself for the range of
    /// a directory's prefix, else the shared part of both ends cut after its last `/`.
    static func sharedDirectory(_ start: String, _ end: String) -> String {
        // A prefix range of a directory (`/calico/v1/host/` to `/calico/v1/host0`): that directory.
        if isWholeDirectory(start, end) { return start }
        let a = Array(start.utf8)
        let b = Array(end.utf8)
        var length = 0
        while length < a.count, length < b.count, a[length] == b[length] { length += 1 }
        var cut = length
        while cut > 0, a[cut - 1] != UInt8(ascii: "/") { cut -= 1 }
        let directory = String(decoding: a[..<cut], as: UTF8.self)
        return directory.isEmpty ? "/" : directory
    }
}
