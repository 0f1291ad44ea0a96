import ShellCore
import Synchronization

/// Another store (a real etcd in integration tests) whose watches a test can cut off, as a long
/// network cut would, while reads and writes go through: `cutWatches()` ends every running watch
/// with an error and holds new ones back, unanswered, until `restoreWatches()`; then they start on
/// the wrapped store from the revision they asked for.
public final class WatchOutageStore: KeyValueStore {
    public let wrapped: any KeyValueStore
    private let outage = Outage()

    public init(wrapping store: any KeyValueStore) {
        wrapped = store
    }

    public func cutWatches() async { await outage.cut() }

    public func restoreWatches() async { await outage.restore() }

    public func range(
        from start: String,
        to end: String,
        revision: Int64,
        limit: Int64,
        keysOnly: Bool
    ) async throws
        -> RangePage
    {
        try await wrapped.range(from: start, to: end, revision: revision, limit: limit, keysOnly: keysOnly)
    }

    public func scanRange(
        prefix: String,
        revision: Int64,
        pageSize: Int64,
        keysOnly: Bool,
        onPage: (RangePage) throws -> Void
    ) async throws -> Int64 {
        try await wrapped.scanRange(
            prefix: prefix,
            revision: revision,
            pageSize: pageSize,
            keysOnly: keysOnly,
            onPage: onPage
        )
    }

    public func get(_ key: String) async throws -> KeyValue? { try await wrapped.get(key) }

    public func position(readingKey key: String) async throws -> StorePosition {
        try await wrapped.position(readingKey: key)
    }

    public func commit(_ transaction: Transaction) async throws -> TransactionResult {
        try await wrapped.commit(transaction)
    }

    public func status() async throws -> StoreStatus { try await wrapped.status() }

    public func shutdown() async { await wrapped.shutdown() }

    public func watch(prefix: String, startRevision: Int64) -> WatchSubscription {
        let (batches, continuation) = AsyncThrowingStream<WatchBatch, any Error>.makeStream()
        let inner = InnerWatch()
        let task = Task { [wrapped, outage] in
            await outage.waitUntilRestored()
            guard !Task.isCancelled else { return }
            let subscription = wrapped.watch(prefix: prefix, startRevision: startRevision)
            inner.set(subscription)
            if Task.isCancelled { return subscription.cancel() }
            guard let id = await outage.register(continuation) else { return }
            do {
                for try await batch in subscription.batches { continuation.yield(batch) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
            await outage.unregister(id)
        }
        continuation.onTermination = { _ in
            task.cancel()
            inner.cancel()
        }
        return WatchSubscription(
            batches: batches,
            requestProgress: { inner.requestProgress() },
            cancel: { continuation.finish() }
        )
    }
}

/// Whether watches are cut off, and the ones running, to end when they are.
private actor Outage {
    private var isCut = false
    private var held: [CheckedContinuation<Void, Never>] = []
    private var running: [Int: AsyncThrowingStream<WatchBatch, any Error>.Continuation] = [:]
    private var nextID = 0

    func waitUntilRestored() async {
        guard isCut else { return }
        await withCheckedContinuation { held.append($0) }
    }

    /// Nil (and the watch ended) when the watches were cut meanwhile.
    func register(_ continuation: AsyncThrowingStream<WatchBatch, any Error>.Continuation) -> Int? {
        if isCut {
            continuation.finish(throwing: EtcdError.watchEnded("cut off by the test"))
            return nil
        }
        nextID += 1
        running[nextID] = continuation
        return nextID
    }

    func unregister(_ id: Int) { running[id] = nil }

    func cut() {
        isCut = true
        for continuation in running.values {
            continuation.finish(throwing: EtcdError.watchEnded("cut off by the test"))
        }
        running = [:]
    }

    func restore() {
        isCut = false
        for waiting in held { waiting.resume() }
        held = []
    }
}

/// The wrapped store's watch, once it has started.
private final class InnerWatch: Sendable {
    private let subscription = Mutex<WatchSubscription?>(nil)

    func set(_ watch: WatchSubscription) { subscription.withLock { $0 = watch } }
    func requestProgress() { subscription.withLock { $0 }?.requestProgress() }
    func cancel() { subscription.withLock { $0 }?.cancel() }
}
