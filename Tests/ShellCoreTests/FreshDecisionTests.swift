import Foundation
import ShellDevTools
import ShellTesting
import Synchronization
import XCTest

@testable import ShellCore

/// Edits decide on data at least as new as the command, even while the watch lags behind etcd:
/// the in-memory store holds its watch answers back, as a slow network would, while reads and
/// writes answer at once. (The same races against a real etcd: `EditUnderChangeTests`.)
final class FreshDecisionTests: XCTestCase {
    let layout = KeyLayout()
    let one = EndpointKey(host: "one", orchestrator: "k8s", workload: "w", endpoint: "eth0")
    let two = EndpointKey(host: "two", orchestrator: "k8s", workload: "w", endpoint: "eth0")
    let value = SampleData.endpointValue(name: "cali0", mac: nil, profiles: [], ipv4: ["10.0.0.1/32"])

    private func started(_ store: InMemoryStore, notices: NoticeLog? = nil) async throws -> Executor {
        _ = try await store.commit(
            Transaction(operations: [
                .put(key: one.path(in: layout), value: value),
                .put(key: layout.profilePrefix(of: "WEB") + "rules", value: Array("{}".utf8)),
            ])
        )
        let synchronizer = IndexSynchronizer(store: store, layout: layout, onNotice: { notices?.append($0) })
        try await synchronizer.start()
        return Executor(synchronizer: synchronizer)
    }

    /// Runs `edit` while the watch is held, releasing it a little later.
    private func runWithLaggingWatch(
        _ store: InMemoryStore,
        _ executor: Executor,
        _ command: EndpointCommand
    ) async -> Result<String, ShellError> {
        let release = Task {
            try? await Task.sleep(for: .milliseconds(150))
            await store.releaseEvents()
        }
        defer { release.cancel() }
        do {
            return .success(try await executor.run(command, format: .table).output)
        } catch {
            return .failure(error)
        }
    }

    func testAnIDMadeAmbiguousBeforeTheCommandIsRefused() async throws {
        let store = InMemoryStore()
        let executor = try await started(store)
        await store.holdEvents()
        _ = try await store.commit(Transaction(operations: [.put(key: two.path(in: layout), value: value)]))
        let result = await runWithLaggingWatch(
            store,
            executor,
            .editProfiles(EndpointFilter(endpoint: "eth0"), .append, ["WEB"])
        )
        XCTAssertEqual(result, .failure(.endpointAmbiguous(matches: [one, two], total: 2)))
        let stored = try await store.get(one.path(in: layout))
        XCTAssertEqual(stored?.value, value)
    }

    func testAProfileDeletedBeforeTheCommandIsNotFound() async throws {
        let store = InMemoryStore()
        let executor = try await started(store)
        await store.holdEvents()
        _ = try await store.commit(Transaction(operations: [.delete(key: layout.profilePrefix(of: "WEB") + "rules")]))
        let result = await runWithLaggingWatch(
            store,
            executor,
            .editProfiles(EndpointFilter(endpoint: "eth0"), .append, ["WEB"])
        )
        XCTAssertEqual(result, .failure(.profileNotFound("WEB")))
        let stored = try await store.get(one.path(in: layout))
        XCTAssertEqual(stored?.value, value)
    }

    /// "Nothing to change" is decided on fresh data too: a profile another writer removed just
    /// before is appended again, not reported as already there.
    func testNothingToChangeIsDecidedOnFreshData() async throws {
        let store = InMemoryStore()
        let executor = try await started(store)
        _ = try await executor.run(.editProfiles(EndpointFilter(endpoint: "eth0"), .append, ["WEB"]), format: .table)
        await store.holdEvents()
        _ = try await store.commit(Transaction(operations: [.put(key: one.path(in: layout), value: value)]))
        let result = await runWithLaggingWatch(
            store,
            executor,
            .editProfiles(EndpointFilter(endpoint: "eth0"), .append, ["WEB"])
        )
        XCTAssertEqual(result, .success("Profile(s) WEB appended.\n"))
    }

