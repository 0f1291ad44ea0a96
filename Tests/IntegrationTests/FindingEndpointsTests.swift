import Foundation
import ShellDevTools
import XCTest

@testable import ShellCore

/// Issue 13 through the real binary against a real etcd: every filter, patterns, `--wide`, and
/// `endpoint watch` (an address change while watched, limits, JSON, a member killed mid-watch).
final class FindingEndpointsTests: XCTestCase {
    var etcd: EtcdProcess!
    var client: GRPCEtcdClient!
    let layout = KeyLayout()
    let web = EndpointKey(host: "node-1", orchestrator: "k8s", workload: "web-1", endpoint: "aaaa0001")
    let db = EndpointKey(host: "node-2", orchestrator: "k8s", workload: "db-1", endpoint: "aaaa0002")

    private func webValue(ipv4: String = "10.1.0.5/32", profiles: [String] = ["WEB", "DEBUG"]) -> [UInt8] {
        SampleData.endpointValue(
            name: "caliweb1",
            mac: "AA:BB:CC:00:00:01",
            profiles: profiles,
            ipv4: [ipv4],
            ipv6: ["fd00:1::5/128"],
            state: "inactive"
        )
    }

    override func setUp() async throws {
        etcd = try EtcdProcess()
        client = try await etcd.client()
        let extra: [(key: String, value: [UInt8])] = [
            (web.path(in: layout), webValue()),
            (
                db.path(in: layout),
                SampleData.endpointValue(
                    name: "calidb1",
                    mac: "aa:bb:cc:00:00:02",
                    profiles: ["DB"],
                    ipv4: ["10.1.1.0/24"]
                )
            ),
        ]
        try await BulkLoader.load(
            SampleData.reference(layout: layout)
                + ["DEBUG", "DB", "UNUSED"].flatMap { SampleData.profilePairs($0, layout: layout) }
                + extra,
            into: client
        )
    }

    override func tearDown() async throws {
        await client?.shutdown()
        etcd?.stop()
    }

    private func shell(_ commands: String...) throws -> ShellBinary.Result {
        try ShellBinary.run(["--endpoints", etcd.url] + commands.flatMap { ["-c", $0] })
    }

    /// The endpoint IDs of a `--detailed` table (the fourth column), in order.
    private func ids(_ command: String) throws -> [String] {
        let result = try shell(command)
        XCTAssertEqual(result.status, 0, "\(command): \(result.errors)")
        XCTAssertEqual(result.errors, "", command)
        return result.output.split(separator: "\n").dropFirst(3).dropLast()
            .map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
            .filter { $0.count > 3 && !$0[3].isEmpty }.map { $0[3] }
    }

    func testAddressFiltersInEverySpelling() throws {
        let show = "endpoint show --detailed"
        XCTAssertEqual(try ids("\(show) --address=10.1.0.5"), ["aaaa0001"])
        XCTAssertEqual(try ids("\(show) --address=::ffff:10.1.0.5"), ["aaaa0001"])
        XCTAssertEqual(try ids("\(show) --address=FD00:1:0:0::5"), ["aaaa0001"])
        XCTAssertEqual(try ids("\(show) --address=fd00:1::/64"), ["aaaa0001"])
        // An address inside a stored network finds it; a network finds the networks inside it.
        XCTAssertEqual(try ids("\(show) --address=10.1.1.77"), ["aaaa0002"])
        XCTAssertEqual(try ids("\(show) --address 10.1.0.0/16"), ["aaaa0001", "aaaa0002"])
        XCTAssertEqual(try ids("\(show) --address=192.168.1.0/24").count, 4)
        XCTAssertEqual(try ids("\(show) --address=10.9.9.9"), [])
        let refused = try shell("\(show) --address=010.1.0.5")
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(
            refused.errors,
            "-c:1: Invalid address '010.1.0.5': leading zeros are not allowed in IPv4 addresses "
                + "('010': octal or decimal?).\n"
        )
        XCTAssertEqual(refused.output, "")
    }

