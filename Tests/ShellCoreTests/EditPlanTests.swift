import Foundation
import ShellDevTools
import ShellTesting
import XCTest

@testable import ShellCore

/// Plans (`--dry-run`) and the terminal's question, as pure logic and over an in-memory store; the
/// real-etcd versions (plan equals apply, etcd byte-identical) are in IntegrationTests.
final class EditPlanTests: XCTestCase {
    let key = EndpointKey(host: "node-7", orchestrator: "k8s", workload: "web-1", endpoint: "eth0")

    private func change(_ before: [String], _ after: [String]) -> EditPlan.Change {
        EditPlan.Change(key: key, before: before, after: after)
    }

    func testLinesKeepRemoveAndAddInTheOrderWritten() {
        let lines = EditPlan.lines(of: change(["OLD", "KEEP"], ["KEEP", "NEW"]))
        XCTAssertEqual(lines.map(\.mark), [.removed, .kept, .added])
        XCTAssertEqual(lines.map(\.profile), ["OLD", "KEEP", "NEW"])
        // `set` that only reorders: the whole old list goes, the new one comes, in its order.
        let reordered = EditPlan.lines(of: change(["A", "B"], ["B", "A"]))
        XCTAssertEqual(reordered.map(\.mark), [.removed, .removed, .added, .added])
        XCTAssertEqual(reordered.map(\.profile), ["A", "B", "B", "A"])
    }

    func testPlainTextInPipesColourOnATerminal() {
        let plan = EditPlan(changes: [change(["OLD", "KEEP"], ["KEEP", "NEW"])], unchanged: 3, failedLines: 0)
        XCTAssertEqual(
            PlanRenderer.render(plan, format: .table, colour: false),
            """
            node-7/k8s/web-1/eth0
            - OLD
              KEEP
            + NEW

            Plan: 1 endpoint(s) to change, 3 unchanged, 0 failed line(s); nothing was written (--dry-run).

            """
        )
        let coloured = PlanRenderer.render(plan, format: .table, colour: true)
        XCTAssertTrue(coloured.contains("\u{1B}[31m- OLD\u{1B}[0m\n"), coloured)
        XCTAssertTrue(coloured.contains("\u{1B}[32m+ NEW\u{1B}[0m\n"), coloured)
        XCTAssertTrue(coloured.hasPrefix("\u{1B}[1mnode-7/k8s/web-1/eth0\u{1B}[0m\n"), coloured)
    }

    /// A large plan is written in parts at once: the same text as in one part, colour or not.
    func testPlanPartsWriteTheSameText() {
        let changes = (0..<7).map { n in
            EditPlan.Change(
                key: EndpointKey(host: "h\(n % 3)", orchestrator: "k8s", workload: "w\(n)", endpoint: "e\u{1b}\(n)"),
                before: Array(["A", "B", "C"].prefix(n % 4)),
                after: Array(["B", "D"].prefix(n % 3))
            )
        }
        let plan = EditPlan(changes: changes, unchanged: 2, failedLines: 1)
        for colour in [false, true] {
            XCTAssertEqual(
                PlanRenderer.text(plan, colour: colour, partsFrom: 1),
                PlanRenderer.text(plan, colour: colour, partsFrom: .max)
            )
        }
    }

    /// `ParallelParts` cuts work into ranges that cover it once, in order, and gives the parts'
    /// results in that order.
    func testPartsCoverTheWorkInOrder() {
        for count in [0, 1, 2, 7, ParallelParts.minimumCount, ParallelParts.minimumCount + 1, 100_003] {
            let ranges = ParallelParts.ranges(count)
            XCTAssertEqual(ranges.flatMap { Array($0) }, Array(0..<count), "\(count)")
            XCTAssertEqual(ranges.count == 1, count < ParallelParts.minimumCount, "\(count)")
            XCTAssertEqual(ParallelParts.map(ranges) { $0 }, ranges)
        }
    }

    func testANameFromEtcdCannotReachTheTerminalRaw() {
        let odd = EndpointKey(host: "h\u{1B}[2J", orchestrator: "k8s", workload: "w", endpoint: "e")
        let plan = EditPlan(
            changes: [EditPlan.Change(key: odd, before: [], after: ["P\n"])],
            unchanged: 0,
            failedLines: 0
        )
        let text = PlanRenderer.render(plan, format: .table, colour: false)
        XCTAssertTrue(text.hasPrefix("h\\x1b[2J/k8s/w/e\n+ P\\n\n"), text)
    }

