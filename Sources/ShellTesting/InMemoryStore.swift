import ShellCore

/// An etcd stand-in for unit tests of the logic above `KeyValueStore`: revisions, ranges at a
/// revision (current only), compare-and-swap transactions and watches behave as etcd's do.
/// Integration tests use a real etcd; this only makes pure-logic tests fast.
public actor InMemoryStore: KeyValueStore {
    private var pairs: [String: KeyValue] = [:]
    private var revision: Int64 = 1
    private var clusterID: UInt64 = 1
    private var watchers:
        [Int: (prefix: String, continuation: AsyncThrowingStream<WatchBatch, any Error>.Continuation)] = [:]
    private var nextWatcher = 0
    /// Every change, so a watch registered late still starts exactly at its start revision.
    private var history: [WatchBatch] = []

    public init() {}

    public func range(
        from start: String,
        to end: String,
        revision: Int64,
        limit: Int64,
        keysOnly: Bool
    ) async throws -> RangePage {
        let keys = pairs.keys.filter { $0 >= start && $0 < end }.sorted()
        let taken = limit > 0 ? Array(keys.prefix(Int(limit))) : keys
        let found = taken.compactMap { pairs[$0] }.map {
            keysOnly ? KeyValue(key: $0.key, value: [], modRevision: $0.modRevision) : $0
        }
        return RangePage(
            pairs: found,
            more: taken.count < keys.count,
            revision: self.revision,
            remaining: Int64(keys.count),
            clusterID: clusterID
        )
    }

    public func get(_ key: String) async throws -> KeyValue? { pairs[key] }

    public func status() async throws -> StoreStatus { StoreStatus(version: "in-memory", revision: revision) }

    /// Ends every watch, as a closed connection would.
    public func shutdown() async {
        for watcher in watchers.values { watcher.continuation.finish() }
        watchers = [:]
    }

    public func position(readingKey key: String) async throws -> StorePosition {
        StorePosition(clusterID: clusterID, revision: revision)
    }

    /// Tests: etcd replaced behind the same address (another cluster, its own history).
    public func replace(clusterID: UInt64, keeping kept: [KeyValue] = []) {
        self.clusterID = clusterID
        pairs = Dictionary(kept.map { ($0.key, $0) }, uniquingKeysWith: { $1 })
        revision = 1
        history = []
        for watcher in watchers.values { watcher.continuation.finish(throwing: EtcdError.watchEnded("replaced")) }
        watchers = [:]
    }

    public func commit(_ transaction: Transaction) async throws -> TransactionResult {
        for compare in transaction.compares {
            let holds: Bool
            switch compare {
            case .modRevision(let key, let expected): holds = (pairs[key]?.modRevision ?? 0) == expected
            case .exists(let prefix): holds = pairs.keys.contains { $0.hasPrefix(prefix) }
            }
            if !holds { return TransactionResult(succeeded: false, revision: revision) }
        }
        guard !transaction.operations.isEmpty else { return TransactionResult(succeeded: true, revision: revision) }
        revision += 1
        var events: [WatchEvent] = []
        for operation in transaction.operations {
            switch operation {
            case .put(let key, let value):
                let pair = KeyValue(key: key, value: value, modRevision: revision)
                pairs[key] = pair
                events.append(WatchEvent(kind: .put, pair: pair))
            case .delete(let key):
                if pairs.removeValue(forKey: key) != nil {
                    events.append(WatchEvent(kind: .delete, pair: KeyValue(key: key, value: [], modRevision: revision)))
                }
            }
        }
        history.append(WatchBatch(events: events, revision: revision))
        for watcher in watchers.values {
            let matching = events.filter { $0.pair.key.hasPrefix(watcher.prefix) }
            if !matching.isEmpty {
                deliver(
                    WatchBatch(events: matching, revision: revision, clusterID: clusterID),
                    to: watcher.continuation
                )
            }
        }
        return TransactionResult(succeeded: true, revision: revision)
    }

    /// Watch answers waiting for `releaseEvents()`, in order; nil while answers flow.
    private var held: [(batch: WatchBatch, to: AsyncThrowingStream<WatchBatch, any Error>.Continuation)]?

    /// Tests: from now on, watch answers (events and progress reports) wait, as on a slow network,
    /// while writes and reads answer at once.
    public func holdEvents() { held = held ?? [] }

    /// Tests: delivers the held watch answers, in order, and lets answers flow again.
    public func releaseEvents() {
        let waiting = held ?? []
        held = nil
        for item in waiting { item.to.yield(item.batch) }
    }

    private func deliver(_ batch: WatchBatch, to continuation: AsyncThrowingStream<WatchBatch, any Error>.Continuation)
    {
        if held != nil { held?.append((batch, continuation)) } else { continuation.yield(batch) }
    }

    /// A write outside any watched prefix: moves the revision without events, as other Calico keys do.
    public func bumpRevision() { revision += 1 }

    public nonisolated func watch(prefix: String, startRevision: Int64) -> WatchSubscription {
        let (stream, continuation) = AsyncThrowingStream<WatchBatch, any Error>.makeStream()
        let registration = Task {
            await self.register(prefix: prefix, startRevision: startRevision, continuation: continuation)
        }
        return WatchSubscription(
            batches: stream,
            requestProgress: {
                Task {
                    _ = await registration.value
                    await self.reportProgress()
                }
            },
            cancel: { continuation.finish() }
        )
    }

    private func register(
        prefix: String,
        startRevision: Int64,
        continuation: AsyncThrowingStream<WatchBatch, any Error>.Continuation
    ) {
        deliver(WatchBatch(events: [], revision: revision, isCreation: true, clusterID: clusterID), to: continuation)
        for batch in history where batch.revision >= startRevision {
            let matching = batch.events.filter { $0.pair.key.hasPrefix(prefix) }
            if !matching.isEmpty {
                deliver(WatchBatch(events: matching, revision: batch.revision, clusterID: clusterID), to: continuation)
            }
        }
        nextWatcher += 1
        let id = nextWatcher
        watchers[id] = (prefix, continuation)
        continuation.onTermination = { _ in Task { await self.unregister(id) } }
    }

    private func unregister(_ id: Int) { watchers[id] = nil }

    private func reportProgress() {
        for watcher in watchers.values {
            deliver(WatchBatch(events: [], revision: revision, clusterID: clusterID), to: watcher.continuation)
        }
    }
}
