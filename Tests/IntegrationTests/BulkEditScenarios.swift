import Foundation
import ShellCore
import ShellDevTools
import XCTest

/// Bulk edits and their plans, the same on both datastores (`BulkEditTests` runs them on etcd v3,
/// `V2DatastoreTests` on v2, where a bulk edit goes endpoint by endpoint).
extension DatastoreScenarios {
    /// Every key under /calico/ as bytes, with its value and revision, and the store's revision:
    /// equal before and after means nothing at all was written.
    static func contents(of store: any KeyValueStore) async throws -> (pairs: [[UInt8]], revision: Int64) {
        let pairs = try await store.rangeAll(prefix: "/calico/").pairs
        let revision = try await store.currentRevision()
        return (pairs.map { Array($0.key.utf8) + [0] + $0.value + Array(String($0.modRevision).utf8) }, revision)
    }

    /// The script both runs use: bulk and single edits, and a read that must see what was staged.
    static let planScript = """
        endpoint '*' profile append WEB --host=calico
        set output json
        endpoint show --detailed --profile=WEB
        endpoint 'd50c*' profile remove PROF WEB
        endpoint d79123c4784511e5bd1a080027f532f6 profile set WEB PROF
        endpoint '*' profile remove WEB --workload='b75d*'

        """

    /// `--dry-run` of a script leaves etcd byte for byte as it was (every key, value and revision),
    /// its reads see the staged edits, and its plan is exactly what running the script then writes.
    static func dryRunPlanEqualsApply(fixture: DatastoreFixture, folder: URL) async throws {
        let script = folder.appendingPathComponent("retag.calico")
        try planScript.write(to: script, atomically: true, encoding: .utf8)
        let before = try await contents(of: fixture.store)
        let profilesBefore = try await endpointProfiles(fixture.store)

        let dry = try ShellBinary.run(fixture.shellArguments + ["--dry-run", "-o", "json", script.path])
        XCTAssertEqual(dry.status, 0, dry.errors)
        XCTAssertEqual(dry.errors, "")
        let unchanged = try await contents(of: fixture.store)
        XCTAssertTrue(before == unchanged, "a dry run wrote to etcd")
        let lines = dry.output.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, dry.output)
        // The read on line 3 saw the append of line 1 (staged): all five calico endpoints carry WEB.
        let read = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [[String: Any]]
        XCTAssertEqual(read?.count, 5, String(lines[0]))
        let plan = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        XCTAssertEqual(plan["failed_lines"] as? Int, 0)
        XCTAssertEqual(plan["written"] as? Bool, false)
        let changes = try XCTUnwrap(plan["changes"] as? [[String: Any]])
        XCTAssertEqual(plan["changed"] as? Int, changes.count)
        // d2b5… (workload b75d…) ends as it began: WEB appended, then removed again.
        XCTAssertEqual(changes.count, 4, dry.output)
        XCTAssertEqual(plan["unchanged"] as? Int, 1)
        var planned: [String: [String]] = [:]
        for change in changes {
            let id = try XCTUnwrap(change["endpoint_id"] as? String)
            XCTAssertEqual(change["before"] as? [String], profilesBefore[id], id)
            planned[id] = change["after"] as? [String]
        }

        let apply = try ShellBinary.run(fixture.shellArguments + [script.path])
        XCTAssertEqual(apply.status, 0, apply.errors)
        let profilesAfter = try await endpointProfiles(fixture.store)
        for (id, profiles) in profilesAfter {
            XCTAssertEqual(profiles, planned[id] ?? profilesBefore[id], "endpoint \(id): the plan said otherwise")
        }
    }

    /// A dry run whose line fails: exit 1, the plan counts the failed line, nothing written. On the
    /// reference data as loaded.
    static func dryRunOfAFailingScript(fixture: DatastoreFixture) async throws {
        let before = try await contents(of: fixture.store)
        let dry = try ShellBinary.run(
            fixture.shellArguments + ["--dry-run"],
            input: "endpoint '*' profile append WEB\nendpoint 'd*' profile append NO_SUCH_PROFILE\n"
        )
        XCTAssertEqual(dry.status, 1)
        XCTAssertEqual(dry.errors, "<stdin>:2: Profile with name NO_SUCH_PROFILE was not found.\n")
        XCTAssertTrue(
            dry.output.hasSuffix(
                "\nPlan: 5 endpoint(s) to change, 0 unchanged, 1 failed line(s); nothing was written (--dry-run).\n"
            ),
            dry.output
        )
        XCTAssertTrue(dry.output.contains("\n+ WEB\n"), dry.output)
        let after = try await contents(of: fixture.store)
        XCTAssertTrue(before == after, "a dry run wrote to etcd")
    }

    /// Endpoint ID → profiles, for every endpoint in the store.
    static func endpointProfiles(_ store: any KeyValueStore) async throws -> [String: [String]] {
        var profiles: [String: [String]] = [:]
        for pair in try await store.rangeAll(prefix: KeyLayout().hostsPrefix).pairs {
            guard let id = pair.key.split(separator: "/").last else { continue }
            profiles[String(id)] = try EndpointData.decode(pair.value).profiles
        }
        return profiles
    }
}
