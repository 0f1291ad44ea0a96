import ShellTesting
import XCTest

@testable import ShellCore

final class ScanPagingTests: XCTestCase {
    func testSmallRangesKeepTheMinimumPage() {
        XCTAssertEqual(ScanPaging.values.nextLimit(minimum: 10_000, remaining: 50_000, returned: 10_000), 50_000)
        XCTAssertEqual(ScanPaging.keysOnly.nextLimit(minimum: 2, remaining: 10, returned: 2), 8)
        XCTAssertEqual(ScanPaging.values.nextLimit(minimum: 60_000, remaining: 100_000, returned: 60_000), 60_000)
    }

    /// 100,000 endpoints: after a first page of 10,000, the rest in pages of 50,000 (not 8 of 11,250:
    /// etcd 3.4 walks the rest of the range for every page).
    func testMidSizedRangesTakeFewPages() {
        XCTAssertEqual(ScanPaging.values.nextLimit(minimum: 10_000, remaining: 100_000, returned: 10_000), 50_000)
    }

    func testLargeRangesTakeAtMostMaximumPages() {
        // 1,000,000 keys: after a first page of 10,000, the rest in 8 pages of 123,750.
        let limit = ScanPaging.values.nextLimit(minimum: 10_000, remaining: 1_000_000, returned: 10_000)
        XCTAssertEqual(limit, 123_750)
        XCTAssertEqual((990_000 + limit - 1) / limit, ScanPaging.values.maximumPages)
        XCTAssertEqual(ScanPaging.keysOnly.nextLimit(minimum: 50_000, remaining: 1_000_000, returned: 50_000), 600_000)
    }

    func testPagesNeverExceedTheirCap() {
        XCTAssertEqual(ScanPaging.values.nextLimit(minimum: 10_000, remaining: 5_000_000, returned: 10_000), 200_000)
    }

    func testNothingLeftKeepsTheMinimum() {
        XCTAssertEqual(ScanPaging.keysOnly.nextLimit(minimum: 5, remaining: 3, returned: 3), 5)
        XCTAssertEqual(ScanPaging.values.nextLimit(minimum: 60_000, remaining: 3, returned: 3), 60_000)
    }

    /// Every key once, in order, in a bounded number of pages, however the pages grow.
    func testScanReadsEveryKeyOnceInFewPages() async throws {
        let store = InMemoryStore()
        let keys = (0..<1_000).map { "/p/" + String(1_000 + $0) }
        for start in stride(from: 0, to: keys.count, by: 100) {
            let operations = keys[start..<start + 100].map { Transaction.Operation.put(key: $0, value: [1]) }
            _ = try await store.commit(Transaction(operations: Array(operations)))
        }
        var seen: [String] = []
        var pages = 0
        try await store.scan(prefix: "/p/", pageSize: 10) { page in
            seen += page.pairs.map(\.key)
            pages += 1
        }
        XCTAssertEqual(seen, keys)
        XCTAssertLessThanOrEqual(Int64(pages), 1 + ScanPaging.values.maximumPages)
    }
}
