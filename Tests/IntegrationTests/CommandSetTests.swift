import Foundation
import ShellDevTools
import ShellTesting
import XCTest

@testable import ShellCore

/// The `calicoctl endpoint` commands through the real binary against a real etcd holding the
/// reference page's data.
final class CommandSetTests: XCTestCase {
    var etcd: EtcdProcess!
    var client: GRPCEtcdClient!
    let layout = KeyLayout()
    let endpointID = "d79123c4784511e5bd1a080027f532f6"
    let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ShellCoreTests/Golden")

    override func setUp() async throws {
        etcd = try EtcdProcess()
        client = try await etcd.client()
        try await BulkLoader.load(SampleData.reference(layout: layout), into: client)
    }

    override func tearDown() async throws {
        await client?.shutdown()
        etcd?.stop()
    }

    private func shell(_ commands: String...) throws -> ShellBinary.Result {
        try ShellBinary.run(["--endpoints", etcd.url] + commands.flatMap { ["-c", $0] })
    }

    private func goldenText(_ name: String) throws -> String {
        try String(contentsOf: golden.appendingPathComponent(name), encoding: .utf8)
    }

    /// Every key, value and mod_revision under the prefix.
    private func snapshot() async throws -> [KeyValue] {
        try await client.rangeAll(prefix: "/calico/").pairs
    }

    /// Shared with the v2 tests (`V2DatastoreTests`): see `DatastoreScenarios`.
    func testEveryExampleOfTheReferencePage() throws {
        try DatastoreScenarios.referencePageExamples(shell: ["--endpoints", etcd.url])
        let help = try shell("endpoint --help")
        XCTAssertTrue(help.output.contains("Examples:\n    Show all endpoints belonging to 'host1':"))
    }

    func testFailedCommandsWriteNothing() async throws {
        // A second endpoint with the same ID on another host makes ID-only lookups ambiguous.
        let duplicate = EndpointKey(
            host: "other",
            orchestrator: "docker",
            workload: "w",
            endpoint: "d50c35bc784511e5bd1a080027f532f6"
        )
        _ = try await client.put(
            duplicate.path(in: layout),
            SampleData.endpointValue(name: "x", mac: nil, profiles: [], ipv4: [])
        )
        let before = try await snapshot()
        let cases: [(String, String)] = [
            ("endpoint nosuch profile append WEB", "-c:1: Endpoint nosuch is unknown to Calico.\n"),
            (
                "endpoint d50c35bc784511e5bd1a080027f532f6 profile append WEB",
                "-c:1: More than 1 endpoint matches the provided criteria. "
                    + "Please provide additional parameters to refine the "
                    + "search. It matches --host=calico --orchestrator=docker "
                    + "--workload=26d5636108f8e46b0b9d663522c26f05e52acecf11bb10104dfbd9047ad502b6; "
                    + "--host=other --orchestrator=docker --workload=w.\n"
            ),
            ("endpoint \(endpointID) profile append WEB MISSING", "-c:1: Profile with name MISSING was not found.\n"),
            (
                "endpoint \(endpointID) profile set WEB bad/name",
                "-c:1: Invalid profile name 'bad/name': names may contain only letters, digits, '_', '.' and '-'.\n"
            ),
            ("endpoint \(endpointID) profile append WEB WEB", "-c:1: Profile WEB is given more than once.\n"),
            (
                "endpoint \(endpointID) profile append WEB --host=..",
                "-c:1: Invalid hostname '..': it must be non-empty, contain no '/' and not be '.' or '..'.\n"
            ),
            (
                "endpoint \(endpointID) profile set WEB --host=nosuchhost",
                "-c:1: Endpoint \(endpointID) is unknown to Calico.\n"
            ),
        ]
        for (command, message) in cases {
            let result = try shell(command, "echo not reached")
            XCTAssertEqual(result.status, 1, command)
            XCTAssertEqual(result.errors, message, command)
            XCTAssertEqual(result.output, "", command)
        }
        // Already in the desired state: said so, nothing written, success.
        let same = try shell(
            "endpoint d50c35bc784511e5bd1a080027f532f6 profile append PROF --host=calico",
            "endpoint \(endpointID) profile remove WEB"
        )
        XCTAssertEqual(same.status, 0)
        XCTAssertEqual(
            same.output,
            "Profile PROF is already in endpoint profile list\nProfile WEB is not in endpoint profile list.\n"
        )
        let after = try await snapshot()
        XCTAssertEqual(after, before)

        // Narrowing with a filter resolves the ambiguity.
        let narrowed = try shell("endpoint d50c35bc784511e5bd1a080027f532f6 profile show --host=other")
        XCTAssertEqual(narrowed.output, "Endpoint has no profiles associated with it.\n")
        XCTAssertEqual(try shell("endpoint \(endpointID) profile set").output, "Profile(s) cleared.\n")
    }

