import ShellDevTools
import XCTest

@testable import ShellCore

/// The pure parts of issue 13: address and MAC spellings, patterns, the secondary indexes kept by
/// puts and deletes (checked against a scan on seeded random changes), and watch lines.
final class AddressSpellingTests: XCTestCase {
    func testIPv4IPv6AndMappedSpellings() throws {
        XCTAssertEqual(try IPNetwork.parse("10.65.0.2").description, "10.65.0.2")
        XCTAssertEqual(try IPNetwork.parse("10.65.0.2/32").description, "10.65.0.2")
        XCTAssertEqual(try IPNetwork.parse("10.65.0.7/24").description, "10.65.0.0/24")
        XCTAssertEqual(try IPNetwork.parse("::ffff:10.65.0.2"), try IPNetwork.parse("10.65.0.2"))
        XCTAssertEqual(try IPNetwork.parse("::FFFF:a41:2"), try IPNetwork.parse("10.65.0.2"))
        XCTAssertEqual(try IPNetwork.parse("::ffff:10.65.0.0/120"), try IPNetwork.parse("10.65.0.0/24"))
        XCTAssertEqual(try IPNetwork.parse("FD00:0:0:0:0:0:0:1").description, "fd00::1")
        XCTAssertEqual(try IPNetwork.parse("fd00::1:0:0:2/64").description, "fd00::/64")
        XCTAssertEqual(try IPNetwork.parse("::").description, "::")
        XCTAssertEqual(try IPNetwork.parse("1:2:3:4:5:6:7:8").description, "1:2:3:4:5:6:7:8")
    }

    /// The byte-level IPv4 reader agrees with the general parser on every string it accepts, and
    /// accepts every plain IPv4 spelling the general parser does (seeded strings of digits, dots,
    /// slashes, leading zeros, large numbers and a few other characters).
    func testPlainIPv4ReaderAgreesWithTheParser() {
        let seed = UInt64.random(in: 0..<1_000_000)
        print("AddressSpellingTests seed \(seed)")
        var random = SeededGenerator(seed: seed)
        let pieces = [
            "1", "0", "00", "10", "255", "256", "999", "1000", "01", "7", ".", ".", ".", "/", "/3", "/32", "/33",
            "/0", "/08", ":", "a", " ", "", "192.168.1.1", "10.0.0.0/8",
        ]
        var accepted = 0
        for _ in 0..<20_000 {
            let text = (0..<Int.random(in: 1...9, using: &random)).map { _ in pieces.randomElement(using: &random)! }
                .joined()
            let general = try? IPNetwork.parseAnySpelling(text)
            if let fast = IPNetwork.plainIPv4(text) {
                accepted += 1
                XCTAssertEqual(fast, general, "\(text) (seed \(seed))")
            } else if !text.contains(":") {
                XCTAssertNil(general, "the byte reader refused \(text), which the parser takes (seed \(seed))")
            }
        }
        XCTAssertGreaterThan(accepted, 100, "the strings hardly ever were addresses (seed \(seed))")
    }

    func testRefusedSpellingsSayWhy() {
        let cases: [(String, IPNetwork.ParseError)] = [
            ("010.0.0.1", .leadingZero("010")), ("10.0.0.01", .leadingZero("01")), ("10.0.0", .ipv4Shape),
            ("10.0.0.256", .ipv4Part), ("10.0.0.1/33", .prefixLengthTooLong(maximum: 32)),
            ("fd00::/129", .prefixLengthTooLong(maximum: 128)), ("10.0.0.0/08", .prefixLengthLeadingZero),
            ("fd00:::1", .ipv6), ("1::2::3", .ipv6), ("host-1", .ipv4Shape), ("10.0.0.1/", .prefixLengthNotNumber),
        ]
        for (text, reason) in cases {
            XCTAssertThrowsError(try IPNetwork.parse(text), text) {
                XCTAssertEqual($0 as? IPNetwork.ParseError, reason, text)
            }
        }
        XCTAssertEqual(
            ShellError.invalidAddress("010.0.0.1", reason: .leadingZero("010")).description,
            "Invalid address '010.0.0.1': leading zeros are not allowed in IPv4 addresses ('010': octal or decimal?)."
        )
    }