    func testJSONIsOneDocument() throws {
        let plan = EditPlan(changes: [change(["OLD"], ["NEW"])], unchanged: 2, failedLines: 1)
        let json = PlanRenderer.render(plan, format: .json, colour: true)
        XCTAssertEqual(
            json,
            #"{"changes":[{"hostname":"node-7","orchestrator_id":"k8s","workload_id":"web-1","endpoint_id":"eth0","#
                + #""before":["OLD"],"after":["NEW"]}],"changed":1,"unchanged":2,"failed_lines":1,"written":false}"#
                + "\n"
        )
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(json.utf8)))
    }

    func testTheProgressBarShowsCountsAndRate() {
        XCTAssertEqual(
            ProgressReporter.writing(2_560, of: 10_000, after: .seconds(2)),
            "Writing [#####               ] 2,560/10,000 endpoints, 1,280/s"
        )
        XCTAssertEqual(
            ProgressReporter.writing(10_000, of: 10_000, after: .milliseconds(500)),
            "Writing [####################] 10,000/10,000 endpoints, 20,000/s"
        )
    }

    func testTheFlagsOfAnEdit() throws {
        XCTAssertEqual(
            try CommandParser.parse("endpoint 'd*' profile append WEB --dry-run --yes --detailed"),
            .endpoint(
                .bulkEditProfiles(
                    EndpointFilter(endpoint: "d*"),
                    .append,
                    ["WEB"],
                    EditFlags(dryRun: true, yes: true, detailed: true)
                )
            )
        )
        XCTAssertEqual(
            try CommandParser.parse("endpoint e profile remove WEB --dry"),
            .endpoint(.editProfiles(EndpointFilter(endpoint: "e"), .remove, ["WEB"], EditFlags(dryRun: true)))
        )
        XCTAssertThrowsError(try CommandParser.parse("endpoint show --dry-run")) {
            XCTAssertTrue("\($0)".contains("--dry-run"), "\($0)")
        }
    }

    // MARK: - Runs over an in-memory store

    /// Over the demo data: 305 endpoints, 40 of them docker endpoints on node-000.
    private func makeRunner(
        _ options: RunOptions = RunOptions()
    ) async throws -> (ScriptRunner, CapturedOutput, InMemoryStore) {
        try await makeInMemoryRunner(options, data: SampleData.demo(layout: KeyLayout()))
    }

    func testADryRunStagesPrintsThePlanAtTheEndAndWritesNothing() async throws {
        let (runner, output, store) = try await makeRunner(RunOptions(dryRun: true))
        let revision = try await store.currentRevision()
        var source = CommandsLineSource([
            "endpoint '*' profile append WEB --host=calico",
            "endpoint d79123c4784511e5bd1a080027f532f6 profile show",
        ])
        let outcome = await runner.run(&source)
        let status = await runner.finish(outcome)
        XCTAssertEqual(status, 0)
        XCTAssertEqual(output.errors, "")
        // The read saw the staged edit; the plan came at the end.
        XCTAssertTrue(output.output.hasPrefix("+------+\n| Name |\n+------+\n| WEB  |\n+------+\n"), output.output)
        XCTAssertTrue(
            output.output.hasSuffix(
                "Plan: 5 endpoint(s) to change, 0 unchanged, 0 failed line(s); nothing was written (--dry-run).\n"
            ),
            output.output
        )
        let after = try await store.currentRevision()
        XCTAssertEqual(after, revision)
    }

    /// One edit's `--dry-run` plans from the index in place (no staging, no record per endpoint);
    /// it must print exactly what a `--dry-run` run that stages the same edit prints, values of
    /// every shape included (one listed once, one folding `profile_id`, one to re-encode, one not
    /// ASCII, and one that cannot be read, which fails both the same way).
    func testOneEditsPlanIsTheStagedRunsPlan() async throws {
        let layout = KeyLayout()
        var data = SampleData.demo(layout: layout)
        let odd = [
            #"{"profile_id":"PROF_A","ipv4_nets":["10.9.0.1/32"]}"#,
            #"{"profile_ids":["WEB"],"profile_ids":["PROF_B"],"name":"twice"}"#,
            #"{"profile_ids":["日本"],"name":"café"}"#,
            #"{"profile_ids":["a\"b"]}"#,
        ]
        for (number, value) in odd.enumerated() {
            let key = EndpointKey(host: "odd", orchestrator: "k8s", workload: "w\(number)", endpoint: "odd\(number)")
            data.append((key.path(in: layout), Array(value.utf8)))
        }
        func outputs(_ edit: String, data: [(key: String, value: [UInt8])]) async throws -> [CapturedOutput] {
            var outputs: [CapturedOutput] = []
            for (options, line) in [(RunOptions(), edit + " --dry-run"), (RunOptions(dryRun: true), edit)] {
                let (runner, output, _) = try await makeInMemoryRunner(options, data: data)
                var source = CommandsLineSource([line])
                _ = await runner.finish(await runner.run(&source))
                outputs.append(output)
            }
            return outputs
        }
        for edit in [
            "endpoint '*' profile append WEB --host=odd", "endpoint '*' profile remove PROF",
            "endpoint '*' profile set WEB PROF --orchestrator=k8s", "endpoint 'odd*' profile append WEB",
            "endpoint '*' profile append WEB",
        ] {
            let planned = try await outputs(edit, data: data)
            XCTAssertEqual(planned[0].errors, "", edit)
            XCTAssertEqual(planned[0].output, planned[1].output, edit)
            XCTAssertTrue(planned[0].output.contains("Plan: "), edit)
        }
        // An endpoint whose value cannot be read fails the edit, with the same words both ways.
        let unreadable = EndpointKey(host: "zz-bad", orchestrator: "k8s", workload: "w", endpoint: "bad0")
        let failed = try await outputs(
            "endpoint '*' profile append WEB",
            data: data + [(unreadable.path(in: layout), Array("not json".utf8))]
        )
        XCTAssertTrue(failed[0].errors.contains("bad0"), failed[0].errors)
        XCTAssertEqual(failed[0].errors, failed[1].errors)
    }

    func testOneEditsDryRunIsNotStaged() async throws {
        let (runner, output, store) = try await makeRunner()
        let revision = try await store.currentRevision()
        var source = CommandsLineSource([
            "endpoint d79123c4784511e5bd1a080027f532f6 profile append WEB --dry-run",
            "endpoint d79123c4784511e5bd1a080027f532f6 profile show",
        ])
        let outcome = await runner.run(&source)
        XCTAssertEqual(outcome, .finished)
        XCTAssertTrue(output.output.hasPrefix("calico/docker/"), output.output)
        XCTAssertTrue(output.output.contains("\n+ WEB\n\nPlan: 1 endpoint(s) to change"), output.output)
        XCTAssertTrue(
            output.output.hasSuffix(" (--dry-run).\nEndpoint has no profiles associated with it.\n"),
            output.output
        )
        let after = try await store.currentRevision()
        XCTAssertEqual(after, revision)
    }

    /// An interactive source whose person answers each question with the next of `answers`.
    struct AnsweringSource: LineSource {
        var lines: [String]
        var answers: [String?]
        var asked: [String] = []
        let name = "<terminal>"
        let directory = "."
        var isInteractive: Bool { true }
        private var number = 0

        init(lines: [String], answers: [String?]) {
            self.lines = lines
            self.answers = answers
        }

        mutating func readLine() async -> SourceLine? {
            guard !lines.isEmpty else { return nil }
            number += 1
            return SourceLine(text: lines.removeFirst(), number: number)
        }

        mutating func answer(_ question: String) async -> String? {
            asked.append(question)
            return answers.isEmpty ? nil : answers.removeFirst()
        }
    }

    func testAtTheTerminalALargeBulkEditAsksAndOnlyYesWrites() async throws {
        let (runner, output, store) = try await makeRunner()
        let revision = try await store.currentRevision()
        let edit = "endpoint '*' profile append WEB --host=node-000 --orchestrator=docker"
        var source = AnsweringSource(lines: [edit, edit, edit], answers: ["n", nil, " Y "])
        _ = await runner.run(&source)
        XCTAssertEqual(source.asked, ["Apply? [y/N] ", "Apply? [y/N] ", "Apply? [y/N] "])
        let total = "Plan: 40 endpoint(s) to change, 0 unchanged, 0 failed line(s) (add --dry-run to list them).\n"
        XCTAssertEqual(
            output.output,
            total + "Nothing was written.\n" + total + "Nothing was written.\n" + total
                + "Profile(s) WEB appended to 40 endpoint(s); 0 already had it.\n"
        )
        let written = try await store.currentRevision()
        XCTAssertEqual(written, revision + 1, "one transaction")
        // A small one, and one with --yes, do not ask.
        var more = AnsweringSource(
            lines: [
                "endpoint '*' profile remove WEB --host=node-000 --orchestrator=docker --yes",
                "endpoint '*' profile append WEB --host=calico",
            ],
            answers: []
        )
        _ = await runner.run(&more)
        XCTAssertEqual(more.asked, [])
        XCTAssertTrue(output.output.hasSuffix("Profile(s) WEB appended to 5 endpoint(s); 0 already had it.\n"))
    }

    func testScriptsNeverAsk() async throws {
        let (runner, output, _) = try await makeRunner()
        var source = CommandsLineSource(["endpoint '*' profile append WEB --host=node-000 --orchestrator=docker"])
        _ = await runner.run(&source)
        XCTAssertEqual(output.output, "Profile(s) WEB appended to 40 endpoint(s); 0 already had it.\n")
    }
}
