import ShellCore
import Synchronization

/// Someone else changing endpoints, for the benchmarks' churn and burst figures: rewrites existing
/// synthetic endpoints (of `SampleData.synthetic`) with another profile, so every write is an event
/// a watcher must absorb.
public enum Churn {
    /// What was written and how long it took.
    public struct Figures: Equatable, Sendable {
        public var changes: Int
        public var seconds: Double
    }

    /// Writes `rate` changes per second in transactions of `batch` puts, until `changes` are written
    /// or `duration` has passed. Transaction n is due at n × batch / rate seconds; `writers` tasks
    /// each take the next transaction, wait until it is due and write it, so a slow reply holds back
    /// only its own writer (a tick that waited for all of its writes reached about half the rate
    /// asked for under load). `batch` 1 is a controller changing one endpoint at a time; a loaded
    /// 2-core machine's etcd commits only about 1,000 such transactions a second.
    public static func paced(
        rate: Int,
        changes: Int,
        duration: Duration,
        endpoints: Int,
        hosts: Int,
        layout: KeyLayout,
        store: any KeyValueStore,
        batch: Int = 1,
        writers: Int = 64
    ) async throws -> Figures {
        let clock = ContinuousClock()
        let start = clock.now
        let next = Counter()
        let batch = max(batch, 1)
        let interval = Duration.seconds(batch) / max(rate, 1)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<writers {
                group.addTask {
                    while true {
                        let number = next.take()
                        let due = start + interval * number
                        guard number * batch < changes, due - start < duration else { return }
                        try await Task.sleep(until: due, clock: clock)
                        let operations = (number * batch..<min((number + 1) * batch, changes)).map { n in
                            let pair = change(n, endpoints: endpoints, hosts: hosts, layout: layout)
                            return Transaction.Operation.put(key: pair.key, value: pair.value)
                        }
                        _ = try await store.commit(Transaction(operations: operations))
                    }
                }
            }
            try await group.waitForAll()
        }
        let written = min((next.taken - writers) * batch, changes)
        return Figures(changes: written, seconds: seconds(clock.now - start))
    }

    /// Writes `changes` changes as fast as etcd takes them (someone's bulk retag): batched
    /// transactions, several in flight (`BulkLoader`). Then writes `marker`, if given, as the very
    /// last change, so a watcher knows it has seen the whole burst when it sees the marker.
    public static func burst(
        changes: Int,
        endpoints: Int,
        hosts: Int,
        layout: KeyLayout,
        marker: (key: String, value: [UInt8])?,
        store: any KeyValueStore
    ) async throws -> Figures {
        let pairs = (0..<changes).map { change($0, endpoints: endpoints, hosts: hosts, layout: layout) }
        let clock = ContinuousClock()
        let start = clock.now
        try await BulkLoader.load(pairs, into: store)
        if let marker {
            _ = try await store.commit(Transaction(operations: [.put(key: marker.key, value: marker.value)]))
        }
        return Figures(changes: changes + (marker == nil ? 0 : 1), seconds: seconds(clock.now - start))
    }

    /// Change number `n`: endpoints visited with a large odd stride (spread over hosts and IDs), each
    /// visit shifting the profile once more.
    static func change(_ n: Int, endpoints: Int, hosts: Int, layout: KeyLayout) -> (key: String, value: [UInt8]) {
        let count = max(endpoints, 1)
        let endpoint = (n &* 7_919) % count
        return SampleData.syntheticEndpoint(endpoint, hosts: hosts, layout: layout, profileShift: 1 + n / count)
    }

    public static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// The next change number, shared by the paced writers.
private final class Counter: Sendable {
    private let value = Mutex(0)

    func take() -> Int {
        value.withLock { value in
            defer { value += 1 }
            return value
        }
    }

    var taken: Int { value.withLock { $0 } }
}
