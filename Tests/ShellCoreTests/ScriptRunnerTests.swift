import Foundation
import ShellDevTools
import ShellTesting
import XCTest

@testable import ShellCore

/// The script loop over an in-memory etcd: the real-etcd versions are in IntegrationTests.
final class ScriptRunnerTests: XCTestCase {
    var folder: URL!

    override func setUp() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "calico-shell-tests-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func makeRunner(
        _ options: RunOptions = RunOptions()
    ) async throws -> (ScriptRunner, CapturedOutput, InMemoryStore) {
        try await makeInMemoryRunner(options)
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    private func run(_ runner: ScriptRunner, file path: String) async throws -> ScriptRunner.Outcome {
        var source = try StreamLineSource(path: path)
        return await runner.run(&source)
    }

    func testStopsAtFirstErrorWithFileAndLine() async throws {
        let (runner, output, _) = try await makeRunner()
        let path = try write(
            "a.calico",
            """
            # a comment

            echo one   # trailing comment
            endpoint nosuch profile show
            echo never
            """
        )
        let outcome = try await run(runner, file: path)
        XCTAssertEqual(outcome, .stopped)
        XCTAssertEqual(runner.exitStatus(for: outcome), 1)
        XCTAssertEqual(output.output, "one\n")
        XCTAssertEqual(output.errors, "\(path):4: Endpoint nosuch is unknown to Calico.\n")
    }

    func testContinueOnErrorRunsEverythingAndStillFails() async throws {
        let (runner, output, _) = try await makeRunner(RunOptions(continueOnError: true))
        var source = CommandsLineSource(["endpoint nosuch profile show", "echo after"])
        let outcome = await runner.run(&source)
        XCTAssertEqual(runner.exitStatus(for: outcome), 1)
        XCTAssertEqual(output.output, "after\n")
        XCTAssertEqual(output.errors, "-c:1: Endpoint nosuch is unknown to Calico.\n")
    }

    func testContinuationQuotingAndEcho() async throws {
        let (runner, output, _) = try await makeRunner(RunOptions(echo: true))
        let path = try write(
            "b.calico",
            "echo 'a  b' \\\n  \"c # d\"\nendpoint \\\nd50c35bc784511e5bd1a080027f532f6 profile show\n"
        )
        let outcome = try await run(runner, file: path)
        XCTAssertEqual(outcome, .finished)
        XCTAssertEqual(
            output.output,
            "> echo 'a  b'   \"c # d\"\na  b c # d\n> endpoint d50c35bc784511e5bd1a080027f532f6 profile show\n"
                + "+------+\n| Name |\n+------+\n| PROF |\n+------+\n"
        )
        XCTAssertEqual(output.errors, "")
    }

    func testSourceIsRelativeNestedAndRefusesCycles() async throws {
        let (runner, output, _) = try await makeRunner()
        _ = try write("lib/inner.calico", "echo inner\nsource deeper/last.calico\n")
        _ = try write("lib/deeper/last.calico", "echo last\n")
        let main = try write("main.calico", "source lib/inner.calico\necho done\n")
        let mainOutcome = try await run(runner, file: main)
        XCTAssertEqual(mainOutcome, .finished)
        XCTAssertEqual(output.output, "inner\nlast\ndone\n")

        let (cycleRunner, cycleOutput, _) = try await makeRunner()
        let a = try write("cycle/a.calico", "echo a\nsource b.calico\necho not-after-cycle\n")
        _ = try write("cycle/b.calico", "source a.calico\n")
        let cycleOutcome = try await run(cycleRunner, file: a)
        XCTAssertEqual(cycleOutcome, .stopped)
        XCTAssertEqual(cycleOutput.output, "a\n")
        XCTAssertTrue(
            cycleOutput.errors.hasPrefix(
                folder.appendingPathComponent("cycle/b.calico").path + ":1: source: a.calico is already being run"
            ),
            cycleOutput.errors
        )
        XCTAssertEqual(cycleOutput.errors.split(separator: "\n").count, 1)
    }

    func testExitStatusAndJSON() async throws {
        let (runner, output, _) = try await makeRunner()
        var source = CommandsLineSource([
            "set output json", "endpoint d50c35bc784511e5bd1a080027f532f6 profile show", "exit 7", "echo never",
        ])
        let outcome = await runner.run(&source)
        XCTAssertEqual(runner.exitStatus(for: outcome), 7)
        XCTAssertEqual(output.output, #"{"endpoint_id":"d50c35bc784511e5bd1a080027f532f6","profiles":["PROF"]}"# + "\n")
    }

    func testOtherWritersAreSeenByTheNextCommand() async throws {
        let (runner, output, store) = try await makeRunner()
        var first = CommandsLineSource(["endpoint show"])
        _ = await runner.run(&first)
        // Another client adds an endpoint and moves the revision elsewhere too.
        let key = EndpointKey(host: "other", orchestrator: "k8s", workload: "w", endpoint: "new1")
        _ = try await store.commit(
            Transaction(operations: [
                .put(
                    key: key.path(in: KeyLayout()),
                    value: SampleData.endpointValue(name: "x", mac: nil, profiles: [], ipv4: [])
                )
            ])
        )
        await store.bumpRevision()
        var second = CommandsLineSource(["endpoint new1 profile show", "complete endpoint new"])
        let outcome = await runner.run(&second)
        XCTAssertEqual(outcome, .finished)
        XCTAssertTrue(output.output.hasSuffix("Endpoint has no profiles associated with it.\nnew1\n"), output.output)
    }

    /// `--atomic`: another writer changes a staged endpoint before the commit; the script's edits
    /// are replayed on what it wrote, so both changes land, in one transaction.
    func testAtomicReplaysOnAnotherWritersChange() async throws {
        let (runner, output, store) = try await makeRunner(RunOptions(atomic: true))
        let id = "d50c35bc784511e5bd1a080027f532f6"
        var source = CommandsLineSource(["endpoint \(id) profile append WEB", "endpoint \(id) profile show"])
        let outcome = await runner.run(&source)
        XCTAssertEqual(outcome, .finished, output.errors)
        XCTAssertTrue(output.output.hasSuffix("| PROF |\n| WEB  |\n+------+\n"), "reads see the staged state")
        let key = EndpointKey(
            host: "calico",
            orchestrator: "docker",
            workload: "26d5636108f8e46b0b9d663522c26f05e52acecf11bb10104dfbd9047ad502b6",
            endpoint: id
        )
        let path = key.path(in: KeyLayout())
        let before = try await store.get(path)
        XCTAssertEqual(
            try EndpointData.decode(XCTUnwrap(before).value).profiles,
            ["PROF"],
            "nothing is written before the end"
        )
        // Meanwhile another writer removes PROF and sets a field of its own.
        let theirs = Array(#"{"state":"active","profile_ids":[],"ipv4_nets":["192.168.1.3/32"],"theirs":1}"#.utf8)
        _ = try await store.commit(Transaction(operations: [.put(key: path, value: theirs)]))
        let status = await runner.finish(outcome)
        XCTAssertEqual(status, 0, output.errors)
        let after = try await store.get(path)
        let object = try XCTUnwrap(
            try JSONSerialization.jsonObject(with: Data(XCTUnwrap(after).value)) as? [String: Any]
        )
        XCTAssertEqual(object["profile_ids"] as? [String], ["WEB"])
        XCTAssertEqual(object["theirs"] as? Int, 1)
    }

    func testBadInputNeverCrashes() async throws {
        let (runner, output, _) = try await makeRunner(RunOptions(continueOnError: true))
        var lines: [String] = [
            "\u{0}", "endpoint \u{0} profile show", "'", String(repeating: "x", count: 100_000), "endpoint",
            "endpoint show --host",
        ]
        let seed = UInt64.random(in: 1...UInt64.max)
        print("ScriptRunnerTests garbage seed \(seed)")
        var generator = SeededGenerator(seed: seed)
        let alphabet = Array("endpoint show profile append remove set --host= --detailed 'x\" # \\ é \u{7f}")
        for _ in 0..<500 {
            lines.append(
                String(
                    (0..<Int.random(in: 0..<40, using: &generator)).map { _ in
                        alphabet.randomElement(using: &generator)!
                    }
                )
            )
        }
        var source = CommandsLineSource(lines)
        _ = await runner.run(&source)
        let errorLines = output.errors.split(separator: "\n")
        XCTAssertGreaterThanOrEqual(errorLines.count, 6)
        XCTAssertTrue(errorLines.allSatisfy { $0.hasPrefix("-c:") }, "every error is one line with its position")
    }

    /// Each line of a `-c` is a command, as in a script: a newline never joins two commands into one.
    func testEachLineOfADashCIsACommand() async throws {
        let (runner, output, _) = try await makeRunner()
        var source = CommandsLineSource([
            "echo one", "echo two\necho three\r\nendpoint nosuch profile show\necho never",
        ])
        let outcome = await runner.run(&source)
        XCTAssertEqual(outcome, .stopped)
        XCTAssertEqual(output.output, "one\ntwo\nthree\n")
        XCTAssertEqual(output.errors, "-c:2:3: Endpoint nosuch is unknown to Calico.\n")
    }

    /// A backslash at the very end of the input (a file, or one `-c`) continues nothing: an error,
    /// like an unterminated quote, never a literal `\` argument.
    func testBackslashAtTheEndOfTheInputIsAnError() async throws {
        let (runner, output, _) = try await makeRunner(RunOptions(continueOnError: true))
        let path = try write("tail.calico", "echo a \\")
        _ = try await run(runner, file: path)
        var source = CommandsLineSource(["echo b \\", "echo c"])
        _ = await runner.run(&source)
        XCTAssertEqual(output.output, "c\n")
        XCTAssertEqual(
            output.errors,
            """
            \(path):1: syntax error: unterminated continuation: the input ends with a backslash
            -c:1: syntax error: unterminated continuation: the input ends with a backslash

            """
        )
    }

    func testByteOrderMarkAtTheStartOfAScriptIsSkipped() async throws {
        let (runner, output, _) = try await makeRunner()
        let path = try write("bom.calico", "\u{FEFF}echo ok\n\u{FEFF}echo second\n")
        let outcome = try await run(runner, file: path)
        XCTAssertEqual(outcome, .stopped, "a BOM anywhere but the start is no command")
        XCTAssertEqual(output.output, "ok\n")
        XCTAssertTrue(output.errors.hasPrefix("\(path):2: Unknown command"), output.errors)
    }

    func testDirectoryAsSourceTargetIsAnError() async throws {
        let (runner, output, _) = try await makeRunner()
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("lib"),
            withIntermediateDirectories: true
        )
        let path = try write("dir.calico", "source lib\necho never\n")
        let outcome = try await run(runner, file: path)
        XCTAssertEqual(outcome, .stopped)
        XCTAssertEqual(output.output, "")
        XCTAssertEqual(
            output.errors,
            "\(path):1: cannot read \(folder.appendingPathComponent("lib").path): Is a directory\n"
        )
    }

    /// Backslash continuations count toward the line limit: the logical line is refused, and the
    /// lines after it still have their own numbers.
    func testContinuationsCountTowardTheLineLimit() async throws {
        let (runner, output, _) = try await makeRunner(RunOptions(continueOnError: true))
        let half = String(repeating: "x", count: 40_000)
        let path = try write("long.calico", "echo \(half)\\\n\(half)\\\n\(half)\necho after\n")
        _ = try await run(runner, file: path)
        XCTAssertEqual(output.output, "after\n")
        XCTAssertEqual(output.errors, "\(path):1: syntax error: line is 120005 bytes long; the limit is 65536\n")
    }

    /// Candidates printed by `complete` are names from etcd: shown escaped like everything else.
    func testCompleteShowsCandidatesEscaped() async throws {
        let (runner, output, store) = try await makeRunner()
        let key = EndpointKey(host: "evil\u{9b}2J", orchestrator: "k8s", workload: "w", endpoint: "e1")
        let value = SampleData.endpointValue(name: "x", mac: nil, profiles: [], ipv4: [])
        _ = try await store.commit(Transaction(operations: [.put(key: key.path(in: KeyLayout()), value: value)]))
        var source = CommandsLineSource(["complete endpoint show --host=e"])
        _ = await runner.run(&source)
        XCTAssertEqual(output.output, "--host=evil\\x9b2J\n")
    }
}
