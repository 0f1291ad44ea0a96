import Foundation
import SwiftProtobuf
import XCTest

@testable import ShellCore

/// `RawRangeResponse` reads etcd's `RangeResponse` bytes in place: it must read what SwiftProtobuf
/// reads, whatever the keys and values hold and whatever fields it does not know come along.
final class RawRangeResponseTests: XCTestCase {
    /// Seeded random responses (binary keys, empty and large values, the key-value fields the
    /// reader skips, fields of numbers it does not know), read both ways.
    func testReadsWhatSwiftProtobufReads() throws {
        let seed = UInt64.random(in: 0..<1_000_000)
        print("RawRangeResponseTests seed \(seed)")
        var random = SeededGenerator(seed: seed)
        for round in 0..<50 {
            var message = Etcdserverpb_RangeResponse()
            message.header.clusterID = UInt64.random(in: 0...UInt64.max, using: &random)
            message.header.memberID = UInt64.random(in: 0...UInt64.max, using: &random)
            message.header.revision = Int64.random(in: 0...Int64.max, using: &random)
            message.header.raftTerm = 7
            message.more = Bool.random(using: &random)
            message.count = Int64.random(in: 0..<1_000_000, using: &random)
            for _ in 0..<Int.random(in: 0..<40, using: &random) {
                var pair = Etcdserverpb_KeyValue()
                pair.key = Data(
                    (0..<Int.random(in: 1..<120, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                )
                let valueLength = [0, 1, 200, 5_000].randomElement(using: &random)!
                pair.value = Data((0..<valueLength).map { _ in UInt8.random(in: 0...255, using: &random) })
                pair.modRevision = Int64.random(in: 1...Int64.max, using: &random)
                pair.createRevision = Int64.random(in: 1...Int64.max, using: &random)
                pair.version = Int64.random(in: 1..<100, using: &random)
                pair.lease = Int64.random(in: 0..<3, using: &random)
                message.kvs.append(pair)
            }
            var bytes: [UInt8] = try message.serializedBytes()
            if round % 2 == 1 {
                // Fields 99 (bytes), 98 (varint), 97 (fixed64) and 96 (fixed32), unknown to both readers.
                bytes += [0x9A, 0x06, 3, 1, 2, 3, 0x90, 0x06, 0xAC, 0x02]
                bytes +=
                    [0x89, 0x06] + [UInt8](repeating: 9, count: 8) + [0x85, 0x06] + [UInt8](repeating: 8, count: 4)
            }
            let raw = try RawRangeResponse(bytes: bytes)
            let expected = try Etcdserverpb_RangeResponse(serializedBytes: bytes)
            XCTAssertEqual(raw.clusterID, expected.header.clusterID, "seed \(seed)")
            XCTAssertEqual(raw.revision, expected.header.revision, "seed \(seed)")
            XCTAssertEqual(raw.more, expected.more, "seed \(seed)")
            XCTAssertEqual(raw.count, expected.count, "seed \(seed)")
            XCTAssertEqual(raw.keyValues.keyValues, expected.kvs.map(KeyValue.init), "seed \(seed)")
            let page = RangePage(
                raw: raw.keyValues,
                more: raw.more,
                revision: raw.revision,
                remaining: raw.count,
                clusterID: 0
            )
            XCTAssertEqual(page.count, expected.kvs.count)
            XCTAssertEqual(page.lastKey, expected.kvs.last.map { KeyText.decode($0.key) })
            XCTAssertEqual(page.keys, expected.kvs.map { KeyText.decode($0.key) })
        }
    }

    func testATruncatedResponseIsAnError() throws {
        var message = Etcdserverpb_RangeResponse()
        var pair = Etcdserverpb_KeyValue()
        pair.key = Data("/calico/v1/host/a".utf8)
        pair.value = Data(repeating: 1, count: 300)
        message.kvs = [pair]
        let bytes: [UInt8] = try message.serializedBytes()
        XCTAssertNoThrow(try RawRangeResponse(bytes: bytes))
        for cut in [1, 2, 10, bytes.count - 1] {
            XCTAssertThrowsError(try RawRangeResponse(bytes: Array(bytes.prefix(cut))), "cut at \(cut)")
        }
    }
}
