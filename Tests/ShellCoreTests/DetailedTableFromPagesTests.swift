import ShellDevTools
import ShellTesting
import Synchronization
import XCTest

@testable import ShellCore

/// A piped shell's first `endpoint show --detailed` answers from the load's pages as they come
/// (`DetailedTableFromPages`): its table and warnings must be the ones the loaded index gives, for
/// every filter, and it must give up, never answer wrongly, when it cannot.
final class DetailedTableFromPagesTests: XCTestCase {
    let layout = KeyLayout()

    let filters: [EndpointFilter] = [
        EndpointFilter(),
        EndpointFilter(host: "host-1"),
        EndpointFilter(host: "host-?", orchestrator: "k8s"),
        EndpointFilter(workload: "w1*"),
        EndpointFilter(endpoint: "0000000*"),
        EndpointFilter(profile: "db"),
        EndpointFilter(address: try! IPNetwork.parse("10.0.0.0/24")),
        EndpointFilter(state: "active"),
    ]

    /// The observer's answer to `endpoint show --detailed` (with `filter` and `wide`), fed `pages`.
    private func answer(
        _ pages: [RangePage],
        filter: EndpointFilter = EndpointFilter(),
        wide: Bool = false
    ) async throws -> CommandResult? {
        let command = EndpointCommand.showEndpoints(filter, detailed: true, wide: wide)
        let observer = try XCTUnwrap(DetailedTableFromPages(command, CommandContext(), layout: layout))
        for page in pages { _ = observer.sawHostsPage(page) }
        observer.loadEnded(nil)
        return try await observer.answer()
    }

    /// The observer of a whole-index `endpoint show --detailed`.
    private func wholeTableObserver() throws -> DetailedTableFromPages {
        try XCTUnwrap(
            DetailedTableFromPages(
                .showEndpoints(EndpointFilter(), detailed: true, wide: false),
                CommandContext(),
                layout: layout
            )
        )
    }

    func testEveryAnswerIsTheLoadedIndexs() async throws {
        let seed = UInt64.random(in: 0..<1_000_000)
        print("DetailedTableFromPagesTests seed \(seed)")
        var random = SeededGenerator(seed: seed)
        // 6,000 endpoints: the last page is laid out in parts at once.
        for (count, oddNames) in [(0, false), (1, false), (40, false), (6_000, false), (40, true)] {
            let pairs = LoadPages.pairs(count, oddNames: oddNames, layout: layout, random: &random)
            var index = EndpointIndex(layout: layout)
            index.load(pairs, revision: 2)
            let pages = LoadPages.pages(pairs, random: &random)
            let outOfOrder = LoadPages.outOfTableOrder(pairs, in: index)
            for filter in filters {
                for wide in [false, true] {
                    let context = "\(count) endpoints, \(filter), wide \(wide), seed \(seed)"
                    let expected = ShowEndpoints.run(index, filter: filter, detailed: true, wide: wide, format: .table)
                    guard let answer = try await answer(pages, filter: filter, wide: wide) else {
                        XCTAssertTrue(outOfOrder, "gave up on keys in the tables' order: \(context)")
                        continue
                    }
                    XCTAssertFalse(outOfOrder, "answered from keys out of the tables' order: \(context)")
                    XCTAssertTrue(answer.output == expected.output, context)
                    XCTAssertEqual(answer.warnings, expected.warnings, context)
                }
            }
        }
    }

    /// etcd's order puts `host-1-a/…` before `host-1/…` ('-' sorts below '/'); the tables put
    /// `host-1` first. Answering from the pages would print the rows out of order.
    func testKeysOutOfTheTablesOrderAreGivenUp() async throws {
        let keys = [
            EndpointKey(host: "host-1", orchestrator: "k8s", workload: "w", endpoint: "e1"),
            EndpointKey(host: "host-1-a", orchestrator: "k8s", workload: "w", endpoint: "e2"),
        ]
        let pairs = keys.map { KeyValue(key: $0.path(in: layout), value: Array("{}".utf8), modRevision: 2) }
            .sorted { KeyText.less($0.key, $1.key) }
        XCTAssertEqual(pairs.first?.key, keys[1].path(in: layout))
        let inOnePage = try await answer([RangePage(pairs: pairs, more: false, revision: 2)])
        XCTAssertNil(inOnePage)
        let acrossPages = try await answer([
            RangePage(pairs: [pairs[0]], more: true, revision: 2),
            RangePage(pairs: [pairs[1]], more: false, revision: 2),
        ])
        XCTAssertNil(acrossPages)
    }

