import ShellDevTools
import ShellTesting
import XCTest

@testable import ShellCore

/// The snapshot the interactive shell completes from is renewed at most every
/// `IndexSynchronizer.publishInterval` (each renewal makes the next change copy what it touches),
/// and always once after the last change, so TAB sees a burst of changes soon after it ends.
final class SnapshotPublishingTests: XCTestCase {
    let layout = KeyLayout()

    func testABurstOfChangesReachesTheSnapshotAfterItEnds() async throws {
        let store = InMemoryStore()
        let synchronizer = IndexSynchronizer(store: store, layout: layout)
        try await synchronizer.start()
        await synchronizer.publishSnapshots()
        XCTAssertEqual(synchronizer.snapshot?.count, 0)
        let value = SampleData.endpointValue(name: "cali0", mac: nil, profiles: [], ipv4: ["10.0.0.1/32"])
        for n in 0..<40 {
            let key = EndpointKey(host: "h", orchestrator: "k8s", workload: "w", endpoint: "e\(n)")
            _ = try await store.commit(Transaction(operations: [.put(key: key.path(in: layout), value: value)]))
        }
        // The watch applies the burst, then the trailing renewal publishes its end.
        let deadline = ContinuousClock.now + .seconds(5)
        while synchronizer.snapshot?.count != 40, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTAssertEqual(synchronizer.snapshot?.count, 40)
        XCTAssertEqual(
            synchronizer.snapshot?.endpointIDs(withPrefix: "e3"),
            ["e3", "e30", "e31", "e32", "e33", "e34", "e35", "e36", "e37", "e38", "e39"]
        )
    }
}
