import Foundation
import ShellDevTools
import XCTest

@testable import ShellCore

/// Issue 14, bulk edits (a pattern in the ID position) through the real binary against real etcd:
/// one transaction, chunks under a low `--max-txn-ops`, a stop midway and the re-run that finishes,
/// and concurrent writers.
final class BulkEditTests: XCTestCase {
    let layout = KeyLayout()
    /// The reference endpoints in key order (host, orchestrator, workload).
    var keys: [EndpointKey] {
        SampleData.referenceEndpoints.map {
            EndpointKey(host: "calico", orchestrator: "docker", workload: $0.workload, endpoint: $0.endpoint)
        }
        .sorted()
    }

    private func start(_ extraArguments: [String] = []) async throws -> (EtcdProcess, GRPCEtcdClient) {
        let etcd = try EtcdProcess(extraArguments: extraArguments)
        let client = try await etcd.client()
        try await put(SampleData.reference(layout: layout), client)
        return (etcd, client)
    }

    /// One put per key: a test's etcd may take fewer operations per transaction than BulkLoader uses.
    private func put(_ pairs: [(key: String, value: [UInt8])], _ client: GRPCEtcdClient) async throws {
        for pair in pairs { _ = try await client.put(pair.key, pair.value) }
    }

    private func profiles(_ key: EndpointKey, _ client: GRPCEtcdClient) async throws -> [String] {
        let stored = try await client.get(key.path(in: layout))
        return try EndpointData.decode(try XCTUnwrap(stored).value).profiles
    }

