import Foundation
import ShellDevTools
import XCTest

@testable import ShellCore

/// Edits and the index while other writers change etcd, or etcd itself is replaced: every decision
/// is made on data at least as new as the command, contention never makes an edit give up, and a
/// replaced etcd is noticed instead of served from memory.
final class EditUnderChangeTests: XCTestCase {
    var etcd: EtcdProcess!
    var client: GRPCEtcdClient!
    var folder: URL!
    let layout = KeyLayout()
    /// A reference-page endpoint with the profile PROF.
    let endpoint = "d50c35bc784511e5bd1a080027f532f6"

    override func setUp() async throws {
        etcd = try EtcdProcess()
        client = try await etcd.client()
        try await BulkLoader.load(SampleData.reference(layout: layout), into: client)
        folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "calico-shell-contention-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        await client?.shutdown()
        etcd?.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    private func profiles(of id: String) async throws -> [String] {
        let pairs = try await client.rangeAll(prefix: layout.hostsPrefix).pairs
        let pair = try XCTUnwrap(pairs.first { $0.key.hasSuffix("/endpoint/\(id)") })
        return try EndpointData.decode(pair.value).profiles
    }

    private func createProfiles(_ names: [String]) async throws {
        try await BulkLoader.load(names.map { ("\(layout.profilesPrefix)\($0)/rules", Array("{}".utf8)) }, into: client)
    }

    /// One script per name slice, each line appending one profile to `endpoint`.
    private func appendScripts(_ names: [String], shells: Int, tag: String) throws -> [String] {
        let share = names.count / shells
        return try (0..<shells).map { shell in
            let lines = names[(shell * share)..<(shell * share + share)].map {
                "endpoint \(endpoint) profile append \($0)\n"
            }
            let url = folder.appendingPathComponent("\(tag)-\(shell).calico")
            try lines.joined().write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
    }

    /// Four shells append 200 distinct profiles each to one endpoint at the same time: nobody gives
    /// up and nothing is lost. Shared with the v2 tests (`DatastoreScenarios.contendingAppends`).
    func testFourContendingScriptsAllFinishWithEveryProfile() async throws {
        try await DatastoreScenarios.contendingAppends(
            shell: ["--endpoints", etcd.url],
            store: client,
            shells: 4,
            perShell: 200,
            folder: folder
        )
    }

    /// `--atomic` scripts committing while plain scripts keep changing the same endpoint: the
    /// commits are replayed on fresh values until they land, and nothing is lost.
    func testAtomicScriptsCommitUnderSteadyContention() async throws {
        let names = (0..<400).map { "A\($0)" }
        try await createProfiles(names)
        let scripts = try appendScripts(names, shells: 4, tag: "mixed")
        let shells = try scripts.enumerated().map { number, script in
            try RunningShell(["--endpoints", etcd.url] + (number < 2 ? ["--atomic"] : []) + [script], seconds: 240)
        }
        let results = shells.map { $0.finish() }
        for (number, result) in results.enumerated() {
            XCTAssertEqual(result.status, 0, "shell \(number): \(result.errors)")
        }
        let final = try await profiles(of: endpoint)
        XCTAssertEqual(Set(final), Set(names + ["PROF"]))
    }

    /// A profile deleted just before the command is never appended, even while the index has not
    /// yet heard of the deletion.
    func testAProfileDeletedBeforeTheCommandIsNotFound() async throws {
        let names = (0..<100).map { "T\($0)" }
        try await createProfiles(names)
        let shell = try RunningShell(
            ["--endpoints", etcd.url, "--continue-on-error"],
            seconds: 120,
            mergingErrors: true
        )
        shell.send(Data("endpoint show\necho loaded\n".utf8))
        _ = shell.read(until: "loaded\n", from: { $0.readOutput() })
        for (number, name) in names.enumerated() {
            _ = try await client.commit(
                Transaction(operations: [.delete(key: "\(layout.profilesPrefix)\(name)/rules")])
            )
            shell.send(Data("endpoint \(endpoint) profile append \(name)\necho answered \(number)\n".utf8))
            let answer = shell.read(until: "answered \(number)\n", from: { $0.readOutput() })
            XCTAssertEqual(
                answer,
                "<stdin>:\(2 * number + 3): Profile with name \(name) was not found.\nanswered \(number)\n"
            )
        }
        let result = shell.finish()
        XCTAssertEqual(result.status, 1)
        let final = try await profiles(of: endpoint)
        XCTAssertEqual(final, ["PROF"])
    }

    /// An ID created on a second host just before the command makes it ambiguous: the edit is
    /// refused and neither endpoint changes.
    func testAnIDThatJustBecameAmbiguousIsRefused() async throws {
        let ids = (0..<30).map { String(format: "ambiguous%02d", $0) }
        let value = SampleData.endpointValue(
            name: "cali0",
            mac: "ee:ee:ee:ee:ee:ee",
            profiles: [],
            ipv4: ["10.0.0.1/32"]
        )
        let firsts = ids.map {
            (EndpointKey(host: "one", orchestrator: "k8s", workload: "w", endpoint: $0).path(in: layout), value)
        }
        try await BulkLoader.load(firsts, into: client)
        let shell = try RunningShell(
            ["--endpoints", etcd.url, "--continue-on-error"],
            seconds: 120,
            mergingErrors: true
        )
        shell.send(Data("endpoint show\necho loaded\n".utf8))
        _ = shell.read(until: "loaded\n", from: { $0.readOutput() })
        for (number, id) in ids.enumerated() {
            let second = EndpointKey(host: "two", orchestrator: "k8s", workload: "w", endpoint: id)
            _ = try await client.put(second.path(in: layout), value)
            shell.send(Data("endpoint \(id) profile append PROF\necho answered \(number)\n".utf8))
            let answer = shell.read(until: "answered \(number)\n", from: { $0.readOutput() })
            XCTAssertTrue(answer.hasPrefix("<stdin>:\(2 * number + 3): More than 1 endpoint matches"), answer)
        }
        _ = shell.finish()
        let pairs = try await client.rangeAll(prefix: layout.hostsPrefix).pairs
        XCTAssertEqual(pairs.filter { $0.key.contains("ambiguous") && $0.value != value }.map(\.key), [])
    }

    /// etcd replaced under a live shell (killed, data wiped, started again at the same URL): the
    /// shell says so once and answers from the new data, exactly as a fresh shell does.
    func testAReplacedEtcdIsReloaded() async throws {
        // Move the old etcd's revision well past anything the new one will reach.
        for n in 0..<30 { _ = try await client.put("/elsewhere/\(n)", [1]) }
        let shell = try RunningShell(["--endpoints", etcd.url, "--dial-timeout", "10"], seconds: 120)
        // The first command answers from the load's pages as they come; the second waits for the
        // whole index, so that etcd is replaced under a shell that holds one.
        shell.send(Data("endpoint show --detailed\nendpoint show\necho end-of-answer\n".utf8))
        let before = shell.read(until: "end-of-answer\n", from: { $0.readOutput() })
        XCTAssertTrue(before.contains(endpoint), before)
        await client.shutdown()

        etcd.kill()
        try FileManager.default.removeItem(at: etcd.dataDirectory.appendingPathComponent("data"))
        try etcd.restart()
        client = try await etcd.client()
        let newcomer = EndpointKey(host: "newhost", orchestrator: "k8s", workload: "pod-1", endpoint: "eth0new")
        _ = try await client.put(
            newcomer.path(in: layout),
            SampleData.endpointValue(name: "cali1", mac: "aa:bb:cc:dd:ee:ff", profiles: ["NEW"], ipv4: ["10.1.0.1/32"])
        )

        shell.send(Data("endpoint show --detailed\necho end-of-answer\n".utf8))
        let after = shell.read(until: "end-of-answer\n", from: { $0.readOutput() })
        let fresh = try ShellBinary.run(["--endpoints", etcd.url, "-c", "endpoint show --detailed"])
        XCTAssertEqual(fresh.status, 0, fresh.errors)
        XCTAssertTrue(fresh.output.contains("eth0new"), fresh.output)
        XCTAssertEqual(after, fresh.output + "end-of-answer\n")
        let result = shell.finish()
        XCTAssertEqual(result.status, 0, result.errors)
        let notices = result.errors.split(separator: "\n").filter { $0.contains("reloading the endpoint index") }
        XCTAssertEqual(notices.count, 1, result.errors)
    }
}
