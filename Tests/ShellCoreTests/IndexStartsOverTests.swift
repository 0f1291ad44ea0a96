import ShellDevTools
import ShellTesting
import XCTest

@testable import ShellCore

/// A store may take back the pages of a scan (`RangePage.startsOver`: etcd v2's read child by child,
/// given up under change): the index drops what that range gave before, and nothing of another range.
/// (The same against a real etcd v2: `V2DatastoreTests.testAWriteDuringAReadChildByChildStartsItOver`.)
final class IndexStartsOverTests: XCTestCase {
    let layout = KeyLayout()

    func testPagesBeforeAStartOverAreDropped() async throws {
        let memory = InMemoryStore()
        let kept = EndpointKey(host: "one", orchestrator: "k8s", workload: "w", endpoint: "eth0")
        _ = try await memory.commit(
            Transaction(operations: [
                .put(
                    key: kept.path(in: layout),
                    value: SampleData.endpointValue(name: "cali0", mac: nil, profiles: ["WEB"], ipv4: ["10.0.0.1/32"])
                ),
                .put(key: layout.profilePrefix(of: "WEB") + "rules", value: Array("{}".utf8)),
            ])
        )
        let dropped = EndpointKey(host: "gone", orchestrator: "k8s", workload: "w", endpoint: "eth9")
        let store = StartingOverStore(
            wrapping: memory,
            takenBack: [
                layout.hostsPrefix: KeyValue(
                    key: dropped.path(in: layout),
                    value: SampleData.endpointValue(name: "cali9", mac: nil, profiles: ["OLD"], ipv4: ["10.0.0.9/32"]),
                    modRevision: 1
                ),
                layout.profilesPrefix: KeyValue(
                    key: layout.profilePrefix(of: "OLD") + "rules",
                    value: [],
                    modRevision: 1
                ),
            ]
        )
        let synchronizer = IndexSynchronizer(store: store, layout: layout)
        try await synchronizer.start()
        let index = await synchronizer.currentIndex()
        await synchronizer.stop()
        XCTAssertEqual(index.allRecords.map(\.key), [kept])
        XCTAssertEqual(index.profileNames, ["WEB"])
        XCTAssertEqual(
            index.summary(matching: EndpointFilter()),
            [EndpointIndex.SummaryRow(host: "one", orchestrator: "k8s", workloads: 1, endpoints: 1)]
        )
    }
}

/// The in-memory store, but every scan first hands out a page of `takenBack[prefix]` and then starts
/// over with the real pages.
private final class StartingOverStore: KeyValueStore {
    let wrapped: InMemoryStore
    let takenBack: [String: KeyValue]

    init(wrapping store: InMemoryStore, takenBack: [String: KeyValue]) {
        wrapped = store
        self.takenBack = takenBack
    }

    func scanRange(
        prefix: String,
        revision: Int64,
        pageSize: Int64,
        keysOnly: Bool,
        onPage: (RangePage) throws -> Void
    ) async throws -> Int64 {
        if let pair = takenBack[prefix] { try onPage(RangePage(pairs: [pair], more: true, revision: 0)) }
        var first = true
        return try await pagedScan(prefix: prefix, revision: revision, pageSize: pageSize, keysOnly: keysOnly) { page in
            var page = page
            page.startsOver = first
            first = false
            try onPage(page)
        }
    }

    func range(
        from start: String,
        to end: String,
        revision: Int64,
        limit: Int64,
        keysOnly: Bool
    ) async throws
        -> RangePage
    {
        try await wrapped.range(from: start, to: end, revision: revision, limit: limit, keysOnly: keysOnly)
    }
    func get(_ key: String) async throws -> KeyValue? { try await wrapped.get(key) }
    func position(readingKey key: String) async throws -> StorePosition {
        try await wrapped.position(readingKey: key)
    }
    func commit(_ transaction: Transaction) async throws -> TransactionResult { try await wrapped.commit(transaction) }
    func watch(prefix: String, startRevision: Int64) -> WatchSubscription {
        wrapped.watch(prefix: prefix, startRevision: startRevision)
    }
    func status() async throws -> StoreStatus { try await wrapped.status() }
    func shutdown() async { await wrapped.shutdown() }
}