    func testABulkEditThatFitsOneTransaction() async throws {
        let (etcd, client) = try await start()
        defer { etcd.stop() }
        let shell = ["--endpoints", etcd.url, "-c"]
        let first = try ShellBinary.run(shell + ["endpoint 'd*' profile append WEB"])
        XCTAssertEqual(first.errors, "")
        XCTAssertEqual(first.output, "Profile(s) WEB appended to 5 endpoint(s); 0 already had it.\n")
        var revisions = Set<Int64>()
        for (key, item) in zip(keys, SampleData.referenceEndpoints.sorted { $0.workload < $1.workload }) {
            let value = try await client.get(key.path(in: layout))
            revisions.insert(try XCTUnwrap(value).modRevision)
            let stored = try await profiles(key, client)
            XCTAssertEqual(stored, item.profiles + ["WEB"])
        }
        XCTAssertEqual(revisions.count, 1, "one transaction writes every endpoint at one revision")
        let again = try ShellBinary.run(shell + ["endpoint 'd*' profile append WEB"])
        XCTAssertEqual(again.output, "Profile(s) WEB appended to 0 endpoint(s); 5 already had it.\n")
        let remove = try ShellBinary.run(shell + ["endpoint 'd50c*' profile remove PROF --host=calico"])
        XCTAssertEqual(remove.output, "Profile(s) PROF removed from 1 endpoint(s); 0 did not have it.\n")
        let json = try ShellBinary.run([
            "--endpoints", etcd.url, "-o", "json", "-c", "endpoint 'd50c*' profile set PROF",
        ])
        XCTAssertTrue(json.output.contains(#""profiles":["PROF"],"changed":true}"#), json.output)
        await client.shutdown()
    }

    func testChunksAStopMidwayAndTheRerunThatFinishes() async throws {
        // etcd takes at most 2 operations per transaction: the shell learns it from the refusal.
        let (etcd, client) = try await start(["--max-txn-ops", "2"])
        defer { etcd.stop() }
        // A bulk edit decides in the index's order (endpoint ID): the three before the unreadable
        // value are written, the one after it is not.
        let inOrder = keys.sorted { EndpointIndex.idOrder($0, $1) }
        let malformed = inOrder[3]
        _ = try await client.put(malformed.path(in: layout), Array("not json".utf8))
        let shell = ["--endpoints", etcd.url, "-c", "endpoint '*' profile append WEB"]
        let stopped = try ShellBinary.run(shell)
        XCTAssertEqual(stopped.status, 1)
        XCTAssertEqual(
            stopped.errors,
            "-c:1: Endpoint \(malformed.endpoint) has a malformed value in etcd at \(malformed.path(in: layout)) "
                + "(not valid JSON); it was left as it is. (3 endpoint(s) were changed before this; "
                + "running the same command again finishes the rest)\n"
        )
        var revisions = Set<Int64>()
        for key in inOrder[0..<3] {
            let stored = try await profiles(key, client)
            XCTAssertEqual(stored.last, "WEB")
            let value = try await client.get(key.path(in: layout))
            revisions.insert(try XCTUnwrap(value).modRevision)
        }
        XCTAssertGreaterThan(revisions.count, 1, "written in chunks of at most 2")
        let untouched = try await profiles(inOrder[4], client)
        XCTAssertFalse(untouched.contains("WEB"))
        // Repair the value; the same command finishes the rest, and writes nothing twice.
        _ = try await client.put(
            malformed.path(in: layout),
            SampleData.endpointValue(name: "x", mac: nil, profiles: ["PROF"], ipv4: [])
        )
        let rerun = try ShellBinary.run(shell)
        XCTAssertEqual(rerun.errors, "")
        XCTAssertEqual(rerun.output, "Profile(s) WEB appended to 2 endpoint(s); 3 already had it.\n")
        for key in keys {
            let stored = try await profiles(key, client)
            XCTAssertEqual(stored.filter { $0 == "WEB" }.count, 1)
        }
        // remove and set are idempotent too: run again, they change nothing and write nothing.
        for command in ["endpoint '*' profile remove PROF", "endpoint '*' profile set PROF"] {
            let first = try ShellBinary.run(["--endpoints", etcd.url, "-c", command])
            XCTAssertEqual(first.status, 0, first.errors)
            XCTAssertFalse(first.output.contains(" 0 endpoint(s);"), first.output)
            let revision = try await client.currentRevision()
            let second = try ShellBinary.run(["--endpoints", etcd.url, "-c", command])
            XCTAssertTrue(second.output.contains(" 0 endpoint(s); 5 "), second.output)
            let unchanged = try await client.currentRevision()
            XCTAssertEqual(unchanged, revision, "\(command): the second run wrote")
        }
        await client.shutdown()
    }

    func testConcurrentWritersDuringABulkEditLoseNothing() async throws {
        let (etcd, client) = try await start(["--max-txn-ops", "2"])
        defer { etcd.stop() }
        let extra = (0..<8).map { "P\($0)" }
        try await put(extra.flatMap { SampleData.profilePairs($0, layout: layout) }, client)
        let url = etcd.url
        let target = keys[1].endpoint
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                let result = try ShellBinary.run(["--endpoints", url, "-c", "endpoint '*' profile append WEB"])
                XCTAssertEqual(result.status, 0, result.errors)
            }
            group.addTask {
                let commands = extra.flatMap { ["-c", "endpoint \(target) profile append \($0)"] }
                let result = try ShellBinary.run(["--endpoints", url] + commands)
                XCTAssertEqual(result.status, 0, result.errors)
            }
            try await group.waitForAll()
        }
        for key in keys {
            let stored = try await profiles(key, client)
            XCTAssertTrue(stored.contains("WEB"))
        }
        let targetProfiles = try await profiles(keys[1], client)
        XCTAssertEqual(Set(targetProfiles), Set(["PROF", "WEB"] + extra))
        await client.shutdown()
    }

    func testADryRunWritesNothingAndItsPlanIsWhatApplyingWrites() async throws {
        let fixture = try await DatastoreFixture(.etcdv3)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("calico-shell-plan-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            try await fixture.loadReference()
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try await DatastoreScenarios.dryRunOfAFailingScript(fixture: fixture)
            try await DatastoreScenarios.dryRunPlanEqualsApply(fixture: fixture, folder: folder)
        } catch {
            await fixture.stop()
            throw error
        }
        await fixture.stop()
    }
}
