import Foundation
import ShellCore
import ShellDevTools
import ShellTesting
import XCTest

/// Behaviour that must be the same whichever etcd API holds the data: each scenario takes what it needs
/// to reach one datastore, and the v3 tests (`CommandSetTests`, `EditUnderChangeTests`) and the v2
/// tests (`V2DatastoreTests`) run the same code.
enum DatastoreScenarios {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ShellCoreTests/Golden")
    static let referenceEndpoint = "d79123c4784511e5bd1a080027f532f6"

    /// The reference page's examples, byte for byte, through the binary (`shell`: its connection
    /// arguments), on the reference page's data.
    static func referencePageExamples(shell: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let id = referenceEndpoint
        let steps: [(String, String)] = [
            ("calicoctl endpoint show", "summary.txt"),
            ("calicoctl endpoint show --detailed", "detailed.txt"),
            ("calicoctl endpoint show --endpoint=\(id) --detailed", "detailed-one.txt"),
            ("calicoctl endpoint \(id) profile set PROF", "profile-set.txt"),
            ("calicoctl endpoint \(id) profile append WEB", "profile-append.txt"),
            ("calicoctl endpoint \(id) profile show", "profile-show.txt"),
            ("calicoctl endpoint \(id) profile remove WEB PROF", "profile-remove.txt"),
        ]
        for (command, name) in steps {
            let result = try ShellBinary.run(shell + ["-c", command])
            let expected = try String(contentsOf: golden.appendingPathComponent(name), encoding: .utf8)
            XCTAssertEqual(result.output, expected, command, file: file, line: line)
            XCTAssertEqual(result.errors, "", command, file: file, line: line)
            XCTAssertEqual(result.status, 0, command, file: file, line: line)
        }
        let help = try ShellBinary.run(shell + ["-c", "endpoint --help"])
        XCTAssertTrue(
            help.output.hasPrefix("Usage:\n  calicoctl endpoint show [--host=<HOSTNAME>]"),
            file: file,
            line: line
        )
    }

    /// A runner on its own session whose index is loaded and watching (one `endpoint show` run).
    private static func warmRunner(
        configuration: EtcdConfiguration,
        layout: KeyLayout
    ) async -> (ScriptRunner, CapturedOutput, Session) {
        let output = CapturedOutput()
        let session = Session(configuration: configuration, layout: layout, showProgress: false, output: output)
        let runner = ScriptRunner(options: RunOptions(), output: output, executor: { try await session.executor() })
        var warmUp = CommandsLineSource(["endpoint show"])
        _ = await runner.run(&warmUp)
        return (runner, output, session)
    }

    /// Every write committed before a command starts is seen by it, `rounds` times in a row, through
    /// one long-lived session (index + watch); writes outside the endpoints move the revision too.
    static func externalWritesAreSeenByTheNextCommand(
        configuration: EtcdConfiguration,
        rounds: Int = 50,
        put: (String, [UInt8]) async throws -> Void
    ) async throws {
        let layout = KeyLayout()
        let (runner, output, session) = await warmRunner(configuration: configuration, layout: layout)
        for n in 0..<rounds {
            let key = EndpointKey(host: "h\(n % 3)", orchestrator: "k8s", workload: "w\(n)", endpoint: "fresh\(n)")
            try await put(
                key.path(in: layout),
                SampleData.endpointValue(name: "x", mac: nil, profiles: ["WEB"], ipv4: [])
            )
            if n % 2 == 0 { try await put("/calico/v1/config/unrelated", [UInt8(ascii: "a") + UInt8(n % 26)]) }
            if n % 3 == 0 { try await put("/elsewhere/unrelated", [UInt8(ascii: "a") + UInt8(n % 26)]) }
            var source = CommandsLineSource(["set output json", "endpoint fresh\(n) profile show"])
            let outcome = await runner.run(&source)
            XCTAssertEqual(outcome, .finished, output.errors)
        }
        XCTAssertEqual(output.errors, "")
        XCTAssertEqual(
            output.output.split(separator: "\n").filter { $0.contains("\"profiles\":[\"WEB\"]") }.count,
            rounds
        )
        await session.close()
    }

    /// `shells` scripts append `perShell` distinct profiles each to one endpoint at the same time:
    /// every shell exits 0 and every profile is there (nobody gives up, nothing is lost).
    static func contendingAppends(
        shell: [String],
        store: any KeyValueStore,
        shells: Int,
        perShell: Int,
        folder: URL
    ) async throws {
        let layout = KeyLayout()
        let endpoint = "d50c35bc784511e5bd1a080027f532f6"
        let names = (0..<(shells * perShell)).map { "P\($0)" }
        try await BulkLoader.load(names.map { ("\(layout.profilesPrefix)\($0)/rules", Array("{}".utf8)) }, into: store)
        let scripts = try (0..<shells).map { number in
            let lines = names[(number * perShell)..<(number * perShell + perShell)].map {
                "endpoint \(endpoint) profile append \($0)\n"
            }
            let url = folder.appendingPathComponent("append-\(number).calico")
            try lines.joined().write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
        let running = try scripts.map { try RunningShell(shell + [$0], seconds: 240) }
        for (number, result) in running.map({ $0.finish() }).enumerated() {
            XCTAssertEqual(result.status, 0, "shell \(number): \(result.errors)")
            XCTAssertEqual(result.output.split(separator: "\n").count, perShell, "shell \(number)")
        }
        let pairs = try await store.rangeAll(prefix: layout.hostsPrefix).pairs
        let pair = try XCTUnwrap(pairs.first { $0.key.hasSuffix("/endpoint/\(endpoint)") })
        let final = try EndpointData.decode(pair.value).profiles
        XCTAssertEqual(final.count, names.count + 1)
        XCTAssertEqual(Set(final), Set(names + ["PROF"]))
    }

    /// A session idles while `events` changes happen (more than etcd v2 keeps in its history), then its
    /// next commands see the last state of each key: the watch carried on, or the index was reloaded.
    static func idleSessionAcrossManyEvents(
        configuration: EtcdConfiguration,
        events: Int = 1_100,
        put: (String, [UInt8]) async throws -> Void
    ) async throws {
        let layout = KeyLayout()
        let (runner, output, session) = await warmRunner(configuration: configuration, layout: layout)
        let keys = (0..<10).map {
            EndpointKey(host: "idle", orchestrator: "k8s", workload: "w\($0)", endpoint: "idle\($0)").path(in: layout)
        }
        for n in 0..<events {
            let profile = "R\(n)"
            try await put(
                keys[n % keys.count],
                SampleData.endpointValue(name: "x", mac: nil, profiles: [profile], ipv4: [])
            )
        }
        var source = CommandsLineSource(["set output json"] + (0..<10).map { "endpoint idle\($0) profile show" })
        let outcome = await runner.run(&source)
        XCTAssertEqual(outcome, .finished, output.errors)
        let lines = output.output.split(separator: "\n")
        for number in 0..<10 {
            let last = (0..<events).last { $0 % keys.count == number }!
            XCTAssertTrue(
                lines.contains { $0.contains("\"endpoint_id\":\"idle\(number)\"") && $0.contains("[\"R\(last)\"]") },
                "idle\(number) should end with R\(last): \(output.output.suffix(400))"
            )
        }
        await session.close()
    }
}
