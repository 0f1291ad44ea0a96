import Foundation
import XCTest

@testable import ShellCore

/// The index's freshness rules, one transition at a time (no etcd, no clock).
final class WatchStateTests: XCTestCase {
    let key = "/calico/v1/host/h/workload/k8s/w/endpoint/e"

    private func event(at revision: Int64, cluster: UInt64 = 1) -> WatchBatch {
        WatchBatch(
            events: [WatchEvent(kind: .put, pair: KeyValue(key: key, value: [], modRevision: revision))],
            revision: revision,
            clusterID: cluster
        )
    }

    private func progress(at revision: Int64, cluster: UInt64 = 1) -> WatchBatch {
        WatchBatch(events: [], revision: revision, clusterID: cluster)
    }

    private func creation(at revision: Int64, cluster: UInt64 = 1) -> WatchBatch {
        WatchBatch(events: [], revision: revision, isCreation: true, clusterID: cluster)
    }

    /// Loaded at 10, watching from 11.
    private func loaded() -> WatchState {
        var state = WatchState()
        state.loaded(revision: 10, clusterID: 1)
        state.watchStarted(from: 11)
        return state
    }

    func testAWatchFromTheFutureIsCurrentAtOnce() {
        var state = loaded()
        XCTAssertEqual(state.apply(creation(at: 10)), .ignore)
        XCTAssertTrue(state.isSynced)
        XCTAssertEqual(state.apply(progress(at: 15)), .applyProgress)
        XCTAssertEqual(state.appliedRevision, 15)
    }

    func testAResumedWatchCountsNoProgressUntilItsEventsCatchUp() {
        var state = loaded()
        // Created when the store was at 20: events 11…20 are still to come.
        XCTAssertEqual(state.apply(creation(at: 20)), .ignore)
        XCTAssertFalse(state.isSynced)
        XCTAssertEqual(state.apply(progress(at: 20)), .ignore)
        XCTAssertEqual(state.appliedRevision, 10, "a report of a watch catching up proves nothing")
        XCTAssertEqual(state.apply(event(at: 14)), .applyEvents)
        XCTAssertFalse(state.isSynced)
        XCTAssertEqual(state.apply(event(at: 20)), .applyEvents)
        XCTAssertTrue(state.isSynced)
        XCTAssertEqual(state.apply(progress(at: 21)), .applyProgress)
    }

    func testEventsBeforeTheCreationAnswerDoNotSyncTheWatch() {
        var state = loaded()
        XCTAssertEqual(state.apply(event(at: 12)), .applyEvents)
        XCTAssertFalse(state.isSynced)
    }

    /// etcd 3.4 may answer a progress request ahead of queued events: one report is confirmed by a
    /// second; an event at the revision proves it alone.
    func testAProgressReportIsConfirmedByASecondOne() {
        var state = loaded()
        _ = state.apply(creation(at: 10))
        let goal = state.goal(reaching: 12)
        XCTAssertFalse(state.reached(goal))
        _ = state.apply(progress(at: 12))
        XCTAssertTrue(state.reached(goal))
        let confirmation = try! XCTUnwrap(state.confirmation(of: goal))
        XCTAssertEqual(confirmation, WatchState.Goal(revision: 12, progressReports: 2))
        XCTAssertFalse(state.reached(confirmation))
        _ = state.apply(progress(at: 12))
        XCTAssertTrue(state.reached(confirmation))
    }

    func testAnEventAtTheRevisionNeedsNoConfirmation() {
        var state = loaded()
        _ = state.apply(creation(at: 10))
        let goal = state.goal(reaching: 12)
        _ = state.apply(event(at: 12))
        XCTAssertTrue(state.reached(goal))
        XCTAssertNil(state.confirmation(of: goal))
    }

    func testABrokenWatchResumesAfterTheLastRevisionApplied() {
        var state = loaded()
        _ = state.apply(creation(at: 10))
        _ = state.apply(event(at: 13))
        XCTAssertEqual(state.watchFailed(.watchEnded("connection reset")), .resume(from: 14))
        XCTAssertNil(state.watch)
        XCTAssertFalse(state.isSynced)
        XCTAssertEqual(state.lastError, .watchEnded("connection reset"))
    }

