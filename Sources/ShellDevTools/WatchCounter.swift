import ShellCore

/// The baseline for how fast a burst of changes can be absorbed: a raw watch that only counts the
/// events etcd delivers, with nothing done with them.
public enum WatchCounter {
    /// Watches `prefix` from the store's next revision; calls `ready` once etcd has created the
    /// watch (writes made after that are all seen), then returns when `count` events have arrived.
    public static func run(
        prefix: String,
        count: Int,
        store: any KeyValueStore,
        ready: @Sendable () -> Void
    ) async throws -> Int {
        let revision = try await store.currentRevision()
        let subscription = store.watch(prefix: prefix, startRevision: revision + 1)
        defer { subscription.cancel() }
        var seen = 0
        for try await batch in subscription.batches {
            if batch.isCreation {
                ready()
                continue
            }
            seen += batch.events.count
            if seen >= count { break }
        }
        return seen
    }
}
