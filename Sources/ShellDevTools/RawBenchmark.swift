import ShellCore

/// The benchmarks' baseline: raw etcd calls from one keep-alive client, with none of the shell
/// around them.
public enum RawBenchmark {
    public enum Operation: String, CaseIterable, Sendable {
        /// A linearizable read of one key.
        case get
        /// A write of one key (a one-operation transaction, as the shell's edits are).
        case put
        /// Every key under `key`, read whole (one Range; one recursive GET in etcd's v2 API). The key
        /// is not written first.
        case range
        /// The first `count` endpoints under `key` get a new profile appended, written as raw
        /// transactions of 128 puts one after another (no compares): a bulk edit's baseline. The
        /// values are read and made before the clock starts; the figures are the whole write.
        case bulkPut = "bulk-put"
    }

    /// Mean and median of one call, in microseconds.
    public struct Figures: Equatable, Sendable {
        public var meanMicroseconds: Int
        public var medianMicroseconds: Int
    }

    /// Writes `key` once, then times `count` calls of `operation` on it, one after another.
    public static func run(
        _ operation: Operation,
        count: Int,
        key: String,
        store: any KeyValueStore
    ) async throws
        -> Figures
    {
        if operation == .bulkPut { return try await bulkPut(count: count, prefix: key, store: store) }
        let value = Array(#"{"bench":true}"#.utf8)
        if operation != .range { _ = try await store.commit(Transaction(operations: [.put(key: key, value: value)])) }
        let clock = ContinuousClock()
        var samples: [Duration] = []
        samples.reserveCapacity(count)
        for _ in 0..<count {
            let start = clock.now
            switch operation {
            case .get: _ = try await store.get(key)
            case .put: _ = try await store.commit(Transaction(operations: [.put(key: key, value: value)]))
            case .bulkPut:
                return Figures(meanMicroseconds: 0, medianMicroseconds: 0)
            case .range:
                _ = try await store.range(
                    from: key,
                    to: KeyRange.prefixEnd(key),
                    revision: 0,
                    limit: 0,
                    keysOnly: false
                )
            }
            samples.append(clock.now - start)
        }
        samples.sort()
        let micros = { (d: Duration) in Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12 }
        let mean = samples.map(micros).reduce(0, +) / Double(max(count, 1))
        return Figures(meanMicroseconds: Int(mean), medianMicroseconds: Int(micros(samples[samples.count / 2])))
    }

    /// Appends a profile (`raw-N`, new each run) to the first `count` endpoints under `prefix` and
    /// writes them in transactions of 128 puts, one after another. Both figures are the total.
    private static func bulkPut(count: Int, prefix: String, store: any KeyValueStore) async throws -> Figures {
        let page = try await store.range(
            from: prefix,
            to: KeyRange.prefixEnd(prefix),
            revision: 0,
            limit: Int64(count),
            keysOnly: false
        )
        let profile = "raw-\(page.revision)"
        let writes = try page.pairs.map { pair in
            let profiles = try EndpointData.decode(pair.value).profiles + [profile]
            return Transaction.Operation.put(
                key: pair.key,
                value: try EndpointDocument.replacingProfiles(in: pair.value, with: profiles)
            )
        }
        let clock = ContinuousClock()
        let start = clock.now
        for first in stride(from: 0, to: writes.count, by: 128) {
            _ = try await store.commit(Transaction(operations: Array(writes[first..<min(first + 128, writes.count)])))
        }
        let elapsed = clock.now - start
        let micros = Int(Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12)
        return Figures(meanMicroseconds: micros, medianMicroseconds: micros)
    }
}