    /// etcd replaced behind the same address: the next command answers from the new store, and
    /// the user is told once.
    func testAReplacedStoreIsLoadedAgain() async throws {
        let store = InMemoryStore()
        let notices = NoticeLog()
        let executor = try await started(store, notices: notices)
        let newcomer = KeyValue(key: two.path(in: layout), value: value, modRevision: 1)
        await store.replace(clusterID: 7, keeping: [newcomer])
        let index = try await executor.freshIndex()
        XCTAssertEqual(index.records(matching: EndpointFilter()).map(\.key), [two])
        XCTAssertEqual(notices.lines.count, 1)
        XCTAssertTrue(notices.lines[0].hasPrefix("was replaced: its cluster ID changed"), notices.lines[0])
        _ = try await executor.freshIndex()
        XCTAssertEqual(notices.lines.count, 1)
    }
}

final class NoticeLog: Sendable {
    private let state = Mutex<[String]>([])
    var lines: [String] { state.withLock { $0 } }
    func append(_ line: String) { state.withLock { $0.append(line) } }
}

/// `--consistency=s`: reads answer from the watched index without asking etcd (and so may lag
/// behind it); edits stay linearizable.
final class ReadConsistencyTests: XCTestCase {
    let layout = KeyLayout()
    let one = EndpointKey(host: "one", orchestrator: "k8s", workload: "w", endpoint: "eth0")
    let two = EndpointKey(host: "two", orchestrator: "k8s", workload: "w", endpoint: "eth0")
    let value = SampleData.endpointValue(name: "cali0", mac: nil, profiles: [], ipv4: ["10.0.0.1/32"])

    private func started(_ store: InMemoryStore) async throws -> Executor {
        _ = try await store.commit(
            Transaction(operations: [
                .put(key: one.path(in: layout), value: value),
                .put(key: layout.profilePrefix(of: "WEB") + "rules", value: Array("{}".utf8)),
            ])
        )
        let synchronizer = IndexSynchronizer(store: store, layout: layout)
        try await synchronizer.start()
        return Executor(synchronizer: synchronizer)
    }

    func testSerializableReadsAnswerFromTheWatchedIndexAtOnce() async throws {
        let store = InMemoryStore()
        let executor = try await started(store)
        await store.holdEvents()  // the watch lags: the second endpoint is in etcd, not yet in the index
        _ = try await store.commit(Transaction(operations: [.put(key: two.path(in: layout), value: value)]))
        let show = EndpointCommand.showEndpoints(EndpointFilter(endpoint: "eth0"), detailed: false)

        let serializable = try await executor.run(show, format: .json, consistency: .serializable)
        XCTAssertEqual(
            serializable.output,
            #"[{"hostname":"one","orchestrator_id":"k8s","workloads":1,"endpoints":1}]"# + "\n"
        )

        let release = Task {
            try? await Task.sleep(for: .milliseconds(100))
            await store.releaseEvents()
        }
        defer { release.cancel() }
        let linearizable = try await executor.run(show, format: .json, consistency: .linearizable)
        XCTAssertEqual(linearizable.output.components(separatedBy: "hostname").count - 1, 2, linearizable.output)
    }

    func testEditsStayLinearizableWhenReadsAreNot() async throws {
        let store = InMemoryStore()
        let executor = try await started(store)
        await store.holdEvents()
        _ = try await store.commit(Transaction(operations: [.put(key: two.path(in: layout), value: value)]))
        let release = Task {
            try? await Task.sleep(for: .milliseconds(100))
            await store.releaseEvents()
        }
        defer { release.cancel() }
        let edit = EndpointCommand.editProfiles(EndpointFilter(endpoint: "eth0"), .append, ["WEB"])
        do {
            _ = try await executor.run(edit, format: .table, consistency: .serializable)
            XCTFail("an ID on two hosts must be ambiguous, whatever the read consistency")
        } catch {
            XCTAssertEqual(error, .endpointAmbiguous(matches: [one, two], total: 2))
        }
    }

    func testSetConsistencyParsesAndCompletes() throws {
        XCTAssertEqual(try CommandParser.parse("set consistency s"), .setConsistency(.serializable))
        XCTAssertEqual(try CommandParser.parse("set consistency l"), .setConsistency(.linearizable))
        XCTAssertThrowsError(try CommandParser.parse("set consistency x")) {
            XCTAssertEqual("\($0)", "Unknown consistency 'x': expected l or s")
        }
        let index = EndpointIndex(layout: layout)
        XCTAssertEqual(Completer.complete("set ", index: index).candidates, ["consistency", "output"])
        XCTAssertEqual(Completer.complete("set consistency ", index: index).candidates, ["l", "s"])
        XCTAssertEqual(Completer.complete("set output j", index: index).candidates, ["json"])
    }
}
