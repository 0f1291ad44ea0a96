import ShellDevTools
import ShellTesting
import XCTest

@testable import ShellCore

/// A command waiting for the watch wakes when the answer it waits for arrives, not when a timer
/// fires, and a cancelled command stops waiting at once. The catch-up timeout is 30 s here, so a
/// wait that ended only at its deadline would show.
final class IndexWaitTests: XCTestCase {
    let layout = KeyLayout()
    let key = EndpointKey(host: "one", orchestrator: "k8s", workload: "w", endpoint: "eth0")
    let warmUp = EndpointKey(host: "two", orchestrator: "k8s", workload: "w", endpoint: "eth1")

    private func started(_ store: InMemoryStore) async throws -> IndexSynchronizer {
        let synchronizer = IndexSynchronizer(store: store, layout: layout, catchUpTimeout: .seconds(30))
        try await synchronizer.start()
        // An event through the watch, so that it has answered its creation and counts as current.
        try await write(store, key: warmUp)
        _ = try await synchronizer.freshIndex()
        return synchronizer
    }

    private func write(_ store: InMemoryStore, key: EndpointKey? = nil) async throws {
        let value = SampleData.endpointValue(name: "cali0", mac: nil, profiles: [], ipv4: [])
        let path = (key ?? self.key).path(in: layout)
        _ = try await store.commit(Transaction(operations: [.put(key: path, value: value)]))
    }

    func testAWaitEndsWhenTheEventArrives() async throws {
        let store = InMemoryStore()
        let synchronizer = try await started(store)
        await store.holdEvents()
        try await write(store)
        let clock = ContinuousClock()
        let start = clock.now
        let fresh = Task { try await synchronizer.freshIndex() }
        try await Task.sleep(for: .milliseconds(100))
        await store.releaseEvents()
        let index = try await fresh.value
        XCTAssertEqual(index.count, 2)
        XCTAssertLessThan(clock.now - start, .seconds(10))
        await synchronizer.stop()
    }

    func testACancelledWaitEndsAtOnce() async throws {
        let store = InMemoryStore()
        let synchronizer = try await started(store)
        await store.holdEvents()
        try await write(store)
        let clock = ContinuousClock()
        let start = clock.now
        let fresh = Task { try await synchronizer.freshIndex() }
        try await Task.sleep(for: .milliseconds(100))
        fresh.cancel()
        do {
            _ = try await fresh.value
            XCTFail("expected the cancelled wait to throw")
        } catch {
            XCTAssertTrue(error is CancellationError, "\(error)")
        }
        XCTAssertLessThan(clock.now - start, .seconds(10))
        await synchronizer.stop()
    }

    func testStoppingEndsAWait() async throws {
        let store = InMemoryStore()
        let synchronizer = try await started(store)
        await store.holdEvents()
        try await write(store)
        let fresh = Task { try await synchronizer.freshIndex() }
        try await Task.sleep(for: .milliseconds(100))
        await synchronizer.stop()
        do {
            _ = try await fresh.value
            XCTFail("expected the wait to end with the index")
        } catch let error as EtcdError {
            XCTAssertEqual(error, .watchEnded("the index was stopped"))
        }
    }
}
