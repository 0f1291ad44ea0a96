import Foundation
import ShellDevTools
import XCTest

@testable import ShellCore

/// Data that is legal in etcd but odd: keys that differ only in bytes (invalid UTF-8, NFC vs NFD),
/// values that cannot be read, JSON with a repeated field, stored profile names that today's rules
/// would refuse. Written and read back through etcd's JSON gateway (base64 keys), so the bytes
/// checked are etcd's own and not calico-shell's idea of them.
final class OddDataTests: XCTestCase {
    var etcd: EtcdProcess!
    let layout = KeyLayout()
    static let nfc: [UInt8] = Array("caf".utf8) + [0xC3, 0xA9]  // "café", precomposed
    static let nfd: [UInt8] = Array("cafe".utf8) + [0xCC, 0x81]  // "café", e + combining acute
    static let invalid: [UInt8] = Array("bad".utf8) + [0xFF] + Array("host".utf8)

    override func setUp() async throws {
        etcd = try EtcdProcess()
        let client = try await etcd.client()
        await client.shutdown()
    }

    override func tearDown() async throws {
        etcd?.stop()
    }

    private func key(host: [UInt8], endpoint: String) -> [UInt8] {
        Array("/calico/v1/host/".utf8) + host + Array("/workload/k8s/pod/endpoint/\(endpoint)".utf8)
    }

    private func value(profiles: [String]) -> [UInt8] {
        SampleData.endpointValue(name: "cali0", mac: "ee:ee:ee:ee:ee:ee", profiles: profiles, ipv4: ["10.0.0.1/32"])
    }

    /// Runs the gateway helper: `put KEYHEX VALUEHEX` or `range PREFIXHEX` (prints `KEYHEX VALUEHEX` lines).
    @discardableResult
    private func gateway(_ arguments: [String]) throws -> String {
        let program = """
            import base64, json, sys, urllib.request
            url, op = sys.argv[1], sys.argv[2]
            b64 = lambda b: base64.b64encode(b).decode()
            def call(path, body):
                request = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST")
                return json.load(urllib.request.urlopen(request, timeout=10))
            if op == "put":
                call("/v3/kv/put", {"key": b64(bytes.fromhex(sys.argv[3])), "value": b64(bytes.fromhex(sys.argv[4]))})
            else:
                prefix = bytes.fromhex(sys.argv[3])
                end = prefix[:-1] + bytes([prefix[-1] + 1])
                for kv in call("/v3/kv/range", {"key": b64(prefix), "range_end": b64(end)}).get("kvs", []):
                    print(base64.b64decode(kv["key"]).hex(), base64.b64decode(kv.get("value", "")).hex())
            """
        let output = try ClosingPipe()
        let process = try ChildProcess(
            "/usr/bin/python3",
            ["-c", program, etcd.url] + arguments,
            stdout: output.writeEnd,
            stderr: output.writeEnd
        )
        close(output.writeEnd)
        let text = String(decoding: ClosingPipe.readAll(output.readEnd), as: UTF8.self)
        close(output.readEnd)
        guard process.wait(seconds: 30) == 0 else {
            throw NSError(domain: "gateway", code: 1, userInfo: [NSLocalizedDescriptionKey: text])
        }
        return text
    }

    private func put(_ key: [UInt8], _ value: [UInt8]) throws {
        try gateway(["put", Self.hex(key), Self.hex(value)])
    }