    func testContainment() throws {
        let net = try IPNetwork.parse("10.0.0.0/8")
        XCTAssertTrue(net.contains(try IPNetwork.parse("10.1.2.3")))
        XCTAssertFalse(net.contains(try IPNetwork.parse("11.0.0.1")))
        XCTAssertFalse(try IPNetwork.parse("10.1.0.0/16").contains(net))
    }

    func testMACSpellings() {
        XCTAssertEqual(MACAddress("D6-43-59-F7-93-D3")?.normalized, "d6:43:59:f7:93:d3")
        XCTAssertTrue(MACAddress("d6:43:59:F7:93:D3")!.matches("D6-43-59-f7-93-d3"))
        XCTAssertNil(MACAddress("d6:43:59:f7:93"))
        XCTAssertNil(MACAddress("g6:43:59:f7:93:d3"))
    }

    func testPatterns() {
        XCTAssertTrue(NamePattern("node-*").matches("node-7"))
        XCTAssertTrue(NamePattern("node-?").matches("node-7"))
        XCTAssertTrue(NamePattern("node-[0-5]").matches("node-3"))
        XCTAssertFalse(NamePattern("node-[0-5]").matches("node-7"))
        XCTAssertTrue(NamePattern("node-7").matches("node-7"))
        XCTAssertFalse(NamePattern("node").matches("node-7"))
        XCTAssertEqual(NamePattern("d50c*").literalPrefix, "d50c")
    }
}

final class SecondaryIndexTests: XCTestCase {
    let layout = KeyLayout()

    private func pair(_ host: String, _ id: String, profiles: [String], nets: [String], revision: Int64) -> KeyValue {
        let key = EndpointKey(host: host, orchestrator: "k8s", workload: "w-\(id)", endpoint: id)
        let v4 = nets.filter { !$0.contains(":") }
        let v6 = nets.filter { $0.contains(":") }
        return KeyValue(
            key: key.path(in: layout),
            value: SampleData.endpointValue(name: "cali\(id)", mac: nil, profiles: profiles, ipv4: v4, ipv6: v6),
            modRevision: revision
        )
    }

