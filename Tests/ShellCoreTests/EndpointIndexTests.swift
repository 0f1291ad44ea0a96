import ShellDevTools
import XCTest

@testable import ShellCore

final class EndpointIndexTests: XCTestCase {
    let layout = KeyLayout()

    private func put(
        _ index: inout EndpointIndex,
        _ host: String,
        _ orchestrator: String,
        _ workload: String,
        _ endpoint: String,
        revision: Int64
    ) {
        let key = EndpointKey(host: host, orchestrator: orchestrator, workload: workload, endpoint: endpoint)
        index.apply(
            WatchBatch(
                events: [
                    WatchEvent(
                        kind: .put,
                        pair: KeyValue(key: key.path(in: layout), value: Array("{}".utf8), modRevision: revision)
                    )
                ],
                revision: revision
            )
        )
    }

    private func delete(
        _ index: inout EndpointIndex,
        _ host: String,
        _ orchestrator: String,
        _ workload: String,
        _ endpoint: String,
        revision: Int64
    ) {
        let key = EndpointKey(host: host, orchestrator: orchestrator, workload: workload, endpoint: endpoint)
        index.apply(
            WatchBatch(
                events: [
                    WatchEvent(
                        kind: .delete,
                        pair: KeyValue(key: key.path(in: layout), value: [], modRevision: revision)
                    )
                ],
                revision: revision
            )
        )
    }

    /// The incremental counters must always equal a recount from scratch.
    private func assertCountsMatchRecount(_ index: EndpointIndex, file: StaticString = #filePath, line: UInt = #line) {
        let records = index.records(matching: EndpointFilter())
        var expected: [String: (Set<String>, Int)] = [:]
        for record in records {
            let group = record.key.host + "|" + record.key.orchestrator
            expected[group, default: ([], 0)].0.insert(record.key.workload)
            expected[group, default: ([], 0)].1 += 1
        }
        let summary = index.summary(matching: EndpointFilter())
        XCTAssertEqual(summary.count, expected.count, file: file, line: line)
        for row in summary {
            let counts = expected[row.host + "|" + row.orchestrator]
            XCTAssertEqual(row.workloads, counts?.0.count, file: file, line: line)
            XCTAssertEqual(row.endpoints, counts?.1, file: file, line: line)
        }
    }

    func testCountsStayRightUnderPutsDeletesAndMoves() {
        var index = EndpointIndex(layout: layout)
        var revision: Int64 = 1
        var generator = SystemRandomNumberGenerator()
        var live: [(String, String, String, String)] = []
        for step in 0..<2_000 {
            revision += 1
            if live.isEmpty || Int.random(in: 0..<3, using: &generator) > 0 {
                let item = (
                    "h\(Int.random(in: 0..<5))", ["docker", "k8s"].randomElement()!, "w\(Int.random(in: 0..<20))",
                    "e\(step)"
                )
                put(&index, item.0, item.1, item.2, item.3, revision: revision)
                live.append(item)
            } else {
                let victim = live.remove(at: Int.random(in: 0..<live.count))
                delete(&index, victim.0, victim.1, victim.2, victim.3, revision: revision)
                if Bool.random() {
                    // A move: the same endpoint ID reappears under another host.
                    revision += 1
                    let moved = ("h\(Int.random(in: 0..<5))", victim.1, victim.2, victim.3)
                    put(&index, moved.0, moved.1, moved.2, moved.3, revision: revision)
                    live.append(moved)
                }
            }
        }
        XCTAssertEqual(index.count, live.count)
        XCTAssertEqual(index.revision, revision)
        assertCountsMatchRecount(index)
        XCTAssertEqual(index.endpointIDs(withPrefix: "e").count, live.count)
    }

