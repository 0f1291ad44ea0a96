import ShellDevTools
import ShellTesting
import XCTest

@testable import ShellCore

/// Changes to endpoints keep `--profile` and `--address` answers right: a changed value moves only
/// the entries whose fields changed, and an ID on two hosts is counted per endpoint.
final class SecondaryIndexChangeTests: XCTestCase {
    let layout = KeyLayout()

    private func put(_ index: inout EndpointIndex, host: String, profile: String, address: String, revision: Int64) {
        let key = EndpointKey(host: host, orchestrator: "k8s", workload: "w", endpoint: "e1")
        let value = SampleData.endpointValue(name: "cali", mac: nil, profiles: [profile], ipv4: [address])
        index.put(KeyValue(key: key.path(in: layout), value: value, modRevision: revision))
    }

    private func hosts(_ index: EndpointIndex, profile: String? = nil, address: String? = nil) throws -> [String] {
        let filter = EndpointFilter(address: try address.map { try IPNetwork.parse($0) }, profile: profile)
        return index.records(matching: filter).map(\.key.host)
    }

    func testChangedProfilesAndAddressesMoveTheirEntries() throws {
        var index = EndpointIndex(layout: layout)
        put(&index, host: "a", profile: "P", address: "10.0.0.1/32", revision: 2)
        put(&index, host: "b", profile: "P", address: "10.0.0.1/32", revision: 3)
        XCTAssertEqual(try hosts(index, profile: "P"), ["a", "b"])

        put(&index, host: "a", profile: "Q", address: "10.0.0.1/32", revision: 4)
        XCTAssertEqual(try hosts(index, profile: "P"), ["b"], "the other host's endpoint of the same ID keeps P")
        XCTAssertEqual(try hosts(index, profile: "Q"), ["a"])
        XCTAssertEqual(try hosts(index, address: "10.0.0.1"), ["a", "b"])

        put(&index, host: "b", profile: "P", address: "10.0.0.2/32", revision: 5)
        XCTAssertEqual(try hosts(index, address: "10.0.0.1"), ["a"])
        XCTAssertEqual(try hosts(index, address: "10.0.0.2"), ["b"])

        index.delete(EndpointKey(host: "b", orchestrator: "k8s", workload: "w", endpoint: "e1").path(in: layout))
        XCTAssertEqual(try hosts(index, profile: "P"), [])
        XCTAssertEqual(try hosts(index, address: "10.0.0.2"), [])
        XCTAssertEqual(try hosts(index, profile: "Q"), ["a"])
    }

    /// A load may leave the secondary indexes for later (a first `endpoint show --detailed` needs
    /// none): until they are built `--profile`, `--address` and completion's lists scan for the same
    /// answers, changes in between are not lost, and once built they equal a load that built them.
    func testDeferredSecondaryIndexesAnswerAlikeAndCatchUp() throws {
        var pairs: [KeyValue] = []
        for number in 0..<40 {
            let key = EndpointKey(
                host: "h\(number % 4)",
                orchestrator: "k8s",
                workload: "w\(number)",
                endpoint: "e\(number)"
            )
            let value = SampleData.endpointValue(
                name: "cali\(number)",
                mac: nil,
                profiles: number % 3 == 0 ? ["P", "Q"] : ["P"],
                ipv4: ["10.0.\(number % 5).\(number)/32"]
            )
            pairs.append(KeyValue(key: key.path(in: layout), value: value, modRevision: 2))
        }
        pairs.sort { KeyText.less($0.key, $1.key) }
        var eager = EndpointIndex(layout: layout)
        eager.load(pairs, revision: 2)
        var deferred = EndpointIndex(layout: layout)
        deferred.startLoading(deferringSecondaryIndexes: true)
        for pair in pairs { deferred.put(pair) }
        deferred.finishLoading()
        XCTAssertFalse(deferred.hasSecondaryIndexes)
        func assertAlike(_ step: String) throws {
            XCTAssertEqual(try hosts(deferred, profile: "Q"), try hosts(eager, profile: "Q"), step)
            XCTAssertEqual(try hosts(deferred, address: "10.0.2.0/24"), try hosts(eager, address: "10.0.2.0/24"), step)
            XCTAssertEqual(try hosts(deferred, address: "10.0.1.6"), try hosts(eager, address: "10.0.1.6"), step)
            XCTAssertEqual(deferred.profileNamesInUse, eager.profileNamesInUse, step)
            XCTAssertEqual(deferred.networks(withPrefix: "10.0.3"), eager.networks(withPrefix: "10.0.3"), step)
        }
        try assertAlike("deferred")
        // Changes before the build: a retag, a moved address, a removal, a new endpoint.
        for index in [0, 1] {
            var target = index == 0 ? eager : deferred
            put(&target, host: "h1", profile: "R", address: "10.0.9.9/32", revision: 3)
            target.delete(pairs[5].key)
            target.put(
                KeyValue(
                    key: pairs[6].key,
                    value: SampleData.endpointValue(name: "x", mac: nil, profiles: ["Q"], ipv4: ["10.0.4.1/32"]),
                    modRevision: 4
                )
            )
            if index == 0 { eager = target } else { deferred = target }
        }
        try assertAlike("changed before the build")
        XCTAssertFalse(deferred.hasSecondaryIndexes)
        deferred.buildSecondaryIndexes()
        XCTAssertTrue(deferred.hasSecondaryIndexes)
        XCTAssertTrue(deferred.secondaryIndexesEqual(eager))
        try assertAlike("built")
    }

    /// The synchronizer builds them for the first command that needs them, and before it publishes
    /// a snapshot for completion; a command that needs none leaves them unbuilt.
    func testTheSynchronizerBuildsThemWhenNeeded() async throws {
        let store = InMemoryStore()
        let key = EndpointKey(host: "h", orchestrator: "k8s", workload: "w", endpoint: "e")
        let value = SampleData.endpointValue(name: "cali", mac: nil, profiles: ["P"], ipv4: ["10.0.0.1/32"])
        _ = try await store.commit(Transaction(operations: [.put(key: key.path(in: layout), value: value)]))
        let synchronizer = IndexSynchronizer(store: store, layout: layout)
        try await synchronizer.start()
        let before = try await synchronizer.withIndex(fresh: true, needsSecondaryIndexes: false) {
            $0.hasSecondaryIndexes
        }
        XCTAssertFalse(before)
        let after = try await synchronizer.withIndex(fresh: true) { index in
            (index.hasSecondaryIndexes, index.records(matching: EndpointFilter(profile: "P")).count)
        }
        XCTAssertTrue(after.0)
        XCTAssertEqual(after.1, 1)

        let second = IndexSynchronizer(store: store, layout: layout)
        try await second.start()
        await second.publishSnapshots()
        XCTAssertEqual(second.snapshot?.hasSecondaryIndexes, true)
        XCTAssertEqual(second.snapshot?.profileNamesInUse, ["P"])
        await synchronizer.stop()
        await second.stop()
    }
}
