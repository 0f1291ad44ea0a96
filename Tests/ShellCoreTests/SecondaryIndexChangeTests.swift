import ShellDevTools
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
}