    /// The index's answers for `--address` and `--profile` equal a scan's, after seeded random
    /// puts (new, changed; a profile named twice in some) and deletes, with IDs shared by two hosts
    /// and IDs whose first 8 bytes are the same (the index's searches compare those first). Some
    /// values spell a profile with a JSON escape, which the byte comparison of a retag leaves to
    /// the full decoder; some names are not ASCII.
    func testAnswersEqualAScanAfterRandomChanges() throws {
        let seed = UInt64.random(in: 0..<1_000_000)
        print("SecondaryIndexTests seed \(seed)")
        var random = SeededGenerator(seed: seed)
        var index = EndpointIndex(layout: layout)
        index.load([], revision: 1)
        let profiles = ["A", "B", "C", "D", "\u{DC}n\u{EF}"]
        let nets = ["10.0.0.1/32", "10.0.0.2/32", "10.0.1.0/24", "fd00::1/128", "fd00::/64", "10.0.0.0/8"]
        var live: [String: KeyValue] = [:]
        for step in 0..<800 {
            let host = ["h1", "h2"].randomElement(using: &random)!
            let number = Int.random(in: 0..<40, using: &random)
            let id = Bool.random(using: &random) ? "e\(number)" : "endpoint-\(number)"
            var carried = profiles.filter { _ in Bool.random(using: &random) }
            // A value may name a profile twice: the members must still follow it exactly.
            if let first = carried.first, Int.random(in: 0..<5, using: &random) == 0 { carried.append(first) }
            var value = pair(
                host,
                id,
                profiles: carried,
                nets: nets.filter { _ in Int.random(in: 0..<3, using: &random) == 0 },
                revision: Int64(step + 2)
            )
            if Int.random(in: 0..<6, using: &random) == 0 {
                let text = String(decoding: value.value, as: UTF8.self)
                value.value = Array(text.replacingOccurrences(of: #""A""#, with: #""\u0041""#).utf8)
            }
            if Int.random(in: 0..<4, using: &random) == 0 {
                index.delete(value.key)
                live[value.key] = nil
            } else {
                index.put(value)
                live[value.key] = value
            }
        }
        var fresh = EndpointIndex(layout: layout)
        fresh.load(Array(live.values), revision: 900)
        XCTAssertTrue(
            index.secondaryIndexesEqual(fresh),
            "the changed index's members differ from a load's (seed \(seed))"
        )
        let queries: [EndpointFilter] =
            profiles.map { EndpointFilter(profile: $0) } + [EndpointFilter(profile: "NONE")]
            + ["10.0.0.1", "10.0.1.5", "10.0.0.0/16", "fd00::1", "fd00::/16", "::ffff:10.0.0.2", "192.168.0.1"].map {
                EndpointFilter(address: try! IPNetwork.parse($0))
            }
        for filter in queries {
            let expected = live.values.filter { pair in
                guard case .endpoint = layout.classify(hostKey: pair.key),
                    let data = try? EndpointData.decode(pair.value)
                else { return false }
                return filter.matches(data)
            }
            .map(\.key).sorted()
            let found = index.records(matching: filter).map { $0.key.path(in: layout) }.sorted()
            XCTAssertEqual(found, expected, "\(filter) (seed \(seed))")
        }
    }

    /// Profiles compared as multisets: a second copy removed or added counts on its own.
    func testProfileChangesAreAMultisetDifference() {
        let (removed, added) = MultisetDifference.of(["A", "B", "A", "C"], ["B", "A", "D", "D"], same: ==)
        XCTAssertEqual(removed, ["A", "C"])
        XCTAssertEqual(added, ["D", "D"])
        XCTAssertTrue(MultisetDifference.of(["A", "B"], ["B", "A"], same: ==) == ([], []))
    }

    func testFastFieldReadingAgreesWithTheDecoder() {
        let values = [
            #"{"profile_ids":["A","B"],"ipv4_nets":["10.0.0.1/32"],"labels":{"x":"y,}"},"n":1.5}"#,
            #"{"profile_id":"OLD","ipv6_nets":["fd00::1/128"]}"#,
            #"{"profile_ids":["A"],"profile_ids":["B"]}"#,
            #"{"profile_ids":["A\u0042"]}"#,
            #"{"profile_ids":null,"ipv4_nets":null}"#,
        ]
        for text in values {
            let data = try! EndpointData.decode(Array(text.utf8))
            XCTAssertEqual(
                IndexedFields.read(Array(text.utf8)),
                IndexedFields(profiles: data.profiles, nets: data.ipv4Nets + data.ipv6Nets),
                text
            )
        }
        XCTAssertNil(IndexedFields.read(Array(#"{"profile_ids":[1]}"#.utf8)))
    }
}

final class WatchLineTests: XCTestCase {
    let key = EndpointKey(host: "h", orchestrator: "k8s", workload: "w", endpoint: "e")

    private func value(_ profiles: [String], _ nets: [String], state: String = "active") -> [UInt8] {
        SampleData.endpointValue(name: "cali", mac: nil, profiles: profiles, ipv4: nets, state: state)
    }

    func testEachKindOfChange() {
        let change = RecordChange(
            key: key,
            before: value(["A", "B"], ["10.0.0.1/32"]),
            after: value(["B", "C"], ["10.0.0.2/32"], state: "inactive"),
            revision: 9
        )
        let lines = WatchEndpoints.lines(for: change, filter: EndpointFilter())
        XCTAssertEqual(lines.map(\.what), [.profiles, .state, .addresses])
        let time = Date(timeIntervalSince1970: 0)
        XCTAssertEqual(
            lines.map { WatchEndpoints.render($0, at: time, format: .table) },
            [
                "1970-01-01T00:00:00Z profiles h/k8s/w/e +C -A\n",
                "1970-01-01T00:00:00Z state h/k8s/w/e active -> inactive\n",
                "1970-01-01T00:00:00Z addresses h/k8s/w/e +10.0.0.2/32 -10.0.0.1/32\n",
            ]
        )
        XCTAssertEqual(
            WatchEndpoints.render(lines[0], at: time, format: .json),
            #"{"time":"1970-01-01T00:00:00Z","revision":9,"change":"profiles","hostname":"h","orchestrator_id":"k8s","#
                + #""workload_id":"w","endpoint_id":"e","added":["C"],"removed":["A"]}"# + "\n"
        )
        // An endpoint that leaves the address it was watched by still shows.
        let leaving = WatchEndpoints.lines(
            for: change,
            filter: EndpointFilter(address: try! IPNetwork.parse("10.0.0.1"))
        )
        XCTAssertEqual(leaving.count, 3)
        XCTAssertEqual(
            WatchEndpoints.lines(for: change, filter: EndpointFilter(address: try! IPNetwork.parse("10.9.9.9"))),
            []
        )
    }
}
