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
    }

    func testClusterIDIsTheHexHeader() {
        XCTAssertEqual(V2Headers(index: "42", clusterID: "cdf818194e3a8c32").clusterID, 0xcdf8_1819_4e3a_8c32)
        XCTAssertEqual(V2Headers(index: "42", clusterID: nil).index, 42)
    }
}

/// The v2 tree is read from its bytes: the same pairs `JSONDecoder` finds, escapes resolved.
final class V2TreeScannerTests: XCTestCase {
    func testLeavesOfATreeAsEtcdSendsIt() throws {
        let json = #"""
            {"action":"get","node":{"key":"/calico/v1/host","dir":true,"nodes":[
            {"key":"/calico/v1/host/a","dir":true,"modifiedIndex":3,"createdIndex":3,"nodes":[
            {"key":"/calico/v1/host/a/x","value":"{\"n\":\"caf\u00e9 \ud83d\ude00\\\/\n\"}",
            "modifiedIndex":7,"createdIndex":4}]},
            {"key":"/calico/v1/host/\u00e9","value":"","modifiedIndex":9,"createdIndex":9,
            "ttl":-1.5e3,"x":[null,true,{}]}],
            "modifiedIndex":2,"createdIndex":2}}
            """#
        let pairs = try V2TreeScanner.leaves(Array(json.utf8), keysOnly: false)
        XCTAssertEqual(pairs.map(\.key), ["/calico/v1/host/a/x", "/calico/v1/host/é"])
        XCTAssertEqual(pairs.map(\.modRevision), [7, 9])
        XCTAssertEqual(String(decoding: pairs[0].value, as: UTF8.self), "{\"n\":\"café 😀\\/\n\"}")
        XCTAssertEqual(try V2TreeScanner.leaves(Array(json.utf8), keysOnly: true).map(\.value), [[], []])
        XCTAssertThrowsError(try V2TreeScanner.leaves(Array(json.utf8.dropLast(3)), keysOnly: false))
    }
}