    func testACompactedWatchReloads() {
        var state = loaded()
        XCTAssertEqual(state.watchFailed(.compacted(revision: 30)), .reload)
        XCTAssertEqual(state.recovery, .reload)
        state.loaded(revision: 31, clusterID: 1)
        state.watchStarted(from: 32)
        XCTAssertEqual(state.apply(creation(at: 31)), .ignore)
        XCTAssertNil(state.lastError, "an answer of the new watch clears the failure")
        XCTAssertEqual(state.recovery, .resume(from: 32))
    }

    func testAnotherClusterOrAnEarlierRevisionIsAReplacedEtcd() {
        var state = loaded()
        _ = state.apply(creation(at: 10))
        XCTAssertEqual(state.apply(event(at: 12, cluster: 2)), .replaced(reason: "its cluster ID changed (1 → 2)"))
        XCTAssertEqual(state.appliedRevision, 10, "nothing of another history is applied")
        XCTAssertEqual(state.apply(progress(at: 3)), .replaced(reason: "its revision went back from 10 to 3"))
        XCTAssertEqual(
            state.replacement(seen: StorePosition(clusterID: 0, revision: 10)),
            nil,
            "a store without cluster IDs is judged by its revision only"
        )
    }

    /// etcd 3.4 may answer a progress request ahead of queued events: events that follow it at a
    /// lower revision are the same history. Judging them against the revision the report applied
    /// made a warm shell reload its whole index under churn at 1,000,000 endpoints ("its revision
    /// went back from 9961 to 9960"), reads then waiting seconds for the reload.
    func testEventsQueuedBehindAProgressReportAreNotAReplacedEtcd() {
        var state = loaded()
        _ = state.apply(creation(at: 10))
        XCTAssertEqual(state.apply(progress(at: 13)), .applyProgress)
        XCTAssertEqual(state.apply(event(at: 12)), .applyEvents)
        XCTAssertEqual(state.apply(event(at: 13)), .applyEvents)
        XCTAssertEqual(state.appliedRevision, 13)
        // Events never go back among themselves: one below an event already applied is another history.
        XCTAssertEqual(state.apply(event(at: 11)), .replaced(reason: "its revision went back from 13 to 11"))
    }

    /// Under churn, a read's answer can arrive after the watch applied changes committed after the
    /// read was served: its revision is judged against what was applied when it was asked.
    func testAReadAnsweredBeforeNewerEventsIsNotAReplacedEtcd() {
        var state = loaded()
        _ = state.apply(creation(at: 10))
        _ = state.apply(event(at: 14))
        XCTAssertNil(state.replacement(seen: StorePosition(clusterID: 1, revision: 12), appliedWhenAsked: 10))
        XCTAssertEqual(
            state.replacement(seen: StorePosition(clusterID: 1, revision: 9), appliedWhenAsked: 10),
            "its revision went back from 10 to 9"
        )
    }

    /// Random answers, checked against the rules stated plainly: the applied revision never goes
    /// back, a report counts only from a synced watch, and a goal is reached only when its revision
    /// is applied.
    func testRandomAnswersKeepTheInvariants() {
        // WATCHSTATE_SEED repeats a run.
        let chosen = ProcessInfo.processInfo.environment["WATCHSTATE_SEED"].flatMap { UInt64($0) }
        var random = SeededGenerator(seed: chosen ?? UInt64.random(in: 1...UInt64.max))
        let seed = random.seed
        print("WatchStateTests seed: \(seed)")
        for _ in 0..<200 {
            var state = loaded()
            var storeRevision: Int64 = 10
            var goals: [WatchState.Goal] = []
            for _ in 0..<50 {
                let applied = state.appliedRevision
                let reports = state.progressReports
                let synced = state.isSynced
                let batch: WatchBatch
                switch random.next() % 4 {
                case 0:
                    storeRevision += Int64(random.next() % 3)
                    batch = creation(at: storeRevision)
                case 1:
                    storeRevision += 1 + Int64(random.next() % 3)
                    batch = event(at: storeRevision)
                case 2:
                    batch = progress(at: storeRevision)
                default:
                    goals.append(state.goal(reaching: storeRevision))
                    continue
                }
                let decision = state.apply(batch)
                XCTAssertGreaterThanOrEqual(state.appliedRevision, applied, "seed \(seed)")
                if decision == .applyProgress { XCTAssertTrue(synced, "seed \(seed)") }
                if decision == .ignore { XCTAssertEqual(state.progressReports, reports, "seed \(seed)") }
                for goal in goals where state.reached(goal) {
                    XCTAssertGreaterThanOrEqual(state.appliedRevision, goal.revision, "seed \(seed)")
                }
            }
        }
    }
}
