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
}
