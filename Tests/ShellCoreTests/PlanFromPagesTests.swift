import ShellDevTools
import ShellTesting
import XCTest

@testable import ShellCore

/// A piped shell's first bulk `--dry-run` plans from the load's pages as they come
/// (`PlanFromPages`): its plan, or its error, must be the one the loaded index gives, for every
/// edit and filter, and it must give up, never answer wrongly, when it cannot.
final class PlanFromPagesTests: XCTestCase {
    let layout = KeyLayout()

    let filters: [EndpointFilter] = [
        EndpointFilter(endpoint: "*"),
        EndpointFilter(host: "host-1", endpoint: "*"),
        EndpointFilter(orchestrator: "k8s", endpoint: "0000000*"),
        EndpointFilter(endpoint: "*", profile: "db"),
        EndpointFilter(endpoint: "*", address: try! IPNetwork.parse("10.0.0.0/24")),
        EndpointFilter(endpoint: "nothing-matches-*"),
    ]

    let edits: [ProfileEdit] = [
        ProfileEdit(action: .append, names: ["web"]),
        ProfileEdit(action: .set, names: ["db", "web"]),
        ProfileEdit(action: .remove, names: ["db"]),
        ProfileEdit(action: .append, names: ["missing"]),
    ]

    /// Profile keys: `web` and `db` exist, `missing` does not.
    private var profiles: [KeyValue] {
        ["db", "web"].map { KeyValue(key: layout.profilePrefix(of: $0) + "rules", value: [], modRevision: 2) }
    }

    private func command(_ edit: ProfileEdit, _ filter: EndpointFilter) -> EndpointCommand {
        .bulkEditProfiles(filter, edit.action, edit.names, EditFlags(dryRun: true))
    }

    /// The observer's answer to `command`, fed the hosts `pages` and then the profiles.
    private func answer(
        _ command: EndpointCommand,
        _ pages: [RangePage],
        context: CommandContext = CommandContext()
    ) async throws -> CommandResult? {
        let observer = try XCTUnwrap(PlanFromPages(command, context, layout: layout))
        for page in pages { _ = observer.sawHostsPage(page) }
        observer.sawProfilesPage(RangePage(pairs: profiles, more: false, revision: 2))
        observer.loadEnded(nil)
        return try await observer.answer()
    }

    func testEveryPlanIsTheLoadedIndexs() async throws {
        let seed = UInt64.random(in: 0..<1_000_000)
        print("PlanFromPagesTests seed \(seed)")
        var random = SeededGenerator(seed: seed)
        var (plans, errors) = (0, 0)
        // Values that can all be decided, so that large plans are made too, not only errors.
        let decidable = Array(DetailedValueShapes.all.prefix(7))
        // 6,000 endpoints: the last page is decided in parts at once.
        for (count, oddNames, values) in [
            (0, false, DetailedValueShapes.all), (1, false, DetailedValueShapes.all),
            (40, false, DetailedValueShapes.all),
            (6_000, false, DetailedValueShapes.all), (6_000, false, decidable), (40, true, DetailedValueShapes.all),
        ] {
            let pairs = LoadPages.pairs(count, oddNames: oddNames, values: values, layout: layout, random: &random)
            var index = EndpointIndex(layout: layout)
            index.load(pairs + profiles, revision: 2)
            let pages = LoadPages.pages(pairs, random: &random)
            let outOfOrder = LoadPages.outOfTableOrder(pairs, in: index)
            for filter in filters {
                for edit in edits {
                    let context = "\(count) endpoints, \(filter), \(edit), seed \(seed)"
                    let expected = Result { () throws(ShellError) -> String in
                        let slots = try Executor.selectedSlots(filter, edit: edit, in: index)
                        let plan = try Executor.plan(edit, on: slots, of: index, layout: layout)
                        return PlanRenderer.render(plan, format: .table, colour: false)
                    }
                    let answer: Result<CommandResult?, ShellError>
                    do {
                        answer = .success(try await self.answer(command(edit, filter), pages))
                    } catch let error as ShellError {
                        answer = .failure(error)
                    }
                    switch (answer, expected) {
                    case (.success(nil), _):
                        XCTAssertTrue(outOfOrder, "gave up on keys in the tables' order: \(context)")
                    case (.success(let made?), .success(let plan)):
                        XCTAssertFalse(outOfOrder, "answered from keys out of the tables' order: \(context)")
                        XCTAssertTrue(made.output == plan, context)
                        plans += 1
                    case (.failure(let error), .failure(let indexError)):
                        XCTAssertFalse(outOfOrder, context)
                        XCTAssertEqual(error, indexError, context)
                        errors += 1
                    default:
                        XCTFail("pages gave \(answer), the index \(expected): \(context)")
                    }
                }
            }
        }
        print("PlanFromPagesTests compared \(plans) plans and \(errors) errors")
        XCTAssertGreaterThan(plans, 10)
        XCTAssertGreaterThan(errors, 10)
    }