    func testProfileStateMacAndInterfaceFilters() throws {
        let show = "endpoint show --detailed"
        XCTAssertEqual(try ids("\(show) --profile=UNUSED"), [])  // a profile on no endpoint
        XCTAssertEqual(try ids("\(show) --profile=WEB"), ["aaaa0001"])
        XCTAssertEqual(try ids("\(show) --profile=DEBUG"), ["aaaa0001"])
        XCTAssertEqual(try ids("\(show) --profile=PROF").count, 3)
        XCTAssertEqual(try ids("\(show) --profile=NOSUCH"), [])
        XCTAssertEqual(try ids("\(show) --state=inactive"), ["aaaa0001"])
        XCTAssertEqual(try ids("\(show) --mac=aa-bb-cc-00-00-01"), ["aaaa0001"])
        XCTAssertEqual(try ids("\(show) --mac=AA:BB:CC:00:00:02"), ["aaaa0002"])
        XCTAssertEqual(try ids("\(show) --interface=cali*1"), ["aaaa0001", "aaaa0002"])
        // Filters AND together, also in the summary.
        XCTAssertEqual(try ids("\(show) --host=node-* --profile=DB --state=active"), ["aaaa0002"])
        XCTAssertEqual(try ids("\(show) --host=node-* --profile=DB --state=inactive"), [])
        let summary = try shell("endpoint show --profile=PROF")
        XCTAssertEqual(summary.status, 0, summary.errors)
        XCTAssertTrue(
            summary.output.contains("|  calico  |      docker     |          3          |          3          |")
        )
        let state = try shell("endpoint show --state=paused")
        XCTAssertEqual(state.errors, "-c:1: Invalid state 'paused': expected active or inactive.\n")
        XCTAssertEqual(try shell("endpoint show --mac=aa:bb").status, 1)
    }

    func testPatternsInNameFiltersAndTheEndpointID() throws {
        let show = "endpoint show --detailed"
        XCTAssertEqual(try ids("\(show) --host=node-?"), ["aaaa0001", "aaaa0002"])
        XCTAssertEqual(try ids("\(show) --workload='web-*'"), ["aaaa0001"])
        XCTAssertEqual(try ids("\(show) --endpoint='aaaa000[2-9]'"), ["aaaa0002"])
        XCTAssertEqual(try ids("\(show) --orchestrator='k[0-9]s'"), ["aaaa0001", "aaaa0002"])
        XCTAssertEqual(try ids("\(show) --host='zz*'"), [])  // a pattern that matches nothing
        let summary = try shell("endpoint show --host=node-*")
        XCTAssertEqual(summary.output.split(separator: "\n").count, 6, summary.output)
        // A value without a pattern character still matches exactly.
        XCTAssertEqual(try ids("\(show) --host=node"), [])
        // Profile commands keep "exactly one endpoint": a pattern naming several is ambiguous.
        let several = try shell("endpoint 'aaaa000*' profile show")
        XCTAssertEqual(several.status, 1)
        XCTAssertTrue(several.errors.contains("More than 1 endpoint matches the provided criteria."), several.errors)
        XCTAssertTrue(several.errors.contains("--host=node-1 --orchestrator=k8s --workload=web-1"), several.errors)
        let one = try shell("endpoint 'aaaa000*' profile show --profile=DB")
        XCTAssertEqual(one.output, "+------+\n| Name |\n+------+\n|  DB  |\n+------+\n", one.errors)
        let byAddress = try shell("endpoint 'aaaa*' profile append PROF --address=10.1.0.5")
        XCTAssertEqual(byAddress.status, 0, byAddress.errors)
        XCTAssertEqual(try ids("\(show) --profile=PROF --host=node-1"), ["aaaa0001"])
    }