    /// Completion's one walk: each ID once though it sits on several hosts, the count beyond the
    /// limit, IDs whose first 8 bytes agree (the searches compare those first).
    func testIDsWithAPrefixAreListedOnceAndCounted() {
        var index = EndpointIndex(layout: layout)
        index.load([], revision: 1)
        for (host, id) in [
            ("h1", "endpoint-1"), ("h2", "endpoint-1"), ("h3", "endpoint-1"), ("h1", "endpoint-10"),
            ("h2", "endpoint-2"), ("h1", "other"),
        ] {
            put(&index, host, "k8s", "w", id, revision: 2)
        }
        XCTAssertEqual(index.endpointIDs(withPrefix: "endpoint"), ["endpoint-1", "endpoint-10", "endpoint-2"])
        XCTAssertEqual(index.endpointIDCount(withPrefix: "endpoint"), 3)
        let first = index.endpointIDsAndCount(withPrefix: "endpoint-1", limit: 1)
        XCTAssertEqual(first.ids, ["endpoint-1"])
        XCTAssertEqual(first.total, 2)
        XCTAssertEqual(index.endpointIDsAndCount(withPrefix: "x", limit: 5).total, 0)
        XCTAssertEqual(index.endpointIDCount(withPrefix: ""), 4)
    }

    /// Prefix listings agree with a plain filter of the IDs, for prefixes within the records' 8-byte
    /// `idPrefix` and longer, ASCII and not, on IDs that share their first bytes. Seeded.
    func testIDPrefixListingsAgreeWithAFilter() {
        let seed = UInt64.random(in: 0..<1_000_000)
        print("EndpointIndexTests ID prefix seed \(seed)")
        var random = SeededGenerator(seed: seed)
        let alphabet = ["a", "b", "0", "-", "é", "ab", "abcdefgh"]
        func text(_ count: ClosedRange<Int>) -> String {
            (0..<Int.random(in: count, using: &random)).map { _ in alphabet.randomElement(using: &random)! }.joined()
        }
        var index = EndpointIndex(layout: layout)
        var ids = Set<String>()
        var pairs: [KeyValue] = []
        for n in 0..<300 {
            let id = text(1...5)
            ids.insert(id)
            let key = EndpointKey(host: "h\(n % 3)", orchestrator: "k8s", workload: "w\(n)", endpoint: id)
            pairs.append(KeyValue(key: key.path(in: layout), value: Array("{}".utf8), modRevision: 2))
        }
        index.load(pairs, revision: 2)
        for _ in 0..<300 {
            let prefix = text(0...4)
            let expected = ids.filter { KeyText.hasPrefix($0, prefix) }.sorted { KeyText.less($0, $1) }
            let listed = index.endpointIDsAndCount(withPrefix: prefix, limit: 5)
            XCTAssertEqual(listed.total, expected.count, "prefix \(prefix), seed \(seed)")
            XCTAssertEqual(listed.ids, Array(expected.prefix(5)), "prefix \(prefix), seed \(seed)")
        }
    }

    func testIDLookupAndPrefixSearch() {
        let index = Golden.referenceIndex()
        XCTAssertEqual(index.records(matching: EndpointFilter(endpoint: "d50c35bc784511e5bd1a080027f532f6")).count, 1)
        XCTAssertEqual(
            index.endpointIDs(withPrefix: "d"),
            [
                "d0bd03d8784511e5bd1a080027f532f6", "d2b58ef8784511e5bd1a080027f532f6",
                "d50c35bc784511e5bd1a080027f532f6", "d79123c4784511e5bd1a080027f532f6",
                "d9d6c3a0784511e5bd1a080027f532f6",
            ]
        )
        XCTAssertEqual(index.endpointIDs(withPrefix: "d5"), ["d50c35bc784511e5bd1a080027f532f6"])
        XCTAssertEqual(index.profileNames, ["PROF", "WEB"])
        XCTAssertEqual(index.hostNames, ["calico"])
    }

    func testProfilesExistWhileTheyHaveKeys() {
        var index = EndpointIndex(layout: layout)
        index.put(KeyValue(key: "/calico/v1/policy/profile/A/rules", value: [], modRevision: 2))
        index.put(KeyValue(key: "/calico/v1/policy/profile/A/rules", value: [], modRevision: 3))
        index.put(KeyValue(key: "/calico/v1/policy/profile/A/tags", value: [], modRevision: 4))
        index.delete("/calico/v1/policy/profile/A/rules")
        XCTAssertTrue(index.profileExists("A"))
        index.delete("/calico/v1/policy/profile/A/tags")
        XCTAssertFalse(index.profileExists("A"))
    }

