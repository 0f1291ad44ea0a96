import Foundation
import XCTest

@testable import ShellCore

/// The gRPC etcd client against a real etcd.
final class EtcdClientTests: XCTestCase {
    var etcd: EtcdProcess!
    var client: GRPCEtcdClient!

    override func setUp() async throws {
        etcd = try EtcdProcess()
        client = try await etcd.client()
    }

    override func tearDown() async throws {
        await client?.shutdown()
        etcd?.stop()
    }

    /// A scan asked for in one page (what one-shot summaries do) whose answer is over the client's
    /// message limit: gRPC refuses it, and the scan falls back to pages that fit, with every key once.
    func testAOnePageScanTooLargeForTheClientFallsBackToPages() async throws {
        let keys = (0..<400).map { "/big/" + String(100_000 + $0) }
        for start in stride(from: 0, to: keys.count, by: 100) {
            let puts = keys[start..<start + 100].map {
                Transaction.Operation.put(key: $0, value: [UInt8](repeating: 7, count: 50))
            }
            _ = try await client.commit(Transaction(operations: Array(puts)))
        }
        var configuration = try etcd.configuration()
        configuration.maximumAnswerBytes = 4 << 10
        let small = try GRPCEtcdClient(configuration: configuration)
        defer { Task { await small.shutdown() } }
        do {
            _ = try await small.range(from: "/big/", to: "/big0", revision: 0, limit: 0, keysOnly: false)
            XCTFail("an answer of about 30 KB should be over a 4 KiB limit")
        } catch EtcdError.answerTooLarge {}
        var pageSizes: [Int] = []
        var seen: [String] = []
        try await small.scan(prefix: "/big/", pageSize: 0, keysOnly: true) { page in
            pageSizes.append(page.pairs.count)
            seen += page.pairs.map(\.key)
        }
        XCTAssertEqual(seen, keys)
        XCTAssertGreaterThan(pageSizes.count, 1, "\(pageSizes)")
        // With the default limit the same scan is one page.
        pageSizes = []
        try await client.scan(prefix: "/big/", pageSize: 0, keysOnly: true) { page in pageSizes.append(page.pairs.count)
        }
        XCTAssertEqual(pageSizes, [400])
    }

    func testPutPrefixRangeAndCompareAndSwap() async throws {
        for i in 0..<5 { _ = try await client.put("/t/k\(i)", Array("v\(i)".utf8)) }
        _ = try await client.put("/u/other", [1])
        // A first page of two keys, then the rest in one (pages after the first hold at least
        // `ScanPaging.values.minimumLimit`), all at one revision.
        var pages = 0
        let all = try await client.rangeAll(prefix: "/t/", pageSize: 2) { _ in pages += 1 }
        XCTAssertEqual(all.pairs.map(\.key), ["/t/k0", "/t/k1", "/t/k2", "/t/k3", "/t/k4"])
        XCTAssertEqual(pages, 2)

        let fetched = try await client.get("/t/k0")
        let current = try XCTUnwrap(fetched)
        let lost = try await client.commit(
            Transaction(
                compares: [.modRevision(key: "/t/k0", equals: current.modRevision - 1)],
                operations: [.put(key: "/t/k0", value: [9])]
            )
        )
        XCTAssertFalse(lost.succeeded)
        let afterLost = try await client.get("/t/k0")
        XCTAssertEqual(afterLost?.value, Array("v0".utf8))
        let won = try await client.commit(
            Transaction(
                compares: [.modRevision(key: "/t/k0", equals: current.modRevision)],
                operations: [.put(key: "/t/k0", value: [9])]
            )
        )
        XCTAssertTrue(won.succeeded)
        let afterWon = try await client.get("/t/k0")
        XCTAssertEqual(afterWon?.value, [9])
        XCTAssertEqual(afterWon?.modRevision, won.revision)
        // mod_revision 0 means "does not exist yet".
        let create = try await client.commit(
            Transaction(
                compares: [.modRevision(key: "/t/new", equals: 0)],
                operations: [.put(key: "/t/new", value: [1])]
            )
        )
        XCTAssertTrue(create.succeeded)
    }

    func testWatchDeliversEventsAndProgress() async throws {
        let start = try await client.currentRevision()
        let subscription = client.watch(prefix: "/w/", startRevision: start + 1)
        defer { subscription.cancel() }
        let watch = WatchRecorder(subscription)
        let created = try await watch.next()
        XCTAssertEqual(created.isCreation, true)
        let written = try await client.put("/w/a", [1])
        _ = try await client.put("/elsewhere", [2])
        let batch = try await watch.next()
        XCTAssertEqual(batch.events.map(\.pair.key), ["/w/a"])
        XCTAssertEqual(batch.events.first?.kind, .put)
        XCTAssertEqual(batch.events.first?.pair.modRevision, written)
        // The batch's revision is how far the watch has got: at least the event's, or later when
        // the watch was still catching up as the second put landed.
        XCTAssertGreaterThanOrEqual(batch.revision, written)
        subscription.requestProgress()
        let progress = try await watch.next()
        XCTAssertEqual(progress.events, [])
        XCTAssertEqual(progress.revision, written + 1)
    }