    func testWideAddsTheInterfaceColumnOnly() throws {
        let plain = try shell("endpoint show --detailed --host=node-1")
        let wide = try shell("endpoint show --detailed --wide --host=node-1")
        XCTAssertEqual(wide.status, 0, wide.errors)
        let plainLines = plain.output.split(separator: "\n")
        let wideLines = wide.output.split(separator: "\n")
        XCTAssertEqual(plainLines.count, wideLines.count)
        XCTAssertTrue(wideLines[1].hasSuffix("| Interface |"), String(wideLines[1]))
        XCTAssertEqual(wideLines[3].split(separator: "|").last?.trimmingCharacters(in: .whitespaces), "caliweb1")
        // Every other column is as without --wide.
        for (a, b) in zip(plainLines, wideLines) { XCTAssertTrue(b.hasPrefix(a.dropLast()), String(b)) }
        let json = try ShellBinary.run([
            "--endpoints", etcd.url, "-o", "json", "-c", "endpoint show --detailed --host=node-1",
        ])
        XCTAssertTrue(json.output.contains(#""interface":"caliweb1""#), json.output)
    }

    func testFiltersComplete() throws {
        let result = try shell(
            "complete endpoint show --profile=D",
            "complete endpoint show --address=10.1",
            "complete endpoint show --host=node-*",
            "complete endpoint watch --sta",
            "complete endpoint show --state "
        )
        XCTAssertEqual(
            result.output,
            "--profile=DB\n--profile=DEBUG\n--address=10.1.0.5\n--address=10.1.1.0/24\n"
                + "--host=node-1\n--host=node-2\n--state=\nactive\ninactive\n"
        )
    }

    // MARK: watch

    /// Starts `endpoint watch …` after a first command has loaded the index; returns once it runs.
    private func startWatch(_ arguments: [String], urls: String? = nil) throws -> RunningShell {
        let shell = try RunningShell(
            ["--endpoints", urls ?? etcd.url] + arguments.flatMap { ["-c", $0] },
            seconds: 90
        )
        _ = shell.read(until: "ready\n", from: { $0.readOutput() })
        // The watch subscribes right after `ready` (one freshness read): give it that moment.
        Thread.sleep(forTimeInterval: 0.5)
        return shell
    }

    func testWatchFollowsAnAddressChangeAndEndsOnCount() async throws {
        let shell = try startWatch(["endpoint show", "echo ready", "endpoint watch --address=10.1.0.5 --count 3"])
        _ = try await client.put(web.path(in: layout), webValue(ipv4: "10.1.0.6/32"))  // leaves the address
        _ = try await client.put(db.path(in: layout), Array(#"{"profile_ids":["X"]}"#.utf8))  // not watched
        _ = try await client.put(web.path(in: layout), webValue(ipv4: "10.1.0.5/32", profiles: ["WEB"]))  // back
        let result = shell.finish()
        XCTAssertEqual(result.status, 0, result.errors)
        let lines = result.output.split(separator: "\n").map {
            $0.split(separator: " ").dropFirst().joined(separator: " ")
        }
        XCTAssertEqual(
            lines,
            [
                "addresses node-1/k8s/web-1/aaaa0001 +10.1.0.6/32 -10.1.0.5/32",
                "profiles node-1/k8s/web-1/aaaa0001 -DEBUG",
                "addresses node-1/k8s/web-1/aaaa0001 +10.1.0.5/32 -10.1.0.6/32",
            ]
        )
    }

    func testWatchEndsOnTimeoutAndPrintsJSON() async throws {
        let start = Date()
        let quiet = try shell("endpoint watch --timeout 0.5 --host=node-1")
        XCTAssertEqual(quiet.status, 0, quiet.errors)
        XCTAssertEqual(quiet.output, "")
        XCTAssertLessThan(Date().timeIntervalSince(start), 20)

        let shell = try startWatch(["endpoint show", "echo ready", "set output json", "endpoint watch --count 2"])
        _ = try await client.commit(Transaction(operations: [.delete(key: db.path(in: layout))]))
        _ = try await client.put(db.path(in: layout), Array(#"{"profile_ids":["DB"],"state":"active"}"#.utf8))
        let result = shell.finish()
        XCTAssertEqual(result.status, 0, result.errors)
        let objects = try result.output.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        XCTAssertEqual(objects.map { $0["change"] as? String }, ["removed", "added"])
        XCTAssertEqual(objects.map { $0["endpoint_id"] as? String }, ["aaaa0002", "aaaa0002"])
        XCTAssertEqual(objects[1]["profiles"] as? [String], ["DB"])
    }
}

/// `endpoint watch` on a cluster whose member dies: every change exactly once, in order.
final class WatchFailoverTests: XCTestCase {
    let layout = KeyLayout()

    func testMemberKilledDuringAWatch() async throws {
        let cluster = try EtcdCluster(size: 3)
        defer { cluster.stop() }
        let client = try GRPCEtcdClient(configuration: try cluster.configuration())
        var ready = false
        for _ in 0..<100 where !ready {
            ready = (try? await client.currentRevision()) != nil
            if !ready { try await Task.sleep(for: .milliseconds(200)) }
        }
        try await BulkLoader.load(SampleData.reference(layout: layout), into: client)
        let key = EndpointKey(host: "calico", orchestrator: "docker", workload: "w", endpoint: "failover")
        let changes = 30
        let shell = try RunningShell(
            [
                "--endpoints", cluster.urls, "-o", "json", "-c", "endpoint show", "-c", "echo ready", "-c",
                "endpoint watch --endpoint=failover --count \(changes)",
            ],
            seconds: 90
        )
        _ = shell.read(until: "ready\n", from: { $0.readOutput() })
        try await Task.sleep(for: .milliseconds(500))
        var revisions: [Int] = []
        for n in 0..<changes {
            if n == changes / 2 { cluster.members[0].kill() }
            var written: Int64?
            while written == nil {
                written = try? await client.put(
                    key.path(in: layout),
                    SampleData.endpointValue(name: "x", mac: nil, profiles: ["P\(n)"], ipv4: [])
                )
                if written == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            revisions.append(Int(written!))
        }
        let result = shell.finish()
        XCTAssertEqual(result.status, 0, result.errors)
        let seen = try result.output.split(separator: "\n").map {
            try XCTUnwrap((JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["revision"] as? Int)
        }
        XCTAssertEqual(seen, revisions)
        await client.shutdown()
    }
}
