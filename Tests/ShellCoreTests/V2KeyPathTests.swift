import XCTest

@testable import ShellCore

/// How keys and values reach etcd's v2 API: keys as percent-encoded paths (bytes, not characters),
/// values as form fields, and which directory a range reads.
final class V2KeyPathTests: XCTestCase {
    func testKeysArePercentEncodedByteForByte() {
        XCTAssertEqual(
            V2KeyPath.url(base: "http://e:2379", key: "/calico/v1/host/h"),
            "http://e:2379/v2/keys/calico/v1/host/h"
        )
        XCTAssertEqual(V2KeyPath.url(base: "", key: "/a b/%/?/#/é"), "/v2/keys/a%20b/%25/%3F/%23/%C3%A9")
        XCTAssertEqual(V2KeyPath.url(base: "", key: "relative"), "/v2/keys/relative")
        // A byte that is not UTF-8, kept by KeyText as an escape scalar, goes out as that byte.
        let invalid = KeyText.decode([0x2F, 0x68, 0xFF])
        XCTAssertEqual(V2KeyPath.url(base: "", key: invalid), "/v2/keys/h%FF")
    }

    func testValuesAreFormEncoded() {
        XCTAssertEqual(
            V2KeyPath.formValue(Array(#"{"a":"b c/d&e=f+g"}"#.utf8)),
            "%7B%22a%22%3A%22b%20c%2Fd%26e%3Df%2Bg%22%7D"
        )
    }

    func testARangeReadsTheDirectoryBothEndsShare() {
        XCTAssertEqual(
            V2HTTPStore.sharedDirectory("/calico/v1/host/", KeyRange.prefixEnd("/calico/v1/host/")),
            "/calico/v1/host/"
        )
        XCTAssertEqual(
            V2HTTPStore.sharedDirectory("/calico/v1/policy/profile/P/", "/calico/v1/policy/profile/P0"),
            "/calico/v1/policy/profile/P/"
        )
        XCTAssertEqual(V2HTTPStore.sharedDirectory("/calico/v1/host/a", "/calico/v1/host/c"), "/calico/v1/host/")
        XCTAssertEqual(V2HTTPStore.sharedDirectory("/a", "/b"), "/")
        // Only a directory's whole prefix range takes every leaf of its tree unfiltered.
        XCTAssertTrue(V2HTTPStore.isWholeDirectory("/calico/v1/host/", "/calico/v1/host0"))
        XCTAssertFalse(V2HTTPStore.isWholeDirectory("/calico/v1/host/", "/calico/v1/host/n"))
        XCTAssertFalse(V2HTTPStore.isWholeDirectory("/calico/v1/host/a", KeyRange.prefixEnd("/calico/v1/host/a")))
    }

    func testClusterIDIsTheHexHeader() {
        XCTAssertEqual(V2Headers(index: "42", clusterID: "cdf818194e3a8c32").clusterID, 0xcdf8_1819_4e3a_8c32)
        XCTAssertEqual(V2Headers(index: "42", clusterID: nil).index, 42)
    }
}