    /// etcd 3.4 sends one HTTP/2 PING per request; without the PingResponder the connection is torn
    /// down (ENHANCE_YOUR_CALM) at about the 200th call and every watch on it dies.
    func testTwoThousandCallsOnOneConnection() async throws {
        let subscription = client.watch(prefix: "/many/", startRevision: try await client.currentRevision() + 1)
        defer { subscription.cancel() }
        let watch = WatchRecorder(subscription)
        let clock = ContinuousClock()
        let start = clock.now
        // Eight callers at once share the one connection (the PING count is per request either way).
        let client = self.client!
        let errors = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var failed = 0
                    for i in 0..<250 {
                        do {
                            if i % 2 == 0 {
                                _ = try await client.currentRevision()
                            } else {
                                _ = try await client.get("/many/x")
                            }
                        } catch {
                            failed += 1
                        }
                    }
                    return failed
                }
            }
            return try await group.reduce(0, +)
        }
        XCTAssertEqual(errors, 0)
        XCTAssertLessThan(clock.now - start, .seconds(30))
        // The watch on the same connection is still alive.
        let revision = try await client.put("/many/after", [1])
        var batch = try await watch.next()
        if batch.isCreation { batch = try await watch.next() }
        XCTAssertEqual(batch.revision, revision)
    }

    /// A compaction reports the revision it knows: etcd's compact revision from a watch, and from
    /// a read at a compacted revision (etcd's error names none) the first revision after it.
    func testCompactionReportsItsRevision() async throws {
        let first = try await client.put("/c/a", [1])
        _ = try await client.put("/c/a", [2])
        let last = try await client.put("/c/a", [3])
        try etcd.etcdctl(["compact", String(last)])
        do {
            _ = try await client.range(from: "/c/", to: "/c0", revision: first, limit: 0, keysOnly: false)
            XCTFail("expected the read at a compacted revision to fail")
        } catch let error as EtcdError {
            XCTAssertEqual(error, .compacted(revision: first + 1))
            XCTAssertEqual(error.description, "etcd history before revision \(first + 1) was compacted")
        }
        let watch = WatchRecorder(client.watch(prefix: "/c/", startRevision: first))
        do {
            while true { _ = try await watch.next() }
        } catch let error as EtcdError {
            XCTAssertEqual(error, .compacted(revision: last))
        }
    }

    /// What the banner shows, through the store protocol.
    func testStatusHasTheVersionAndRevision() async throws {
        let written = try await client.put("/s/a", [1])
        let store: any KeyValueStore = client
        let status = try await store.status()
        XCTAssertEqual(status.revision, written)
        XCTAssertTrue(status.version.hasPrefix("3."), status.version)
    }

    func testUnreachableIsOneClearErrorWithinTheDialTimeout() async throws {
        let port = try EtcdProcess.freePort()
        let configuration = EtcdConfiguration(
            endpoints: try EtcdConfiguration.parseEndpoints("http://127.0.0.1:\(port)", source: "test"),
            dialTimeout: .seconds(1)
        )
        let dead = try GRPCEtcdClient(configuration: configuration)
        let clock = ContinuousClock()
        let start = clock.now
        do {
            _ = try await dead.currentRevision()
            XCTFail("expected an error")
        } catch let error as EtcdError {
            XCTAssertEqual(error, .unreachable(endpoints: ["http://127.0.0.1:\(port)"], seconds: 1))
            XCTAssertEqual(error.description, "cannot reach etcd at http://127.0.0.1:\(port) (no answer within 1 s)")
        }
        XCTAssertLessThan(clock.now - start, .seconds(3))
        await dead.shutdown()

        let result = try ShellBinary.run([
            "--endpoints", "http://127.0.0.1:\(port)", "--dial-timeout", "1", "-c", "endpoint show",
        ])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.output, "")
        XCTAssertEqual(result.errors, "-c:1: cannot reach etcd at http://127.0.0.1:\(port) (no answer within 1 s)\n")
    }

    func testConfigurationErrorsNameTheVariable() throws {
        XCTAssertThrowsError(
            try EtcdConfiguration.resolveEndpoints(option: nil, environment: ["ETCD_ENDPOINTS": "ftp://x"])
        ) {
            XCTAssertEqual("\($0)", "ETCD_ENDPOINTS: 'ftp://x' is not an etcd URL such as http://127.0.0.1:2379")
        }
        XCTAssertThrowsError(
            try EtcdConfiguration.resolveEndpoints(option: nil, environment: ["ETCD_AUTHORITY": "host:99999"])
        )
        XCTAssertEqual(
            try EtcdConfiguration.resolveEndpoints(
                option: nil,
                environment: ["ETCD_AUTHORITY": "h:1234", "ETCD_SCHEME": "https"]
            ).map(\.description),
            ["https://h:1234"]
        )
        XCTAssertEqual(
            try EtcdConfiguration.resolveEndpoints(option: nil, environment: [:]).map(\.description),
            ["http://127.0.0.1:2379"]
        )
        let result = try ShellBinary.run(["-c", "endpoint show"], environment: ["ETCD_ENDPOINTS": "nonsense://"])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(
            result.errors,
            "calico-shell: ETCD_ENDPOINTS: 'nonsense://' is not an etcd URL such as http://127.0.0.1:2379\n"
        )
    }
}