    func testConcurrentWritersLoseNothing() async throws {
        let profiles = (0..<20).map { "P\($0)" }
        try await BulkLoader.load(profiles.flatMap { SampleData.profilePairs($0, layout: layout) }, into: client)
        let path = EndpointKey(
            host: "calico",
            orchestrator: "docker",
            workload: "0d01b3f020fcadfd0090fcbbbbef9658acb26f71c1cb812827afafc625c5ae1a",
            endpoint: endpointID
        ).path(in: layout)
        let url = etcd.url
        let id = endpointID
        let writer = try await etcd.client()
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Four shells, each appending five profiles one at a time.
            for shell in 0..<4 {
                group.addTask {
                    let commands = (0..<5).flatMap { ["-c", "endpoint \(id) profile append P\(shell * 5 + $0)"] }
                    let result = try ShellBinary.run(["--endpoints", url] + commands)
                    XCTAssertEqual(result.status, 0, result.errors)
                }
            }
            // An outside writer changing another field with its own compare-and-swap.
            group.addTask {
                for n in 0..<10 {
                    while true {
                        let fetched = try await writer.get(path)
                        let current = try XCTUnwrap(fetched)
                        var object = try XCTUnwrap(
                            try JSONSerialization.jsonObject(with: Data(current.value)) as? [String: Any]
                        )
                        object["outside_counter"] = n
                        let value = Array(try JSONSerialization.data(withJSONObject: object))
                        let result = try await writer.commit(
                            Transaction(
                                compares: [.modRevision(key: path, equals: current.modRevision)],
                                operations: [.put(key: path, value: value)]
                            )
                        )
                        if result.succeeded { break }
                    }
                }
                await writer.shutdown()
            }
            try await group.waitForAll()
        }
        let fetched = try await client.get(path)
        let final = try XCTUnwrap(fetched)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(final.value)) as? [String: Any])
        XCTAssertEqual(Set(object["profile_ids"] as? [String] ?? []), Set(profiles))
        XCTAssertEqual(object["outside_counter"] as? Int, 9)
        XCTAssertEqual(object["mac"] as? String, "d6:43:59:f7:93:d3")
    }

    /// Every write committed before a command starts is seen by it, 50 times in a row, through one
    /// long-lived session (index + watch). Shared with the v2 tests.
    func testExternalWritesAreSeenByTheVeryNextCommand() async throws {
        let client = self.client!
        try await DatastoreScenarios.externalWritesAreSeenByTheNextCommand(configuration: try etcd.configuration()) {
            _ = try await client.put($0, $1)
        }
    }

    /// More changes than etcd v2 keeps in its history while a session idles (v2 reloads there; v3's
    /// watch carries on): the next commands are right. Shared with the v2 tests.
    func testIdleSessionAcrossManyEvents() async throws {
        let client = self.client!
        try await DatastoreScenarios.idleSessionAcrossManyEvents(configuration: try etcd.configuration()) {
            _ = try await client.put($0, $1)
        }
    }

    /// `--consistency s` and `set consistency s`: reads from the watched index give the same answers
    /// on a quiet etcd, an edit still lands, and a bad value is a bad argument.
    func testReadConsistencyFlagAndSetting() throws {
        let show = "endpoint d50c35bc784511e5bd1a080027f532f6 profile show"
        let expected = "+------+\n| Name |\n+------+\n| PROF |\n+------+\n"
        let flag = try ShellBinary.run(["--endpoints", etcd.url, "--consistency", "s", "-c", show])
        XCTAssertEqual(flag.status, 0, flag.errors)
        XCTAssertEqual(flag.output, expected)
        let setting = try shell("set consistency s", "endpoint \(endpointID) profile append PROF", show)
        XCTAssertEqual(setting.status, 0, setting.errors)
        XCTAssertEqual(setting.output, "Profile(s) PROF appended.\n" + expected)
        let bad = try ShellBinary.run(["--endpoints", etcd.url, "--consistency", "x", "-c", show])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.errors.contains("--consistency"), bad.errors)
    }
}
