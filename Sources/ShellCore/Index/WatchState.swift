/// How far the endpoint index has got in etcd's history, and what each answer of the watch means for
/// it: the freshness rules of `IndexSynchronizer` as a value with pure transitions (no I/O, no
/// clock), so that each rule can be tested on its own. The synchronizer does the I/O: it loads,
/// watches and applies what `apply(_:)` decides to the index.
///
/// The rules:
/// - A watch that starts after the store's revision is current from the start; one that starts in
///   the past (resumed after a break) is current once its events reach the revision it was created
///   at. Until then its progress reports say nothing about the index.
/// - etcd 3.4 answers a progress request with its own current revision, at once, and may send it
///   ahead of events still queued: a report proves a revision only once a second one has come back
///   after it (`confirmation(of:)`); an event at or past the revision proves it at once.
/// - A broken watch resumes from the last revision applied + 1; a compacted one cannot (the history
///   it needs is gone) and the index is loaded again.
/// - Another cluster ID, or a revision below the one applied, means etcd was replaced: reload. For
///   the watch's own answers the measure is the last event's revision, not the applied one: a
///   progress report may have raised that ahead of events still queued.
struct WatchState: Equatable, Sendable {
    /// The watch running now.
    struct Watch: Equatable, Sendable {
        /// The first revision it delivers.
        var start: Int64
        /// The store's revision when etcd created it; nil until the creation answer arrives.
        var creationRevision: Int64?
        /// Whether it has delivered every change up to `creationRevision`.
        var synced = false
    }

    /// What a command waits for: every change up to `revision` applied, proven by an event at or
    /// past it, or by `progressReports` reports in all from a current watch.
    struct Goal: Equatable, Sendable {
        var revision: Int64
        var progressReports: Int
    }

    /// What to do with one watch answer.
    enum Decision: Equatable, Sendable {
        /// Nothing: a creation answer, or a progress report of a watch still catching up.
        case ignore
        /// Apply its events to the index.
        case applyEvents
        /// A progress report of a current watch: the index has reached the batch's revision.
        case applyProgress
        /// The answer comes from another history: etcd was replaced, load the index again.
        case replaced(reason: String)
    }

    /// How to carry on after the watch broke.
    enum Recovery: Equatable, Sendable {
        case resume(from: Int64)
        case reload
    }

    /// The cluster the index was loaded from (0: not known yet, or a store without IDs).
    private(set) var clusterID: UInt64 = 0
    /// Every change up to here is in the index.
    private(set) var appliedRevision: Int64 = 0
    /// The newest revision events (or the load) brought the index to.
    private(set) var lastEventRevision: Int64 = 0
    /// How many progress reports of a current watch have arrived.
    private(set) var progressReports = 0
    /// Nil while no watch runs (not started yet, or broken).
    private(set) var watch: Watch?
    /// Why the last watch ended, until a watch answers again.
    private(set) var lastError: EtcdError?

    /// Whether the running watch has caught up, so that its progress reports count.
    var isSynced: Bool { watch?.synced ?? false }

    /// A full load at `revision` replaced the index.
    mutating func loaded(revision: Int64, clusterID: UInt64) {
        appliedRevision = revision
        lastEventRevision = revision
        self.clusterID = clusterID
        watch = nil
    }

    mutating func watchStarted(from revision: Int64) {
        watch = Watch(start: revision)
    }

    mutating func apply(_ batch: WatchBatch) -> Decision {
        lastError = nil
        let position = StorePosition(clusterID: batch.clusterID, revision: batch.revision)
        if let reason = replacement(seen: position, appliedWhenAsked: lastEventRevision) {
            return .replaced(reason: reason)
        }
        guard var watch else { return .ignore }
        defer { self.watch = watch }
        if batch.isCreation {
            watch.creationRevision = batch.revision
            watch.synced = batch.revision < watch.start
            return .ignore
        }
        if batch.events.isEmpty {
            guard watch.synced else { return .ignore }
            appliedRevision = max(appliedRevision, batch.revision)
            progressReports += 1
            return .applyProgress
        }
        appliedRevision = max(appliedRevision, batch.revision)
        lastEventRevision = max(lastEventRevision, batch.revision)
        if let creation = watch.creationRevision, batch.revision >= creation { watch.synced = true }
        return .applyEvents
    }

    /// The watch ended with `error` (not on purpose).
    mutating func watchFailed(_ error: EtcdError) -> Recovery {
        lastError = error
        watch = nil
        return recovery
    }

    var recovery: Recovery {
        if case .compacted? = lastError { return .reload }
        return .resume(from: appliedRevision + 1)
    }

    /// A recovery's reload failed too: remember why, for the commands that wait.
    mutating func recoveryFailed(_ error: EtcdError) {
        lastError = error
    }

    /// Why `position` (from any response header) cannot come from the history the index was loaded
    /// from, or nil if it can: in one history, the store's revision never goes below what the index
    /// had applied when the request was sent (`appliedWhenAsked`; for the watch's own answers, the
    /// last event's revision, as events come in order and a progress report may run ahead of them).
    ///
    /// Not with what the index has applied when the answer comes back: under churn the watch applies
    /// changes committed after the read was served while its answer is on the way, and a header
    /// revision below those is not a replaced etcd (that mistake reloaded the whole index per read).
    func replacement(seen position: StorePosition, appliedWhenAsked: Int64? = nil) -> String? {
        let applied = appliedWhenAsked.map { min($0, appliedRevision) } ?? appliedRevision
        if clusterID != 0, position.clusterID != 0, position.clusterID != clusterID {
            let old = String(clusterID, radix: 16)
            let new = String(position.clusterID, radix: 16)
            return "its cluster ID changed (\(old) → \(new))"
        }
        if position.revision < applied {
            return "its revision went back from \(applied) to \(position.revision)"
        }
        return nil
    }

    /// What to wait for to be at `revision`, with one progress report requested from now.
    func goal(reaching revision: Int64) -> Goal {
        Goal(revision: revision, progressReports: progressReports + 1)
    }

    func reached(_ goal: Goal) -> Bool {
        appliedRevision >= goal.revision
            && (progressReports >= goal.progressReports || lastEventRevision >= goal.revision)
    }

    /// A goal reached by a progress report alone may have been answered ahead of queued events:
    /// the goal of one more report, which etcd sends after those events; nil when events proved it.
    func confirmation(of goal: Goal) -> Goal? {
        guard reached(goal), progressReports >= goal.progressReports, lastEventRevision < goal.revision else {
            return nil
        }
        return Goal(revision: goal.revision, progressReports: progressReports + 1)
    }
}
