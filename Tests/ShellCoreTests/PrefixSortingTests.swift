import XCTest

@testable import ShellCore

final class PrefixSortingTests: XCTestCase {
    private func record(_ host: String, _ workload: String, _ endpoint: String) -> EndpointIndex.Record {
        EndpointIndex.Record(
            key: EndpointKey(host: host, orchestrator: "k8s", workload: workload, endpoint: endpoint),
            value: Array(endpoint.utf8),
            modRevision: 1
        )
    }

    /// The same order as sorting the records themselves, ties on the 8-byte prefix, shared IDs,
    /// short IDs and non-ASCII bytes included.
    func testSortsAsIDOrder() {
        let seed = UInt64.random(in: 1...UInt64.max)
        print("PrefixSortingTests seed \(seed)")
        var generator = SeededGenerator(seed: seed)
        let ids = [
            "abcdefgh1", "abcdefgh0", "abcdefgh", "abc", "ab", "", "é", "e",
            "zzzzzzzzzzzz", "abcdefgh1", "0", "a\u{0}",
        ]
        var records: [EndpointIndex.Record] = []
        for n in 0..<300 {
            records.append(record("h\(n % 7)", "w\(n % 5)", ids[Int.random(in: 0..<ids.count, using: &generator)]))
        }
        let expected = records.sorted { EndpointIndex.idOrder($0.key, $1.key) }
        PrefixSorting.sortByID(&records)
        XCTAssertEqual(records, expected, "seed \(seed)")
    }

    func testIDPrefixOrdersLikeTheBytes() {
        XCTAssertLessThan(PrefixSorting.idPrefix("ab"), PrefixSorting.idPrefix("abc"))
        XCTAssertLessThan(PrefixSorting.idPrefix("abcdefgh"), PrefixSorting.idPrefix("abcdefgi"))
        XCTAssertEqual(PrefixSorting.idPrefix("abcdefgh1"), PrefixSorting.idPrefix("abcdefgh2"))
        XCTAssertLessThan(PrefixSorting.idPrefix("z"), PrefixSorting.idPrefix("é"))
    }

    func testPermuteMovesEveryElementOnce() {
        var letters = ["a", "b", "c", "d", "e"]
        PrefixSorting.permute(&letters, taking: [3, 0, 4, 1, 2])
        XCTAssertEqual(letters, ["d", "a", "e", "b", "c"])
    }
}