    func testNonEndpointKeysAreIgnored() {
        var index = EndpointIndex(layout: layout)
        index.put(KeyValue(key: "/calico/v1/host/h/bird_ip", value: Array("10.0.0.1".utf8), modRevision: 2))
        index.put(KeyValue(key: "/calico/v1/host/h/config/marker", value: [], modRevision: 3))
        XCTAssertEqual(index.count, 0)
        XCTAssertEqual(index.malformedKeys, [])
    }
}

extension EndpointIndexTests {
    /// A load that skipped sorting answers every query the same, by scanning.
    func testUnsortedLoadAnswersTheSame() {
        let sorted = Golden.referenceIndex()
        var unsorted = EndpointIndex(layout: layout)
        unsorted.startLoading()
        for pair in SampleData.reference(layout: layout).reversed() {
            unsorted.put(KeyValue(key: pair.key, value: pair.value, modRevision: 2))
        }
        unsorted.finishLoading(sort: false)
        XCTAssertEqual(unsorted.summary(matching: EndpointFilter()), sorted.summary(matching: EndpointFilter()))
        XCTAssertEqual(
            unsorted.records(matching: EndpointFilter(endpoint: "d50c35bc784511e5bd1a080027f532f6")).map(\.key),
            sorted.records(matching: EndpointFilter(endpoint: "d50c35bc784511e5bd1a080027f532f6")).map(\.key)
        )
        XCTAssertEqual(unsorted.endpointIDs(withPrefix: "d"), sorted.endpointIDs(withPrefix: "d"))
        XCTAssertEqual(unsorted.endpointIDCount(withPrefix: "d"), 5)
        delete(
            &unsorted,
            "calico",
            "docker",
            "0d01b3f020fcadfd0090fcbbbbef9658acb26f71c1cb812827afafc625c5ae1a",
            "d79123c4784511e5bd1a080027f532f6",
            revision: 50
        )
        XCTAssertEqual(unsorted.count, 4)
        XCTAssertEqual(unsorted.summary(matching: EndpointFilter()).first?.endpoints, 4)
    }

    /// A whole-index listing comes in the tables' order (`EndpointKey <`) after a load, whose etcd key
    /// order differs where a name goes on with a byte below `/` (`a-b/...` before `a/...`), after a
    /// changed value (the load's table order is kept), and after an added and a removed record (it is
    /// dropped): every time equal to sorting the records. Seeded random names.
    func testWholeListingsAreInTheTablesOrder() {
        let seed = UInt64.random(in: 0..<1_000_000)
        print("EndpointIndexTests table order seed \(seed)")
        var random = SeededGenerator(seed: seed)
        let pieces = ["a", "a-b", "a.b", "a0", "b", "é", "z z", "node-1", "node-10", "-", "A"]
        func name() -> String {
            (0..<Int.random(in: 1...2, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
        }
        for _ in 0..<20 {
            var keys = Set<EndpointKey>()
            for _ in 0..<Int.random(in: 1...60, using: &random) {
                keys.insert(EndpointKey(host: name(), orchestrator: name(), workload: name(), endpoint: name()))
            }
            // As etcd answers a load: by the keys' bytes.
            let pairs = keys.map { KeyValue(key: $0.path(in: layout), value: Array("{}".utf8), modRevision: 2) }
                .sorted { KeyText.less($0.key, $1.key) }
            var index = EndpointIndex(layout: layout)
            index.load(pairs, revision: 2)
            func assertInTableOrder(_ step: String) {
                let listed = index.records(matching: EndpointFilter()).map(\.key)
                XCTAssertEqual(listed, listed.sorted(), "\(step), seed \(seed)")
                XCTAssertEqual(Set(listed).count, index.count, "\(step), seed \(seed)")
            }
            assertInTableOrder("after the load")
            let changed = keys.randomElement(using: &random)!
            index.put(KeyValue(key: changed.path(in: layout), value: Array("{\"x\":1}".utf8), modRevision: 3))
            assertInTableOrder("after a changed value")
            XCTAssertEqual(index.records(matching: EndpointFilter()).first { $0.key == changed }?.modRevision, 3)
            let added = EndpointKey(host: name(), orchestrator: name(), workload: name(), endpoint: "new")
            index.put(KeyValue(key: added.path(in: layout), value: Array("{}".utf8), modRevision: 4))
            assertInTableOrder("after an added record")
            index.delete(keys.randomElement(using: &random)!.path(in: layout))
            assertInTableOrder("after a removed record")
        }
    }
}
