import Foundation
import ShellDevTools
import ShellTesting
import XCTest

@testable import ShellCore

/// The watch-synced index against a real etcd: restarts, compaction, and counts.
final class IndexSyncTests: XCTestCase {
    let layout = KeyLayout()

    private func value(_ profiles: [String] = []) -> [UInt8] {
        SampleData.endpointValue(name: "x", mac: nil, profiles: profiles, ipv4: [])
    }

    /// With no datastore set, a session's first read (its load's first page) is the v3 probe: its
    /// answer is kept, so etcd is not asked to walk the whole prefix once more for a probe of its own.
    /// A read outside the prefix proves nothing and is not answered.
    func testTheFirstReadStandsInForTheDetectionProbe() async throws {
        let etcd = try EtcdProcess()
        defer { etcd.stop() }
        let writer = try await etcd.client()
        try await BulkLoader.load(SampleData.reference(layout: layout), into: writer)
        let hosts = layout.hostsPrefix
        let read = DatastoreDetection.FirstRead(
            start: hosts,
            end: KeyRange.prefixEnd(hosts),
            revision: 0,
            limit: 2,
            keysOnly: true
        )
        let (choice, answer) = try await DatastoreDetection.choose(
            configuration: try etcd.configuration(),
            prefix: layout.prefix,
            firstRead: read
        )
        XCTAssertEqual(choice.kind, .etcdv3)
        XCTAssertEqual(answer?.pairs.count, 2)
        XCTAssertEqual(answer?.more, true)
        var outside = read
        outside.start = "/elsewhere/"
        outside.end = KeyRange.prefixEnd("/elsewhere/")
        let other = try await DatastoreDetection.choose(
            configuration: try etcd.configuration(),
            prefix: layout.prefix,
            firstRead: outside
        )
        XCTAssertEqual(other.choice.kind, .etcdv3)
        XCTAssertNil(other.answer)
        // Through the detecting store, the load reads the same as through a chosen one.
        let detecting = try DetectingStore(configuration: try etcd.configuration(), prefix: layout.prefix)
        let (pairs, _) = try await detecting.rangeAll(prefix: hosts, pageSize: 2)
        let (direct, _) = try await writer.rangeAll(prefix: hosts, pageSize: 2)
        XCTAssertEqual(pairs, direct)
        await detecting.shutdown()
        await choice.store.shutdown()
        await other.choice.store.shutdown()
    }

    func testWatchResumesAfterAnEtcdRestart() async throws {
        let etcd = try EtcdProcess()
        defer { etcd.stop() }
        let writer = try await etcd.client()
        try await BulkLoader.load(SampleData.reference(layout: layout), into: writer)
        let store = try await etcd.client(dialTimeout: .seconds(2))
        let synchronizer = IndexSynchronizer(store: store, layout: layout, catchUpTimeout: .seconds(2))
        try await synchronizer.start()
        let before = try await synchronizer.freshIndex()
        XCTAssertEqual(before.count, 5)

        etcd.kill()
        // While etcd is down, a command fails fast with a clear error instead of hanging.
        let clock = ContinuousClock()
        let start = clock.now
        do {
            _ = try await synchronizer.freshIndex()
            XCTFail("expected etcd to be unreachable")
        } catch let error as EtcdError {
            XCTAssertTrue(error.description.hasPrefix("cannot reach etcd at \(etcd.url)"), error.description)
        }
        XCTAssertLessThan(clock.now - start, .seconds(4))

        try etcd.restart()
        let writerAgain = try await etcd.client()
        let key = EndpointKey(host: "after", orchestrator: "k8s", workload: "w", endpoint: "after-restart")
        _ = try await writerAgain.put(key.path(in: layout), value())
        var index: EndpointIndex?
        let deadline = clock.now + .seconds(15)
        while index == nil && clock.now < deadline {
            index = try? await synchronizer.freshIndex()
            if index == nil { try await Task.sleep(for: .milliseconds(200)) }
        }
        XCTAssertEqual(index?.count, 6)
        XCTAssertEqual(index?.records(matching: EndpointFilter(endpoint: "after-restart")).count, 1)
        let loads = await synchronizer.loads
        XCTAssertEqual(loads, 1, "a restart resumes the watch; it does not reload")
        await synchronizer.stop()
        await writer.shutdown()
        await writerAgain.shutdown()
        await store.shutdown()
    }

