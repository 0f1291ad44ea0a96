import ShellDevTools
import XCTest

@testable import ShellCore

final class EndpointLookupTests: XCTestCase {
    /// One endpoint ID under several hosts: the error names the matches (the first five, then how
    /// many more), so the user sees which filter to add.
    func testAmbiguousIDNamesTheMatches() throws {
        var index = EndpointIndex(layout: KeyLayout())
        let value = SampleData.endpointValue(name: "x", mac: nil, profiles: [], ipv4: [])
        let pairs = (1...7).map { n in
            let key = EndpointKey(host: "h\(n)", orchestrator: "k8s", workload: "w\(n)", endpoint: "dup")
            return KeyValue(key: key.path(in: KeyLayout()), value: value, modRevision: Int64(n))
        }
        index.load(pairs, revision: 8)
        let filter = EndpointFilter(endpoint: "dup")
        XCTAssertThrowsError(try ShowProfiles.run(index, filter: filter, format: .table)) { error in
            XCTAssertEqual(
                String(describing: error),
                "More than 1 endpoint matches the provided criteria. "
                    + "Please provide additional parameters to refine the search. "
                    + "It matches --host=h1 --orchestrator=k8s --workload=w1; "
                    + "--host=h2 --orchestrator=k8s --workload=w2; --host=h3 --orchestrator=k8s --workload=w3; "
                    + "--host=h4 --orchestrator=k8s --workload=w4; "
                    + "--host=h5 --orchestrator=k8s --workload=w5; and 2 more."
            )
        }
    }
}
