import ShellDevTools
import XCTest

@testable import ShellCore

/// The index's storage (`EndpointSlots`, `ByteArena`): endpoints in reused slots, their bytes
/// appended to an arena that is compacted once garbage outweighs them. Whatever the history of
/// changes, the index must answer exactly as a fresh load of the endpoints that are left.
final class EndpointStorageTests: XCTestCase {
    let layout = KeyLayout()

    /// Seeded random adds, value changes (values of a few KiB, so that the arena's garbage passes
    /// its compaction threshold several times) and deletes, then every answer compared with a
    /// load of what is left: records (keys, values, revisions), summary counters, ID listings,
    /// scans by host and workload, and the secondary indexes.
    func testAnyHistoryAnswersAsAFreshLoad() throws {
        let seed = UInt64.random(in: 0..<1_000_000)
        print("EndpointStorageTests seed \(seed)")
        var random = SeededGenerator(seed: seed)
        var index = EndpointIndex(layout: layout)
        index.load([], revision: 1)
        var live: [String: KeyValue] = [:]
        var written = 0
        for step in 0..<4_000 {
            let key = EndpointKey(
                host: "host-\(Int.random(in: 0..<3, using: &random))",
                orchestrator: ["k8s", "docker"].randomElement(using: &random)!,
                workload: "w\(Int.random(in: 0..<12, using: &random))",
                endpoint: "endpoint-\(Int.random(in: 0..<12, using: &random))"
            )
            let path = key.path(in: layout)
            if Int.random(in: 0..<5, using: &random) == 0 {
                index.delete(path)
                live[path] = nil
                continue
            }
            let padding = String(repeating: "x", count: Int.random(in: 6_000..<12_000, using: &random))
            let value = SampleData.endpointValue(
                name: padding,
                mac: nil,
                profiles: ["p\(step % 3)"],
                ipv4: ["10.0.\(step % 250).\(step % 7)/32"]
            )
            let pair = KeyValue(key: path, value: value, modRevision: Int64(step + 2))
            index.put(pair)
            live[path] = pair
            written += value.count
        }
        XCTAssertGreaterThan(written, 3 * 8 << 20, "the history must pass the compaction threshold (seed \(seed))")
        let bytes = index.arenaBytes
        XCTAssertLessThanOrEqual(bytes.garbage, max(bytes.live, 8 << 20), "garbage was not compacted (seed \(seed))")

        var fresh = EndpointIndex(layout: layout)
        fresh.load(live.values.sorted { KeyText.less($0.key, $1.key) }, revision: 5_000)
        XCTAssertEqual(index.allRecords, fresh.allRecords, "seed \(seed)")
        XCTAssertEqual(index.count, live.count, "seed \(seed)")
        XCTAssertEqual(
            index.summary(matching: EndpointFilter()),
            fresh.summary(matching: EndpointFilter()),
            "seed \(seed)"
        )
        XCTAssertEqual(index.endpointIDs(withPrefix: "endpoint-1"), fresh.endpointIDs(withPrefix: "endpoint-1"))
        XCTAssertEqual(index.workloadIDs(host: "host-1"), fresh.workloadIDs(host: "host-1"), "seed \(seed)")
        for filter in [
            EndpointFilter(host: "host-2"), EndpointFilter(workload: "w1?"), EndpointFilter(endpoint: "endpoint-7*"),
        ] {
            XCTAssertEqual(index.records(matching: filter), fresh.records(matching: filter), "\(filter), seed \(seed)")
        }
        XCTAssertTrue(index.secondaryIndexesEqual(fresh), "seed \(seed)")
    }

    /// A workload's count follows its endpoints: the summary counts a workload while any endpoint
    /// of it is left, on each host separately.
    func testWorkloadCountsFollowTheirEndpoints() {
        var index = EndpointIndex(layout: layout)
        index.load([], revision: 1)
        func put(_ host: String, _ workload: String, _ endpoint: String) {
            let key = EndpointKey(host: host, orchestrator: "k8s", workload: workload, endpoint: endpoint)
            index.put(KeyValue(key: key.path(in: layout), value: Array("{}".utf8), modRevision: 2))
        }
        func delete(_ host: String, _ workload: String, _ endpoint: String) {
            index.delete(
                EndpointKey(host: host, orchestrator: "k8s", workload: workload, endpoint: endpoint).path(in: layout)
            )
        }
        func counts() -> [String] {
            index.summary(matching: EndpointFilter()).map { "\($0.host) \($0.workloads) \($0.endpoints)" }
        }
        put("a", "w1", "e1")
        put("a", "w1", "e2")
        put("a", "w2", "e3")
        put("b", "w1", "e4")
        XCTAssertEqual(counts(), ["a 2 3", "b 1 1"])
        delete("a", "w1", "e1")
        XCTAssertEqual(counts(), ["a 2 2", "b 1 1"])
        delete("a", "w1", "e2")
        XCTAssertEqual(counts(), ["a 1 1", "b 1 1"])
        delete("b", "w1", "e4")
        XCTAssertEqual(counts(), ["a 1 1"])
        // A group that came back after it went.
        put("b", "w9", "e5")
        XCTAssertEqual(counts(), ["a 1 1", "b 1 1"])
        XCTAssertEqual(index.workloadIDs(host: "b"), ["w9"])
    }
}