    func testAMissingProfileOrNoEndpointIsTheIndexsError() async throws {
        let key = EndpointKey(host: "h", orchestrator: "k8s", workload: "w", endpoint: "e")
        let page = RangePage(
            pairs: [KeyValue(key: key.path(in: layout), value: Array(#"{"profile_ids":["db"]}"#.utf8), modRevision: 2)],
            more: false,
            revision: 2
        )
        do {
            _ = try await answer(
                command(ProfileEdit(action: .append, names: ["missing"]), EndpointFilter(endpoint: "*")),
                [page]
            )
            XCTFail("planned an edit that adds a profile that does not exist")
        } catch let error as ShellError {
            XCTAssertEqual(error, .profileNotFound("missing"))
        }
        do {
            _ = try await answer(
                command(ProfileEdit(action: .append, names: ["web"]), EndpointFilter(endpoint: "x*")),
                [page]
            )
            XCTFail("planned an edit that selects nothing")
        } catch let error as ShellError {
            XCTAssertEqual(error, .endpointUnknown("x*"))
        }
        let made = try await answer(
            command(ProfileEdit(action: .append, names: ["web"]), EndpointFilter(endpoint: "*")),
            [page]
        )
        XCTAssertEqual(
            try XCTUnwrap(made).output,
            "h/k8s/w/e\n  db\n+ web\n\nPlan: 1 endpoint(s) to change, 0 unchanged, 0 failed line(s); "
                + "nothing was written (--dry-run).\n"
        )
    }

    /// Only a bulk edit's `--dry-run` as plain text, with nothing staged, plans from the pages.
    func testOnlyABulkDryRunPlansFromThePages() {
        let edit = ProfileEdit(action: .append, names: ["web"])
        let dryRun = command(edit, EndpointFilter(endpoint: "*"))
        XCTAssertNotNil(PlanFromPages(dryRun, CommandContext(), layout: layout))
        XCTAssertNil(PlanFromPages(dryRun, CommandContext(format: .json), layout: layout))
        var colour = CommandContext()
        colour.colour = true
        XCTAssertNil(PlanFromPages(dryRun, colour, layout: layout))
        let written = EndpointCommand.bulkEditProfiles(EndpointFilter(endpoint: "*"), .append, ["web"], EditFlags())
        XCTAssertNil(PlanFromPages(written, CommandContext(), layout: layout))
        let single = EndpointCommand.editProfiles(
            EndpointFilter(endpoint: "e"),
            .append,
            ["web"],
            EditFlags(dryRun: true)
        )
        XCTAssertNil(PlanFromPages(single, CommandContext(), layout: layout))
    }

    /// Through the session, against the reference data: the command that starts the load plans
    /// from its pages, as the index plans it after; the index the load leaves holds everything.
    func testTheCommandThatStartsTheLoadPlansFromItsPages() async throws {
        let session = try await LoadPages.referenceSession(layout: layout)
        let dryRun = command(ProfileEdit(action: .append, names: ["WEB"]), EndpointFilter(endpoint: "*"))
        let answer = try await session.answerWhileLoading(dryRun, CommandContext())
        let executor = try await session.executor()
        let fromIndex = try await executor.run(dryRun, CommandContext())
        XCTAssertEqual(try XCTUnwrap(answer).output, fromIndex.output)
        XCTAssertTrue(fromIndex.output.contains("+ WEB\n"), fromIndex.output)
        let index = await executor.synchronizer.currentIndex()
        let reference = SampleData.reference(layout: layout)
        XCTAssertEqual(index.count, reference.filter { $0.key.contains("/endpoint/") }.count)
        XCTAssertEqual(index.profileNames.count, Set(reference.compactMap { layout.profileName(ofKey: $0.key) }).count)
        await session.close()
    }
}
