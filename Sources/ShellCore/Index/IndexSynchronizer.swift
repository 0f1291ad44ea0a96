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
    /// Kept only when asked for: holding a copy makes the next change copy the arrays it touches
    /// (at 1,000,000 endpoints the slots alone are 32 MB). So it is renewed at most every
    /// `publishInterval`, and once more after the last change: under churn of hundreds of batches a
    /// second, a copy per batch would be more memory traffic than the machine has.
    private nonisolated let published = Mutex<EndpointIndex?>(nil)
    private var publishes = false
    static let publishInterval = Duration.milliseconds(200)
    private var lastPublished = ContinuousClock.now
    private var publishScheduled = false
    public let store: any KeyValueStore
    public let layout: KeyLayout
    private var index: EndpointIndex
    /// Where the index stands and what the watch's answers mean: every freshness rule is there.
    private var state = WatchState()
    private var subscription: WatchSubscription?
    private var watchTask: Task<Void, Never>?
    /// Counts watches, so that a late answer of one already replaced is told apart and dropped.
    private var watchGeneration = 0
    /// Commands waiting for the index to reach a goal, each resumed once: by the answer that
    /// reaches it, or by its deadline.
    private var waiters: [Int: Waiter] = [:]
    private var nextWaiter = 0
    private var stopped = false
    /// How long a command waits for the watch to catch up before reporting etcd as unreachable.
    private let catchUpTimeout: Duration
    /// A reload after etcd was found replaced, shared by everyone who finds it.
    private var replacementReload: Task<Void, any Error>?
    /// `endpoint watch` readers of this same watch: each is sent every endpoint change applied.
    private var subscribers: [Int: AsyncStream<RecordChange>.Continuation] = [:]
    private var nextSubscriber = 0
    /// Tells the user, in words that follow "etcd at <address> ", that etcd was replaced.
    private let onNotice: @Sendable (String) -> Void

    /// Keys per Range page of a full load. etcd 3.4 walks the rest of the range for every limited
    /// page, so fewer, larger pages load much faster; the cost is one page in memory at a time.
    public let pageSize: Int64

    public init(
        store: any KeyValueStore,
        layout: KeyLayout,
        catchUpTimeout: Duration = .seconds(5),
        pageSize: Int64 = 10_000,
        onNotice: @escaping @Sendable (String) -> Void = { _ in }
    ) {
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

    /// Loads everything and starts the watch. `progress` is told the number of keys read so far;
    /// `observer` sees the hosts range's pages as they come, before the index takes each in.
    public func start(
        keysOnly: Bool = false,
        progress: @escaping @Sendable (Int) -> Void = { _ in },
        observer: (any LoadObserver)? = nil
    ) async throws {
        self.keysOnly = keysOnly
        do {
            try await reload(progress: progress, observer: observer)
        } catch {
            observer?.loadEnded(error)
            throw error
        }
        observer?.loadEnded(nil)
    }

    public func stop() {
        stopped = true
        for continuation in subscribers.values { continuation.finish() }
        subscribers = [:]
        cancelWatch()
        for id in Array(waiters.keys) {
            resume(id, with: .failure(state.lastError ?? EtcdError.watchEnded("the index was stopped")))
        }
    }

    /// The index as of at least the cluster's current revision: every write committed before this
    /// call, by anyone, is in it.
    public func freshIndex() async throws -> EndpointIndex {
        try await waitUntilFresh()
        index.buildSecondaryIndexes()
        return index
    }

    /// Runs `body` on the index inside the actor — made fresh first (see `freshIndex`) when
    /// `fresh` — so that no copy of it outlives the call. A copy that a command still held while
    /// the watch applied its next batch made that batch copy the whole index (copy-on-write: a
    /// million records at 1,000,000 endpoints, for every batch that came during a bulk edit's
    /// selection or a serializable read).
    /// A load leaves the secondary indexes for the first command that needs them
    /// (`needsSecondaryIndexes`): a piped `endpoint show --detailed` answers without them.
    public func withIndex<T: Sendable>(
        fresh: Bool,
        needsSecondaryIndexes: Bool = true,
        _ body: @Sendable (EndpointIndex) -> T
    ) async throws -> T {
        if fresh { try await waitUntilFresh() }
        if needsSecondaryIndexes { index.buildSecondaryIndexes() }
        return body(index)
    }

    private func waitUntilFresh() async throws {
        let appliedWhenAsked = state.appliedRevision
        let position = try await store.position(readingKey: layout.prefix + "/")
        if let reason = state.replacement(seen: position, appliedWhenAsked: appliedWhenAsked) {
            // The reload may be one a watch answer started before `position` was read, and have
            // read the new etcd before a write this command must see: the checks below still apply
            // (the watch the reload started brings what it missed).
            try await reloadAfterReplacement(reason)
        }
        let current = position.revision
        if state.appliedRevision >= current { return }
        if subscription == nil {
            // The watch broke and its recovery is still waiting: etcd answers again, so recover now.
            switch state.recovery {
            case .reload: try await reload(progress: { _ in })
            case .resume(let revision): startWatch(from: revision)
            }
            if state.appliedRevision >= current { return }
        }
        guard let subscription else { throw state.lastError ?? EtcdError.watchEnded("not started") }
        // Nothing under the prefix may have changed (other keys move the revision too): ask the watch
        // where it stands (see `WatchState` for why one answer may not be enough).
        let goal = state.goal(reaching: current)
        subscription.requestProgress()
        do {
            try await wait(for: goal, timeout: state.isSynced ? catchUpTimeout : .milliseconds(300))
        } catch let error where !(error is CancellationError) && !stopped && !state.isSynced {
            // A resumed watch that is still catching up cannot prove where it stands (etcd 3.4
            // answers progress requests with its own revision, not the watcher's): load afresh.
            try await reload(progress: { _ in })
            return
        }
        if let confirmation = state.confirmation(of: goal) {
            subscription.requestProgress()
            try await wait(for: confirmation, timeout: catchUpTimeout)
        }
    }

    /// How many full loads there have been (1 after `start`; more after compactions).
    public private(set) var loads = 0

    /// The index as it is now, without asking etcd.
    public func currentIndex() -> EndpointIndex { index }

    /// Starts keeping `snapshot` current (the interactive shell's completion reads it).
    public func publishSnapshots() {
        publishes = true
        publishNow()
    }

    /// The latest published index, without waiting; nil unless `publishSnapshots()` was called.
    public nonisolated var snapshot: EndpointIndex? { published.withLock { $0 } }

    private func publish() {
        guard publishes else { return }
        let now = ContinuousClock.now
        if now - lastPublished >= Self.publishInterval {
            publishNow()
        } else if !publishScheduled {
            publishScheduled = true
            let wait = Self.publishInterval - (now - lastPublished)
            Task {
                try? await Task.sleep(for: wait)
                await self.publishNow()
            }
        }
    }

    private func publishNow() {
        // Completion reads the snapshot's profiles and networks.
        index.buildSecondaryIndexes()
        publishScheduled = false
        lastPublished = ContinuousClock.now
        published.withLock { $0 = index }
    }

    // MARK: Subscribers

    /// Every endpoint change this watch applies from now on, in order, each once: a resumed watch
    /// (after a member failed) starts after the last revision applied, so nothing is missed or
    /// repeated. Ends with `unsubscribe(_:)` or `stop()`.
    public func subscribe() -> (id: Int, changes: AsyncStream<RecordChange>) {
        nextSubscriber += 1
        let (stream, continuation) = AsyncStream<RecordChange>.makeStream(bufferingPolicy: .unbounded)
        subscribers[nextSubscriber] = continuation
        let id = nextSubscriber
        continuation.onTermination = { _ in Task { await self.unsubscribe(id) } }
        return (id, stream)
    }

    public func unsubscribe(_ id: Int) {
        subscribers.removeValue(forKey: id)?.finish()
    }

    private func broadcast(_ changes: [RecordChange]) {
        for change in changes {
            for continuation in subscribers.values { continuation.yield(change) }
        }
    }

    /// What a full reload changed, as changes (a compaction or a replaced etcd leaves no events).
    private static func differences(from old: EndpointIndex, to new: EndpointIndex) -> [RecordChange] {
        var changes: [RecordChange] = []
        for record in new.allRecords where old.record(at: record.key)?.value != record.value {
            let before = old.record(at: record.key)?.value
            changes.append(RecordChange(key: record.key, before: before, after: record.value, revision: new.revision))
        }
        for record in old.allRecords where new.record(at: record.key) == nil {
            changes.append(RecordChange(key: record.key, before: record.value, after: nil, revision: new.revision))
        }
        return changes
    }

    // MARK: A replaced etcd

    /// Loads the index from the new etcd, telling the user why, once however many find it.
    private func reloadAfterReplacement(_ reason: String) async throws {
        if let replacementReload { return try await replacementReload.value }
        onNotice("was replaced: \(reason); reloading the endpoint index")
        let task = Task(executorPreference: LoadExecutor.shared) { try await self.reload(progress: { _ in }) }
        replacementReload = task
        defer { replacementReload = nil }
        try await task.value
    }

    // MARK: Loading and watching

    private func reload(
        progress: @escaping @Sendable (Int) -> Void,
        observer: (any LoadObserver)? = nil
    ) async throws {
        cancelWatch()
        // Pages go straight into the new index: the whole data set is never held twice.
        var fresh = EndpointIndex(layout: layout)
        fresh.startLoading(deferringSecondaryIndexes: true)
        var loaded = 0
        /// Pages held for `observer` (see below), and their bytes.
        var heldPages: [RangePage] = []
        var heldBytes = 0
        var revision: Int64 = 0
        var cluster: UInt64 = 0
        let layout = layout
        for prefix in [layout.hostsPrefix, layout.profilesPrefix] {
            let isHosts = prefix == layout.hostsPrefix
            var first = isHosts
            // The profiles' keys read so far, in case their read starts over (the hosts' read starts
            // over with an empty index instead: nothing comes before it).
            var profileKeys: [String] = []
            revision = try await store.scan(
                prefix: prefix,
                revision: revision,
                pageSize: pageSize,
                keysOnly: keysOnly
            ) { page in
                if page.startsOver {
                    // The store read the range again from its start: drop what this range gave so far.
                    if isHosts {
                        fresh = EndpointIndex(layout: layout)
                        fresh.startLoading(deferringSecondaryIndexes: true)
                        loaded = 0
                        first = true
                    } else {
                        for key in profileKeys { fresh.delete(key) }
                        loaded -= profileKeys.count
                        profileKeys.removeAll()
                    }
                }
                if first { fresh.reserve(Int(page.remaining)) }
                first = false
                cluster = page.clusterID
                loaded += page.count
                if isHosts, let observer {
                    // The observer lays out a page's rows before the index takes the page in, and
                    // while it makes its answer the pages wait, up to `heldPageBytes`, until the
                    // answer is drawn (below): putting them took the CPU that etcd needs to read
                    // the next page and drawing needs after the last (2 cores here).
                    if page.startsOver { heldPages.removeAll() }
                    heldPages.append(page)
                    heldBytes += page.byteCount
                    if !observer.sawHostsPage(page) || (page.more && heldBytes > Self.heldPageBytes) {
                        Self.put(&heldPages, into: &fresh)
                        heldBytes = 0
                    }
                } else {
                    if !isHosts { profileKeys += page.keys }
                    fresh.put(page)
                    if !isHosts { observer?.sawProfilesPage(page) }
                }
                progress(loaded)
            }
        }
        // The profiles went in before the held hosts pages: the index takes keys in any order.
        if let observer, !heldPages.isEmpty {
            await observer.answerMade()
            Self.put(&heldPages, into: &fresh)
        }
        // A keys-only load serves one-shot summaries, which never look an ID up: skip the sort.
        fresh.finishLoading(sort: !keysOnly)
        fresh.revision = revision
        loads += 1
        if !subscribers.isEmpty { broadcast(Self.differences(from: index, to: fresh)) }
        index = fresh
        state.loaded(revision: revision, clusterID: cluster)
        publish()
        startWatch(from: revision + 1)
        resumeReachedWaiters()
    }

    /// How many bytes of pages a load holds for its observer at most: all of them at 100,000
    /// endpoints (24 MB; 13 ms less for the first `--detailed` than putting each page as it came),
    /// and at 1,000,000 no more than this above the index's own peak.
    static let heldPageBytes = 32 << 20

    /// Puts `pages` in `index`, letting each go once it is in: the index grows as they shrink.
    private static func put(_ pages: inout [RangePage], into index: inout EndpointIndex) {
        pages.reverse()
        while let page = pages.popLast() { index.put(page) }
    }

    private func cancelWatch() {
        watchTask?.cancel()
        subscription?.cancel()
        watchTask = nil
        subscription = nil
    }

    private func startWatch(from revision: Int64) {
        cancelWatch()
        watchGeneration += 1
        let generation = watchGeneration
        state.watchStarted(from: revision)
        let subscription = store.watch(prefix: layout.prefix + "/", startRevision: revision)
        self.subscription = subscription
        watchTask = Task { [weak self] in
            do {
                for try await batch in subscription.batches {
                    guard let self else { return }
                    await self.apply(batch, generation: generation)
                }
            } catch {
                await self?.watchFailed(error, generation: generation)
            }
        }
    }

    private func apply(_ batch: WatchBatch, generation: Int) {
        guard generation == watchGeneration else { return }
        switch state.apply(batch) {
        case .replaced(let reason):
            // Not from this watch's task: the reload cancels the watch that runs it.
            if replacementReload == nil { Task { try? await self.reloadAfterReplacement(reason) } }
            return
        case .ignore:
            break
        case .applyProgress:
            index.apply(batch)
        case .applyEvents:
            if subscribers.isEmpty {
                index.apply(batch)
            } else {
                broadcast(index.applyReportingChanges(batch))
            }
            publish()
        }
        resumeReachedWaiters()
    }

    private func watchFailed(_ error: any Error, generation: Int) {
        // A watch cancelled on purpose (stop, reload, a newer watch) is not a failure.
        guard !Task.isCancelled, !stopped, generation == watchGeneration else { return }
        _ = state.watchFailed(error as? EtcdError ?? .watchEnded(String(describing: error)))
        subscription = nil
        watchTask = nil
        // Recovery runs in a task of its own: this one is the failed watch's and is ending.
        Task { await self.recover() }
    }

    /// After a broken watch: resume from the last revision applied + 1 after a short pause (the
    /// gRPC channel reconnects, to another member if there are several). After a compaction the
    /// history the watch needs is gone, and only a full reload is correct.
    private func recover() async {
        // etcd answered the compacted watch, so a reload can start at once; a break needs a pause.
        var delay = state.recovery == .reload ? Duration.zero : .milliseconds(200)
        while !stopped && subscription == nil {
            try? await Task.sleep(for: delay)
            guard !stopped, subscription == nil else { return }
            switch state.recovery {
            case .resume(let revision):
                startWatch(from: revision)
                return
            case .reload:
                do {
                    try await reload(progress: { _ in })
                    return
                } catch {
                    if let error = error as? EtcdError { state.recoveryFailed(error) }
                    delay = min(max(delay * 2, .milliseconds(200)), .seconds(2))
                }
            }
        }
    }

    // MARK: Waiting for a goal

    private struct Waiter {
        var goal: WatchState.Goal
        var continuation: CheckedContinuation<Void, any Error>
        var deadline: Task<Void, Never>
    }

    /// Returns once the index has reached `goal`; throws when `timeout` passes first (with why the
    /// watch last failed, if it did) or when the calling task is cancelled.
    private func wait(for goal: WatchState.Goal, timeout: Duration) async throws {
        if state.reached(goal) { return }
        nextWaiter += 1
        let id = nextWaiter
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                let deadline = Task { [weak self] in
                    guard (try? await Task.sleep(for: timeout)) != nil else { return }
                    await self?.expire(id)
                }
                waiters[id] = Waiter(goal: goal, continuation: continuation, deadline: deadline)
            }
        } onCancel: {
            Task { await self.resume(id, with: .failure(CancellationError())) }
        }
    }

    private func resumeReachedWaiters() {
        for (id, waiter) in waiters where state.reached(waiter.goal) { resume(id, with: .success(())) }
    }

    private func expire(_ id: Int) {
        guard let waiter = waiters[id] else { return }
        let error =
            state.lastError
            ?? EtcdError.timeout(
                operation: "the watch (index at revision \(state.appliedRevision), cluster at \(waiter.goal.revision))"
            )
        resume(id, with: .failure(error))
    }

    /// Resumes waiter `id`, if it is still waiting: each is resumed exactly once.
    private func resume(_ id: Int, with result: Result<Void, any Error>) {
        guard let waiter = waiters.removeValue(forKey: id) else { return }
        waiter.deadline.cancel()
        waiter.continuation.resume(with: result)
    }
}
