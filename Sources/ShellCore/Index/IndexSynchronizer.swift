/// Keeps an `EndpointIndex` in step with etcd for the whole session: one paginated load at one
/// revision, then one watch from the next revision on.
///
/// - A broken watch resumes from the last revision applied + 1 (the channel picks a live member);
///   a compacted one triggers a full reload. The index is never silently stale: `freshIndex()` learns
///   the cluster's current revision and waits until the watch has delivered up to it.
/// - The shell's own writes reach the index through the watch like anyone else's, so one rule covers both.
public actor IndexSynchronizer {
    public let store: any KeyValueStore
    public let layout: KeyLayout
    private var index: EndpointIndex
    private var subscription: WatchSubscription?
    private var watchTask: Task<Void, Never>?
    private var waiters: [(revision: Int64, progress: Int, continuation: CheckedContinuation<Void, Never>)] = []
    /// How many progress reports (batches without events) have arrived: see `freshIndex`.
    private var progressReports = 0
    private var lastWatchError: EtcdError?
    /// How long a command waits for the watch to catch up before reporting etcd as unreachable.
    private let catchUpTimeout: Duration

    public init(store: any KeyValueStore, layout: KeyLayout, catchUpTimeout: Duration = .seconds(5)) {
        self.store = store
        self.layout = layout
        self.index = EndpointIndex(layout: layout)
        self.catchUpTimeout = catchUpTimeout
    }

    /// Loads everything and starts the watch. `progress` is told the number of keys read so far.
    public func start(progress: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        try await reload(progress: progress)
    }

    public func stop() {
        watchTask?.cancel()
        subscription?.cancel()
        watchTask = nil
        subscription = nil
    }

    /// The index as of at least the cluster's current revision: every write committed before this
    /// call, by anyone, is in it.
    public func freshIndex() async throws -> EndpointIndex {
        let current = try await store.currentRevision()
        if index.revision >= current { return index }
        guard let subscription else { throw lastWatchError ?? EtcdError.watchEnded("not started") }
        // Nothing under the prefix may have changed (other keys move the revision too): ask the watch
        // where it stands. etcd 3.4 answers a progress request with its current revision at once and
        // may send it ahead of events still queued, so a progress answer counts only once a second
        // one has come back after it.
        let reportsBefore = progressReports
        subscription.requestProgress()
        try await waitFor(revision: current, progressReports: reportsBefore + 1)
        if index.revision >= current, progressReports > reportsBefore, !eventsReached(current) {
            let reports = progressReports
            subscription.requestProgress()
            try await waitFor(revision: current, progressReports: reports + 1)
        }
        return index
    }

    private var lastEventRevision: Int64 = 0
    private func eventsReached(_ revision: Int64) -> Bool { lastEventRevision >= revision }

    /// The index as it is now, without asking etcd (completion uses this: it must never block).
    public func currentIndex() -> EndpointIndex { index }

    // MARK: Loading and watching

    private func reload(progress: @escaping @Sendable (Int) -> Void) async throws {
        stop()
        var loaded = 0
        var pairs: [KeyValue] = []
        var revision: Int64 = 0
        for prefix in [layout.hostsPrefix, layout.profilesPrefix] {
            let result = try await store.rangeAll(prefix: prefix, revision: revision) { page in
                loaded += page.pairs.count
                progress(loaded)
            }
            revision = result.revision
            pairs.append(contentsOf: result.pairs)
        }
        var fresh = EndpointIndex(layout: layout)
        fresh.load(pairs, revision: revision)
        index = fresh
        lastEventRevision = revision
        startWatch(from: revision + 1)
    }

    private func startWatch(from revision: Int64) {
        let subscription = store.watch(prefix: layout.prefix + "/", startRevision: revision)
        self.subscription = subscription
        watchTask = Task { [weak self] in
            do {
                for try await batch in subscription.batches {
                    guard let self else { return }
                    await self.apply(batch)
                }
            } catch {
                await self?.watchFailed(error)
            }
        }
    }

    private func apply(_ batch: WatchBatch) {
        index.apply(batch)
        if batch.events.isEmpty { progressReports += 1 } else { lastEventRevision = max(lastEventRevision, batch.revision) }
        lastWatchError = nil
        resumeWaiters()
    }

    private func watchFailed(_ error: any Error) async {
        guard !Task.isCancelled else { return }
        let etcdError = error as? EtcdError ?? .watchEnded(String(describing: error))
        lastWatchError = etcdError
        subscription = nil
        if case .compacted = etcdError {
            // The history the watch needed is gone: only a full reload is correct.
            do { try await reload(progress: { _ in }) } catch { await retryLater() }
            return
        }
        await retryLater()
    }

    /// Resumes the watch from the last revision applied + 1 after a short pause (the gRPC channel
    /// reconnects, to another member if there are several).
    private func retryLater() async {
        try? await Task.sleep(for: .milliseconds(300))
        guard !Task.isCancelled, subscription == nil else { return }
        startWatch(from: index.revision + 1)
    }

    private func waitFor(revision: Int64, progressReports needed: Int) async throws {
        let deadline = ContinuousClock.now + catchUpTimeout
        while !(index.revision >= revision && (progressReports >= needed || lastEventRevision >= revision)) {
            if ContinuousClock.now >= deadline {
                throw lastWatchError ?? EtcdError.timeout(operation: "the watch (index at revision \(index.revision), cluster at \(revision))")
            }
            await withCheckedContinuation { continuation in
                waiters.append((revision, needed, continuation))
                Task { [weak self] in
                    try? await Task.sleep(for: .milliseconds(50))
                    await self?.resumeWaiters(force: true)
                }
            }
        }
    }

    private func resumeWaiters(force: Bool = false) {
        var remaining: [(revision: Int64, progress: Int, continuation: CheckedContinuation<Void, Never>)] = []
        for waiter in waiters {
            let reached = index.revision >= waiter.revision && (progressReports >= waiter.progress || lastEventRevision >= waiter.revision)
            if reached || force { waiter.continuation.resume() } else { remaining.append(waiter) }
        }
        waiters = remaining
    }
}