    /// Every key under the hosts prefix with its value, as etcd holds them.
    private func stored() throws -> [[UInt8]: [UInt8]] {
        var result: [[UInt8]: [UInt8]] = [:]
        for line in try gateway(["range", Self.hex(Array("/calico/v1/host/".utf8))]).split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: false)
            result[Self.bytes(fromHex: parts[0])] = Self.bytes(fromHex: parts.count > 1 ? parts[1] : "")
        }
        return result
    }

    private static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    private static func bytes(fromHex hex: Substring) -> [UInt8] {
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            result.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return result
    }

    private func profiles(at key: [UInt8]) throws -> [String] {
        try EndpointData.decode(try XCTUnwrap(try stored()[key])).profiles
    }

    private func run(_ commands: String...) throws -> ShellBinary.Result {
        try ShellBinary.run(["--endpoints", etcd.url] + commands.flatMap { ["-c", $0] })
    }

    func testKeysThatDifferOnlyInBytesStayApartAndEditsReachTheExactKey() throws {
        try put(key(host: Self.nfc, endpoint: "e1"), value(profiles: []))
        try put(key(host: Self.nfd, endpoint: "e2"), value(profiles: []))
        try put(key(host: Self.nfc, endpoint: "same"), value(profiles: []))
        try put(key(host: Self.nfd, endpoint: "same"), value(profiles: []))
        try put(key(host: Self.invalid, endpoint: "e3"), value(profiles: []))
        try put(Array("/calico/v1/policy/profile/PROF/rules".utf8), Array("{}".utf8))

        let summary = try run("endpoint show")
        XCTAssertEqual(summary.status, 0, summary.errors)
        let rows = summary.output.split(separator: "\n").filter { $0.hasPrefix("|") }.dropFirst()
        XCTAssertEqual(rows.count, 3, summary.output)
        XCTAssertEqual(rows.filter { $0.contains("café") }.count, 2, summary.output)
        XCTAssertTrue(
            rows.contains { $0.contains(#"bad\xffhost"#) && $0.contains("|          1          |") },
            summary.output
        )

        let edit = try run("endpoint e3 profile append PROF")
        XCTAssertEqual(edit.status, 0, edit.errors)
        XCTAssertEqual(edit.output, "Profile(s) PROF appended.\n")
        XCTAssertEqual(try profiles(at: key(host: Self.invalid, endpoint: "e3")), ["PROF"])

        let ambiguous = try run("endpoint same profile append PROF")
        XCTAssertEqual(ambiguous.status, 1)
        XCTAssertTrue(ambiguous.errors.contains("More than 1 endpoint matches"), ambiguous.errors)

        let nfcHost = String(decoding: Self.nfc, as: UTF8.self)
        let narrowed = try run("endpoint same profile append PROF --host=\(nfcHost)")
        XCTAssertEqual(narrowed.status, 0, narrowed.errors)
        XCTAssertEqual(try profiles(at: key(host: Self.nfc, endpoint: "same")), ["PROF"])
        XCTAssertEqual(try profiles(at: key(host: Self.nfd, endpoint: "same")), [])
        XCTAssertEqual(try profiles(at: key(host: Self.nfd, endpoint: "e2")), [])
    }

    /// The summary and the detailed table count the same endpoints: every key of the endpoint
    /// shape, readable or not; an unreadable value is a row with empty cells and a warning.
    func testSummaryAndDetailedAgreeOnUnreadableValues() throws {
        let host = Array("node".utf8)
        try put(key(host: host, endpoint: "good"), value(profiles: []))
        try put(key(host: host, endpoint: "broken"), Array("{not json".utf8))
        let summary = try run("endpoint show")
        XCTAssertEqual(summary.status, 0, summary.errors)
        XCTAssertTrue(
            summary.output.contains("|   node   |       k8s       |          1          |          2          |"),
            summary.output
        )
        let detailed = try run("endpoint show --detailed")
        XCTAssertEqual(detailed.status, 0, detailed.errors)
        let rows = detailed.output.split(separator: "\n").filter { $0.hasPrefix("|") }.dropFirst()
        XCTAssertEqual(rows.count, 2, detailed.output)
        XCTAssertTrue(rows.contains { $0.contains("broken") }, detailed.output)
        XCTAssertEqual(
            detailed.errors,
            "warning: /calico/v1/host/node/workload/k8s/pod/endpoint/broken: not valid JSON\n"
        )
    }

    /// A piped shell's first `endpoint show --detailed` answers from the load's pages as they come
    /// (`DetailedTableFromPages`), or gives up and answers from the index; either way it prints
    /// what the same command prints from the index: the same table and the same warnings. Pages of
    /// 2 keys at first: the answer is made from several of etcd's own Range answers.
    func testAFirstDetailedAnswerIsTheIndexsAnswer() throws {
        let node = Array("node".utf8)
        try put(key(host: node, endpoint: "good"), value(profiles: ["b", "a"]))
        try put(key(host: node, endpoint: "broken"), Array("{not json".utf8))
        try put(key(host: node, endpoint: "text"), Array(#"{"name":"café","profile_ids":["日本"]}"#.utf8))
        try put(Array("/calico/v1/host/node/workload/k8s/pod/odd".utf8), Array("x".utf8))
        try put(Array("/calico/v1/host/node/bird_ip".utf8), Array("10.0.0.1".utf8))
        for host in ["node-0", "node-2", "node-3"] {
            try put(key(host: Array(host.utf8), endpoint: "e"), value(profiles: [host]))
        }
        func assertBothAnswersAlike(_ context: String, line: UInt = #line) throws {
            // Each command once from the pages (first in its run) and once from the index (second).
            let run = { (first: String, second: String) in
                try ShellBinary.run(["--endpoints", self.etcd.url, "--page-size", "2", "-c", first, "-c", second])
            }
            let both = try run("endpoint show --detailed", "endpoint show --detailed --wide")
            let again = try run("endpoint show --detailed --wide", "endpoint show --detailed")
            XCTAssertEqual(both.status, 0, both.errors, line: line)
            XCTAssertEqual(Self.tables(both.output).count, 2, both.output, line: line)
            XCTAssertEqual(Self.tables(both.output), Self.tables(again.output).reversed(), context, line: line)
            XCTAssertEqual(both.errors, again.errors, context, line: line)
            XCTAssertTrue(both.errors.contains("broken: not valid JSON"), both.errors, line: line)
            XCTAssertTrue(both.errors.contains("pod/odd: not an endpoint key"), both.errors, line: line)
        }
        try assertBothAnswersAlike("keys in the tables' order")
        // etcd's order puts `node-2-a/…` before `node-2/…`: the pages' answer is given up.
        try put(key(host: Array("node-2-a".utf8), endpoint: "e"), value(profiles: []))
        try assertBothAnswersAlike("a host name continuing with a byte below '/'")
        try put(key(host: Self.nfc, endpoint: "e"), value(profiles: []))
        try assertBothAnswersAlike("a key that is not ASCII")
    }

    /// A piped shell's first bulk `--dry-run` plans from the load's pages (`PlanFromPages`), or
    /// gives up and plans from the index; either way its plan, or its error, is the one the same
    /// command gives from the index (run second). Pages of 2 keys.
    func testAFirstDryRunIsTheIndexsPlan() throws {
        let node = Array("node".utf8)
        try put(key(host: node, endpoint: "broken"), Array("{not json".utf8))
        try put(Array("/calico/v1/host/node/workload/k8s/pod/odd".utf8), Array("x".utf8))
        try put(Array("/calico/v1/policy/profile/WEB/rules".utf8), Array("{}".utf8))
        for host in ["node-0", "node-2", "node-3"] {
            try put(key(host: Array(host.utf8), endpoint: "e"), value(profiles: [host]))
        }
        func assertBothPlansAlike(_ context: String, line: UInt = #line) throws {
            for command in [
                "endpoint '*' profile append WEB --host=node-* --dry-run",
                "endpoint '*' profile remove node-2 --dry-run",  // meets the broken value
                "endpoint '*' profile append NOPE --host=node-* --dry-run",
                "endpoint 'x*' profile set WEB --dry-run",
            ] {
                // The same command twice: from the pages (first in its run), then from the index.
                let run = try ShellBinary.run([
                    "--endpoints", etcd.url, "--page-size", "2", "--continue-on-error", "-c", command, "-c", command,
                ])
                let halves = run.output.count / 2
                XCTAssertEqual(
                    String(run.output.prefix(halves)),
                    String(run.output.suffix(halves)),
                    "\(command): \(context)",
                    line: line
                )
                let errors = run.errors.split(separator: "\n").map { $0.drop { $0 != " " } }
                XCTAssertEqual(errors.count % 2, 0, run.errors, line: line)
                XCTAssertEqual(errors.prefix(errors.count / 2), errors.suffix(errors.count / 2), run.errors, line: line)
                if command.contains("WEB --host") {
                    XCTAssertTrue(run.output.hasPrefix("node-0/k8s/pod/e\n  node-0\n+ WEB\n"), run.output, line: line)
                } else {
                    XCTAssertEqual(run.status, 1, "\(command): \(run.output)", line: line)
                    XCTAssertEqual(errors.count, 2, run.errors, line: line)
                }
            }
        }
        try assertBothPlansAlike("keys in the tables' order")
        // etcd's order puts `node-2-a/…` before `node-2/…`: the pages' plan is given up.
        try put(key(host: Array("node-2-a".utf8), endpoint: "e"), value(profiles: []))
        try assertBothPlansAlike("a host name continuing with a byte below '/'")
    }

    /// The tables in `output`: each is a rule, the headers, a rule, its rows and a closing rule.
    private static func tables(_ output: String) -> [String] {
        var tables: [String] = []
        var lines: [Substring] = []
        var rules = 0
        for line in output.split(separator: "\n") {
            lines.append(line)
            if line.hasPrefix("+") { rules += 1 }
            if rules == 3 {
                tables.append(lines.joined(separator: "\n"))
                lines = []
                rules = 0
            }
        }
        return tables
    }

    /// A field given twice in an endpoint's JSON: the last one counts, as for Calico's own readers.
    func testARepeatedJSONFieldTakesTheLastValue() throws {
        let text =
            #"{"state":"active","name":"cali0","mac":"ee:ee:ee:ee:ee:ee","ipv4_nets":["10.0.0.1/32"],"#
            + #""profile_ids":["FIRST"],"profile_ids":["LAST"]}"#
        let endpointKey = key(host: Array("node".utf8), endpoint: "twice")
        try put(endpointKey, Array(text.utf8))
        try put(Array("/calico/v1/policy/profile/NEXT/rules".utf8), Array("{}".utf8))
        let show = try run("endpoint twice profile show")
        XCTAssertEqual(show.status, 0, show.errors)
        XCTAssertEqual(show.output, "+------+\n| Name |\n+------+\n| LAST |\n+------+\n")
        let edit = try run("endpoint twice profile append NEXT")
        XCTAssertEqual(edit.status, 0, edit.errors)
        XCTAssertEqual(try profiles(at: endpointKey), ["LAST", "NEXT"])
    }

    /// A stored name that today's rules would refuse can be removed like any other.
    func testAStoredNameThatBreaksTheRulesCanBeRemoved() throws {
        let endpointKey = key(host: Array("node".utf8), endpoint: "legacy")
        try put(endpointKey, value(profiles: ["old name!", "KEEP"]))
        let result = try run("endpoint legacy profile remove 'old name!'")
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(result.output, "Profile(s) old name! removed.\n")
        XCTAssertEqual(try profiles(at: endpointKey), ["KEEP"])
        let refused = try run("endpoint legacy profile append 'new name!'")
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.errors.contains("Invalid profile name"), refused.errors)
    }
}
