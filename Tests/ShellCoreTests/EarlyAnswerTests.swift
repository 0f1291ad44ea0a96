import ShellDevTools
import ShellTesting
import Synchronization
import XCTest

@testable import ShellCore

/// A fresh read runs its body while etcd answers the revision read, and keeps that early answer
/// only when the index was fresh and did not change meanwhile (`IndexSynchronizer.withIndex`): a
/// write made before the read is always in its answer.
final class EarlyAnswerTests: XCTestCase {
    let layout = KeyLayout()
    let value = SampleData.endpointValue(name: "cali0", mac: nil, profiles: [], ipv4: ["10.0.0.1/32"])

    private func key(_ host: String) -> String {
        EndpointKey(host: host, orchestrator: "k8s", workload: "w", endpoint: "eth0").path(in: layout)
    }

    /// A synchronizer over `store` holding one endpoint, quiet for longer than an early answer needs.
    private func quietSynchronizer(_ store: InMemoryStore) async throws -> IndexSynchronizer {
        _ = try await store.commit(Transaction(operations: [.put(key: key("one"), value: value)]))
        let synchronizer = IndexSynchronizer(store: store, layout: layout)
        try await synchronizer.start()
        try await Task.sleep(for: IndexSynchronizer.quietBeforeEarlyAnswers + .milliseconds(50))
        return synchronizer
    }

    /// Reads the hosts of every endpoint, fresh, counting how many times the body ran.
    private func freshHosts(_ synchronizer: IndexSynchronizer, runs: RunCount) async throws -> [String] {
        try await synchronizer.withIndex(fresh: true, needsSecondaryIndexes: false) { index in
            runs.add()
            return index.records(matching: EndpointFilter()).map(\.key.host)
        }
    }

    func testAFreshQuietIndexAnswersOnce() async throws {
        let store = InMemoryStore()
        let synchronizer = try await quietSynchronizer(store)
        let runs = RunCount()
        let hosts = try await freshHosts(synchronizer, runs: runs)
        XCTAssertEqual(hosts, ["one"])
        XCTAssertEqual(runs.count, 1)
        await synchronizer.stop()
    }

    /// The watch holds the write back, as a slow network would: the early answer (without it) is
    /// dropped, and the read answers again once the watch has brought the write.
    func testAWriteBeforeTheReadIsInItsAnswer() async throws {
        let store = InMemoryStore()
        let synchronizer = try await quietSynchronizer(store)
        await store.holdEvents()
        _ = try await store.commit(Transaction(operations: [.put(key: key("two"), value: value)]))
        let release = Task {
            try? await Task.sleep(for: .milliseconds(100))
            await store.releaseEvents()
        }
        let runs = RunCount()
        let hosts = try await freshHosts(synchronizer, runs: runs)
        await release.value
        XCTAssertEqual(hosts, ["one", "two"])
        XCTAssertEqual(runs.count, 2, "the early answer ran and was dropped")
        await synchronizer.stop()
    }

    /// While changes arrive, nothing runs early: a large answer is not made twice under churn.
    func testNothingRunsEarlyRightAfterAChange() async throws {
        let store = InMemoryStore()
        let synchronizer = try await quietSynchronizer(store)
        _ = try await store.commit(Transaction(operations: [.put(key: key("two"), value: value)]))
        while await synchronizer.currentIndex().count < 2 { try await Task.sleep(for: .milliseconds(1)) }
        let runs = RunCount()
        let hosts = try await freshHosts(synchronizer, runs: runs)
        XCTAssertEqual(hosts, ["one", "two"])
        XCTAssertEqual(runs.count, 1)
        await synchronizer.stop()
    }
}

/// How many times a body ran.
private final class RunCount: Sendable {
    private let value = Mutex(0)
    func add() { value.withLock { $0 += 1 } }
    var count: Int { value.withLock { $0 } }
}
