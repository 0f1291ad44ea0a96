import ShellCore

/// Someone else changing endpoints, for the benchmarks' churn and burst figures: rewrites existing
/// synthetic endpoints (of `SampleData.synthetic`) with another profile, so every write is an event
/// a watcher must absorb.
public enum Churn {
    /// What was written and how long it took.
    public struct Figures: Equatable, Sendable {
        public var changes: Int
        public var seconds: Double
    }

    /// Writes `rate` changes per second, each its own one-put transaction (as a controller changing
    /// one endpoint at a time does), until `changes` are written or `duration` has passed. Writes due
    /// in one 5 ms tick go out together, so one slow reply does not hold the rate back.
    public static func paced(
        rate: Int,
        changes: Int,
        duration: Duration,
        endpoints: Int,
        hosts: Int,
        layout: KeyLayout,
        store: any KeyValueStore
    ) async throws -> Figures {
        let clock = ContinuousClock()
        let start = clock.now
        var written = 0
        while written < changes {
            let elapsed = clock.now - start
            if elapsed >= duration { break }
            let due = min(changes, Int(seconds(elapsed) * Double(rate)))
            if due > written {
                let batch = written..<due
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for number in batch {
                        let pair = change(number, endpoints: endpoints, hosts: hosts, layout: layout)
                        group.addTask {
                            _ = try await store.commit(
                                Transaction(operations: [.put(key: pair.key, value: pair.value)])
                            )
                        }
                    }
                    try await group.waitForAll()
                }
                written = due
            }
            try await Task.sleep(for: .milliseconds(5))
        }
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
