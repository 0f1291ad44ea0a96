import Synchronization

/// Keeps an `EndpointIndex` in step with etcd for the whole session: one paginated load at one
/// revision, then one watch from the next revision on.
///
/// - A broken watch resumes from the last revision applied + 1 (the channel picks a live member);
///   a compacted one triggers a full reload. The index is never silently stale: `freshIndex()` learns
///   the cluster's current revision and waits until the watch has delivered up to it.
/// - The shell's own writes reach the index through the watch like anyone else's, so one rule covers both.
/// - etcd replaced behind the same address (wiped, restored from a snapshot, another cluster) is
///   noticed by its response headers: another cluster ID, or a revision lower than the index's. The
///   index is then loaded again from scratch, and `onNotice` is told why, once per replacement.
public actor IndexSynchronizer {
    /// A copy of the index for readers that cannot wait (TAB completion inside libedit's callback).
    /// Kept only when asked for: holding a copy makes the next change copy the whole index.
    private nonisolated let published = Mutex<EndpointIndex?>(nil)
    private var publishes = false
    public let store: any KeyValueStore
    public let layout: KeyLayout
    private var index: EndpointIndex
    private var subscription: WatchSubscription?
    private var watchTask: Task<Void, Never>?
    private var waiters: [(revision: Int64, progress: Int, continuation: CheckedContinuation<Void, Never>)] = []
    /// How many progress reports (batches without events) have arrived: see `freshIndex`.
    private var progressReports = 0
    private var lastWatchError: EtcdError?
    /// Where the current watch started, the store revision when it was created, and whether it
    /// has caught up with that revision (see `apply`).
    private var watchStart: Int64 = 0
    private var creationRevision: Int64 = .max
    private var watchSynced = false
    private var stopped = false
    /// How long a command waits for the watch to catch up before reporting etcd as unreachable.
    private let catchUpTimeout: Duration
    /// The cluster the index was loaded from (0: not known yet, or a store without IDs).
    private var clusterID: UInt64 = 0
    /// A reload after etcd was found replaced, shared by everyone who finds it.
    private var replacementReload: Task<Void, any Error>?
    /// Tells the user, in words that follow "etcd at <address> ", that etcd was replaced.
    private let onNotice: @Sendable (String) -> Void

    /// Keys per Range page of a full load. etcd 3.4 walks the rest of the range for every limited
    /// page, so fewer, larger pages load much faster; the cost is one page in memory at a time.
    public let pageSize: Int64

    public init(store: any KeyValueStore, layout: KeyLayout, catchUpTimeout: Duration = .seconds(5), pageSize: Int64 = 10_000,
                onNotice: @escaping @Sendable (String) -> Void = { _ in }) {
        self.store = store
        self.onNotice = onNotice
        self.pageSize = pageSize
        self.layout = layout
        self.index = EndpointIndex(layout: layout)
        self.catchUpTimeout = catchUpTimeout
    }

    /// With `keysOnly`, loads read keys without values: enough for the summary table and ID
    /// completion, and several times less to transfer (the one-shot `-c "endpoint show"` path).
    private var keysOnly = false

    /// Loads everything and starts the watch. `progress` is told the number of keys read so far.
    public func start(keysOnly: Bool = false, progress: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        self.keysOnly = keysOnly
        try await reload(progress: progress)
    }

    public func stop() {
        stopped = true
        watchTask?.cancel()
        subscription?.cancel()
        watchTask = nil
        subscription = nil
    }

    /// The index as of at least the cluster's current revision: every write committed before this
    /// call, by anyone, is in it.
    public func freshIndex() async throws -> EndpointIndex {
        let position = try await store.position(readingKey: layout.prefix + "/")
        if let reason = replacement(seen: position) {
            try await reloadAfterReplacement(reason)
            return index
        }
        let current = position.revision
        if index.revision >= current { return index }
        if subscription == nil {
            // The watch broke and its recovery is still waiting: etcd answers again, so recover now.
            if case .compacted? = lastWatchError { try await reload(progress: { _ in }) } else { startWatch(from: index.revision + 1) }
            if index.revision >= current { return index }
        }
        guard let subscription else { throw lastWatchError ?? EtcdError.watchEnded("not started") }
        // Nothing under the prefix may have changed (other keys move the revision too): ask the watch
        // where it stands. etcd 3.4 answers a progress request with its current revision at once and
        // may send it ahead of events still queued, so a progress answer counts only once a second
        // one has come back after it.
        let reportsBefore = progressReports
        subscription.requestProgress()
        do {
            try await waitFor(revision: current, progressReports: reportsBefore + 1,
                              timeout: watchSynced ? catchUpTimeout : .milliseconds(300))
        } catch where !watchSynced {
            // A resumed watch that is still catching up cannot prove where it stands (etcd 3.4
            // answers progress requests with its own revision, not the watcher's): load afresh.
            try await reload(progress: { _ in })
            return index
        }
        if index.revision >= current, progressReports > reportsBefore, !eventsReached(current) {
            let reports = progressReports
            subscription.requestProgress()
            try await waitFor(revision: current, progressReports: reports + 1, timeout: catchUpTimeout)
        }
        return index
    }

    private var lastEventRevision: Int64 = 0
    /// How many full loads there have been (1 after `start`; more after compactions).
    public private(set) var loads = 0

    /// Tests: stop the watch without resuming it, as a long network cut would.
    func suspendWatch() {
        watchTask?.cancel()
        subscription?.cancel()
        watchTask = nil
        subscription = nil
    }

    /// Tests: resume a suspended watch from the last revision applied + 1.
    func resumeWatch() {
        startWatch(from: index.revision + 1)
    }
    private func eventsReached(_ revision: Int64) -> Bool { lastEventRevision >= revision }

    /// The index as it is now, without asking etcd.
    public func currentIndex() -> EndpointIndex { index }

    /// Starts keeping `snapshot` current (the interactive shell's completion reads it).
    public func publishSnapshots() {
        publishes = true
        publish()
    }

    /// The latest published index, without waiting; nil unless `publishSnapshots()` was called.
    public nonisolated var snapshot: EndpointIndex? { published.withLock { $0 } }

    private func publish() {
        if publishes { published.withLock { $0 = index } }
    }

    // MARK: A replaced etcd

    /// Why `position` (from any response header) cannot come from the history the index was loaded
    /// from, or nil if it can: in one history, the store's revision never goes below what the index
    /// has applied.
    private func replacement(seen position: StorePosition) -> String? {
        if clusterID != 0, position.clusterID != 0, position.clusterID != clusterID {
            return "its cluster ID changed (\(String(clusterID, radix: 16)) → \(String(position.clusterID, radix: 16)))"
        }
        if position.revision < index.revision {
            return "its revision went back from \(index.revision) to \(position.revision)"
        }
        return nil
    }

    /// Loads the index from the new etcd, telling the user why, once however many find it.
    private func reloadAfterReplacement(_ reason: String) async throws {
        if let replacementReload { return try await replacementReload.value }
        onNotice("was replaced: \(reason); reloading the endpoint index")
        let task = Task { try await self.reload(progress: { _ in }) }
        replacementReload = task
        defer { replacementReload = nil }
        try await task.value
    }

    // MARK: Loading and watching

    private func reload(progress: @escaping @Sendable (Int) -> Void) async throws {
        watchTask?.cancel()
        subscription?.cancel()
        watchTask = nil
        subscription = nil
        // Pages go straight into the new index: the whole data set is never held twice.
        var fresh = EndpointIndex(layout: layout)
        fresh.startLoading()
        var loaded = 0
        var revision: Int64 = 0
        var cluster: UInt64 = 0
        for prefix in [layout.hostsPrefix, layout.profilesPrefix] {
            var first = prefix == layout.hostsPrefix
            revision = try await store.scan(prefix: prefix, revision: revision, pageSize: pageSize, keysOnly: keysOnly) { page in
                if first { fresh.reserve(Int(page.remaining)) }
                first = false
                cluster = page.clusterID
                for pair in page.pairs { fresh.put(pair) }
                loaded += page.pairs.count
                progress(loaded)
            }
        }
        // A keys-only load serves one-shot summaries, which never look an ID up: skip the sort.
        fresh.finishLoading(sort: !keysOnly)
        fresh.revision = revision
        loads += 1
        clusterID = cluster
        index = fresh
        publish()
        lastEventRevision = revision
        startWatch(from: revision + 1)
    }

    private func startWatch(from revision: Int64) {
        watchStart = revision
        watchSynced = false
        creationRevision = .max
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
        lastWatchError = nil
        let position = StorePosition(clusterID: batch.clusterID, revision: batch.revision)
        if replacementReload == nil, let reason = replacement(seen: position) {
            // Not from this watch's task: the reload cancels the watch that runs it.
            Task { try? await self.reloadAfterReplacement(reason) }
            return
        }
        if batch.isCreation {
            // A watch that starts after the store's revision is current from the start; one that
            // starts in the past is current once its events reach the revision it was created at.
            creationRevision = batch.revision
            watchSynced = batch.revision < watchStart
        } else if batch.events.isEmpty {
            // A progress report: only a current watch's report says where the index stands.
            guard watchSynced else { return }
            index.apply(batch)
            progressReports += 1
        } else {
            index.apply(batch)
            publish()
            lastEventRevision = max(lastEventRevision, batch.revision)
            if batch.revision >= creationRevision { watchSynced = true }
        }
        resumeWaiters()
    }

    private func watchFailed(_ error: any Error) {
        // A watch cancelled on purpose (stop, reload, test suspension) is not a failure.
        guard !Task.isCancelled, !stopped else { return }
        let etcdError = error as? EtcdError ?? .watchEnded(String(describing: error))
        lastWatchError = etcdError
        subscription = nil
        watchTask = nil
        var compacted = false
        if case .compacted = etcdError { compacted = true }
        // Recovery runs in a task of its own: this one is the failed watch's and is ending.
        Task { await self.recover(compacted: compacted) }
    }

    /// After a broken watch: resume from the last revision applied + 1 after a short pause (the
    /// gRPC channel reconnects, to another member if there are several). After a compaction the
    /// history the watch needs is gone, and only a full reload is correct.
    private func recover(compacted: Bool) async {
        var delay = Duration.milliseconds(200)
        while !stopped && subscription == nil {
            try? await Task.sleep(for: delay)
            guard !stopped, subscription == nil else { return }
            if !compacted {
                startWatch(from: index.revision + 1)
                return
            }
            do {
                try await reload(progress: { _ in })
                return
            } catch {
                lastWatchError = error as? EtcdError ?? lastWatchError
                delay = min(delay * 2, .seconds(2))
            }
        }
    }

    private func waitFor(revision: Int64, progressReports needed: Int, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
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