    func testCompactionTriggersAFullReload() async throws {
        let etcd = try EtcdProcess()
        defer { etcd.stop() }
        let client = try await etcd.client()
        try await BulkLoader.load(SampleData.reference(layout: layout), into: client)
        let store = WatchOutageStore(wrapping: client)
        let synchronizer = IndexSynchronizer(store: store, layout: layout)
        try await synchronizer.start()
        await store.cutWatches()
        // While the watch is away: a delete, a new endpoint, then the history is compacted.
        let gone = EndpointKey(
            host: "calico",
            orchestrator: "docker",
            workload: "0d01b3f020fcadfd0090fcbbbbef9658acb26f71c1cb812827afafc625c5ae1a",
            endpoint: "d79123c4784511e5bd1a080027f532f6"
        )
        _ = try await client.commit(Transaction(operations: [.delete(key: gone.path(in: layout))]))
        let added = EndpointKey(host: "new", orchestrator: "k8s", workload: "w", endpoint: "added")
        let revision = try await client.put(added.path(in: layout), value())
        try etcd.etcdctl(["compact", String(revision)])
        await store.restoreWatches()
        let index = try await synchronizer.freshIndex()
        XCTAssertEqual(index.count, 5)
        XCTAssertEqual(index.records(matching: EndpointFilter(endpoint: "d79123c4784511e5bd1a080027f532f6")).count, 0)
        XCTAssertEqual(index.records(matching: EndpointFilter(endpoint: "added")).count, 1)
        let loads = await synchronizer.loads
        XCTAssertEqual(loads, 2)
        await synchronizer.stop()
        await client.shutdown()
    }

    func testCountsStayRightUnderPutsDeletesAndMoves() async throws {
        let etcd = try EtcdProcess()
        defer { etcd.stop() }
        let client = try await etcd.client()
        let synchronizer = IndexSynchronizer(store: client, layout: layout)
        try await synchronizer.start()
        var live: [String: EndpointKey] = [:]
        for step in 0..<300 {
            if live.isEmpty || step % 3 != 0 {
                let key = EndpointKey(
                    host: "h\(step % 4)",
                    orchestrator: step % 2 == 0 ? "docker" : "k8s",
                    workload: "w\(step % 7)",
                    endpoint: "e\(step)"
                )
                _ = try await client.put(key.path(in: layout), value())
                live[key.endpoint] = key
            } else {
                let victim = live.values.sorted()[step % live.count]
                live[victim.endpoint] = nil
                if step % 2 == 0 {
                    // A move: delete and put under another host in one transaction.
                    let moved = EndpointKey(
                        host: "moved\(step)",
                        orchestrator: victim.orchestrator,
                        workload: victim.workload,
                        endpoint: victim.endpoint
                    )
                    _ = try await client.commit(
                        Transaction(operations: [
                            .delete(key: victim.path(in: layout)), .put(key: moved.path(in: layout), value: value()),
                        ])
                    )
                    live[moved.endpoint] = moved
                } else {
                    _ = try await client.commit(Transaction(operations: [.delete(key: victim.path(in: layout))]))
                }
            }
        }
        let index = try await synchronizer.freshIndex()
        var expected: [String: (workloads: Set<String>, endpoints: Int)] = [:]
        for key in live.values {
            expected[key.host + "/" + key.orchestrator, default: ([], 0)].workloads.insert(key.workload)
            expected[key.host + "/" + key.orchestrator, default: ([], 0)].endpoints += 1
        }
        let summary = index.summary(matching: EndpointFilter())
        XCTAssertEqual(summary.count, expected.count)
        for row in summary {
            XCTAssertEqual(row.workloads, expected[row.host + "/" + row.orchestrator]?.workloads.count)
            XCTAssertEqual(row.endpoints, expected[row.host + "/" + row.orchestrator]?.endpoints)
        }
        XCTAssertEqual(index.count, live.count)
        await synchronizer.stop()
        await client.shutdown()
    }
}