    func testAPageThatStartsOverDropsThePagesBeforeIt() async throws {
        let key = { (name: String) in
            EndpointKey(host: name, orchestrator: "k8s", workload: "w", endpoint: "e").path(in: self.layout)
        }
        var again = RangePage(pairs: [KeyValue(key: key("b"), value: [], modRevision: 3)], more: false, revision: 3)
        again.startsOver = true
        let answer = try await answer([
            RangePage(pairs: [KeyValue(key: key("a"), value: [], modRevision: 2)], more: true, revision: 2), again,
        ])
        let output = try XCTUnwrap(answer).output
        let hosts = output.split(separator: "\n").dropFirst(3).dropLast().compactMap { line in
            line.split(separator: "|").first.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        XCTAssertEqual(hosts, ["b"], output)
    }

    func testALoadThatFailsIsTheAnswersError() async throws {
        let observer = try wholeTableObserver()
        _ = observer.sawHostsPage(RangePage(pairs: [], more: true, revision: 2))
        observer.loadEnded(EtcdError.unreachable(endpoints: ["127.0.0.1:1"], seconds: 1))
        do {
            _ = try await observer.answer()
            XCTFail("answered from a load that failed")
        } catch let error as EtcdError {
            XCTAssertEqual(error, .unreachable(endpoints: ["127.0.0.1:1"], seconds: 1))
        }
    }

    func testACancelledWaitEndsAndTheLoadGoesOn() async throws {
        let observer = try wholeTableObserver()
        let waiting = Task { try await observer.answer() }
        try await Task.sleep(for: .milliseconds(20))
        waiting.cancel()
        do {
            _ = try await waiting.value
            XCTFail("the wait was not cancelled")
        } catch {
            XCTAssertTrue(error is CancellationError, "\(error)")
        }
        // The load no longer holds its pages for an answer nobody waits for.
        XCTAssertFalse(observer.sawHostsPage(RangePage(pairs: [], more: true, revision: 2)))
    }

    /// The load puts its held pages in the index once the answer is drawn (`answerMade`), not
    /// while it is: drawing needs the cores.
    func testTheLoadWaitsUntilTheAnswerIsDrawn() async throws {
        let observer = try wholeTableObserver()
        let key = EndpointKey(host: "h", orchestrator: "k8s", workload: "w", endpoint: "e").path(in: layout)
        XCTAssertTrue(
            observer.sawHostsPage(
                RangePage(pairs: [KeyValue(key: key, value: [], modRevision: 2)], more: false, revision: 2)
            )
        )
        let made = Mutex(false)
        let loader = Task {
            await observer.answerMade()
            made.withLock { $0 = true }
        }
        try await Task.sleep(for: .milliseconds(50))
        XCTAssertFalse(made.withLock { $0 }, "the load went on before the answer was drawn")
        let answer = try await observer.answer()
        XCTAssertNotNil(answer)
        await loader.value
        XCTAssertTrue(made.withLock { $0 })

        // An observer that never saw the range's last page has no answer coming: the load goes on.
        let unfinished = try wholeTableObserver()
        XCTAssertTrue(unfinished.sawHostsPage(RangePage(pairs: [], more: true, revision: 2)))
        await unfinished.answerMade()
        let none = try await unfinished.answer()
        XCTAssertNil(none)
    }

    /// Only `endpoint show --detailed` as a table, with nothing staged, answers from the pages.
    func testOnlyADetailedTableAnswersFromThePages() {
        let detailed = EndpointCommand.showEndpoints(EndpointFilter(), detailed: true, wide: false)
        XCTAssertNotNil(DetailedTableFromPages(detailed, CommandContext(), layout: layout))
        XCTAssertNil(DetailedTableFromPages(detailed, CommandContext(format: .json), layout: layout))
        let summary = EndpointCommand.showEndpoints(EndpointFilter(), detailed: false, wide: false)
        XCTAssertNil(DetailedTableFromPages(summary, CommandContext(), layout: layout))
    }

    /// Through the session: the command that starts the load answers from it; the index it leaves
    /// holds every endpoint, and a later command (the load started) answers from the index.
    func testTheCommandThatStartsTheLoadAnswersFromItsPages() async throws {
        let session = try await LoadPages.referenceSession(layout: layout)
        let command = EndpointCommand.showEndpoints(EndpointFilter(), detailed: true, wide: false)
        let answer = try await session.answerWhileLoading(command, CommandContext())
        let executor = try await session.executor()
        let fromIndex = try await executor.run(command, CommandContext())
        XCTAssertEqual(try XCTUnwrap(answer).output, fromIndex.output)
        let endpoints = await executor.synchronizer.currentIndex().count
        XCTAssertEqual(endpoints, SampleData.reference(layout: layout).filter { $0.key.contains("/endpoint/") }.count)
        let again = try await session.answerWhileLoading(command, CommandContext())
        XCTAssertNil(again)
        await session.close()
    }
}
