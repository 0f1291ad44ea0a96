import Foundation
import XCTest

@testable import ShellCore

/// The v2 tree is read from its bytes as they arrive: the same pairs `JSONDecoder` finds, escapes
/// resolved, however the body is cut into pieces.
final class V2TreeScannerTests: XCTestCase {
    /// A tree as etcd sends it, with what a scanner could trip on: escapes of every kind (`\"`, `\\`,
    /// `\/`, `\u00e9`, a surrogate pair, control characters), raw UTF-8, keys with spaces, quotes and
    /// braces, an empty directory, numbers and literals in fields that are not kept, and a `node`
    /// inside an unknown field.
    static let tree = #"""
        {"action":"get","node":{"key":"/calico/v1/host","dir":true,"nodes":[
        {"key":"/calico/v1/host/a","dir":true,"modifiedIndex":3,"createdIndex":3,"nodes":[
        {"key":"/calico/v1/host/a/x","value":"{\"n\":\"caf\u00e9 \ud83d\ude00\\\/\n\"}",
        "modifiedIndex":7,"createdIndex":4}]},
        {"key":"/calico/v1/host/\u00e9","value":"","modifiedIndex":9,"createdIndex":9,
        "ttl":-1.5e3,"x":[null,true,{}]},
        {"key":"/calico/v1/host/empty","dir":true,"nodes":[]},
        { "key" : "/calico/v1/host/odd key \"q\" {b} [c] , : \\ \/ \b\f\r\t" , "value" : "v\u0001é€😀" ,
          "modifiedIndex" : 12345678901 , "expiration" : "2026-11-27T10:00:00Z" , "dir" : false },
        {"key":"/calico/v1/host/b","dir":true,"nodes":[{"key":"/calico/v1/host/b/c","dir":true,"nodes":[
        {"key":"/calico/v1/host/b/c/ü/日本","value":"\u65e5\u672c \\u0041","modifiedIndex":10}]}]}],
        "modifiedIndex":2,"createdIndex":2},"extra":{"node":{"key":"/elsewhere","value":"w","modifiedIndex":1}}}
        """#

    /// The pairs `JSONDecoder` finds in `tree` (its nodes walked as etcd's clients do).
    static func expected(keysOnly: Bool) throws -> [KeyValue] {
        struct Answer: Decodable {
            var node: V2Node
            var extra: Extra
            struct Extra: Decodable { var node: V2Node }
        }
        let answer = try JSONDecoder().decode(Answer.self, from: Data(tree.utf8))
        var pairs: [KeyValue] = []
        func walk(_ node: V2Node) {
            if node.dir == true {
                node.nodes?.forEach(walk)
            } else if let key = node.key {
                let value = keysOnly ? [] : Array((node.value ?? "").utf8)
                pairs.append(KeyValue(key: key, value: value, modRevision: node.modifiedIndex ?? 0))
            }
        }
        walk(answer.node)
        walk(answer.extra.node)
        return pairs
    }

    func testLeavesAreWhatJSONDecoderFinds() throws {
        for keysOnly in [false, true] {
            let pairs = try V2TreeScanner.leaves(Array(Self.tree.utf8), keysOnly: keysOnly)
            XCTAssertEqual(pairs, try Self.expected(keysOnly: keysOnly))
        }
        let pairs = try V2TreeScanner.leaves(Array(Self.tree.utf8), keysOnly: false)
        XCTAssertEqual(
            pairs.map(\.key),
            [
                "/calico/v1/host/a/x", "/calico/v1/host/é",
                "/calico/v1/host/odd key \"q\" {b} [c] , : \\ / \u{8}\u{c}\r\t",
                "/calico/v1/host/b/c/ü/日本", "/elsewhere",
            ]
        )
        XCTAssertEqual(pairs.map(\.modRevision), [7, 9, 12_345_678_901, 10, 1])
        XCTAssertEqual(String(decoding: pairs[0].value, as: UTF8.self), "{\"n\":\"café 😀\\/\n\"}")
        XCTAssertEqual(String(decoding: pairs[2].value, as: UTF8.self), "v\u{1}é€😀")
        XCTAssertEqual(String(decoding: pairs[3].value, as: UTF8.self), "日本 \\u0041")
    }

    /// Every cut into two pieces, and one byte at a time.
    func testEverySplitIntoTwoPiecesGivesTheSamePairs() throws {
        let bytes = Array(Self.tree.utf8)
        for keysOnly in [false, true] {
            let expected = try Self.expected(keysOnly: keysOnly)
            for cut in 0...bytes.count {
                XCTAssertEqual(
                    try Self.scan([Array(bytes[..<cut]), Array(bytes[cut...])], keysOnly: keysOnly),
                    expected
                )
            }
            XCTAssertEqual(try Self.scan(bytes.map { [$0] }, keysOnly: keysOnly), expected)
        }
    }

    /// Many random cuts at once (empty pieces too); the seed is printed so a failure can be replayed.
    func testRandomSplitsGiveTheSamePairs() throws {
        let seed = UInt64.random(in: 1...UInt64.max)
        print("V2TreeScannerTests random splits: seed \(seed)")
        var random = SeededGenerator(seed: seed)
        let bytes = Array(Self.tree.utf8)
        for round in 0..<500 {
            let keysOnly = round % 2 == 1
            var pieces: [[UInt8]] = []
            var at = 0
            while at < bytes.count {
                let length = Int(random.next() % 24)
                pieces.append(Array(bytes[at..<min(at + length, bytes.count)]))
                at += length
            }
            XCTAssertEqual(
                try Self.scan(pieces, keysOnly: keysOnly),
                try Self.expected(keysOnly: keysOnly),
                "seed \(seed), round \(round)"
            )
        }
    }

    /// A body cut short anywhere is an error, never a shorter tree.
    func testEveryTruncationIsAnError() {
        let bytes = Array(Self.tree.utf8)
        for end in 0..<bytes.count {
            XCTAssertThrowsError(try Self.scan([Array(bytes[..<end])], keysOnly: true), "cut at \(end)")
        }
    }

    func testMalformedBodiesAreErrors() {
        for body in [
            "", "[]", "\"x\"", "{\"node\":{\"key\":\"/a\"}} x", "{\"node\":{\"key\":\"/a\\q\"}}",
            "{\"node\":{\"key\":\"/a\\u12G4\"}}", "{\"node\":{\"key\" \"/a\"}}", "{\"node\":{\"dir\":tru}}",
            "{\"node\":{\"dir\":trueish}}", "{\"a\":1,}", "{\"a\":[1,]}", "{\"a\":[1}", "{\"a\":{]}",
        ] {
            XCTAssertThrowsError(try V2TreeScanner.leaves(Array(body.utf8), keysOnly: false), body)
        }
    }

    /// A surrogate that is not half of a pair becomes U+FFFD, and what follows it is read as usual.
    func testLoneSurrogatesBecomeReplacementCharacters() throws {
        let body = #"{"node":{"key":"/k","value":"a\ud83dB\ud83d\n\ude00\ud83d\u0041\ud83d"}}"#
        let bytes = Array(body.utf8)
        let expected = Array("a\u{FFFD}B\u{FFFD}\n\u{FFFD}\u{FFFD}A\u{FFFD}".utf8)
        for cut in 0...bytes.count {
            let pairs = try Self.scan([Array(bytes[..<cut]), Array(bytes[cut...])], keysOnly: false)
            XCTAssertEqual(pairs.map(\.value), [expected], "cut at \(cut)")
        }
    }

    private static func scan(_ pieces: [[UInt8]], keysOnly: Bool) throws -> [KeyValue] {
        var scanner = V2TreeScanner(keysOnly: keysOnly)
        for piece in pieces { try scanner.feed(piece) }
        try scanner.finish()
        return scanner.pairs
    }
}
