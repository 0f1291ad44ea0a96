import NIOCore
import NIOEmbedded
import XCTest

@testable import ShellCore

/// `PingResponder` passes every byte but the server's PINGs on, in order, however the reads cut
/// the frames, answers each PING, and holds no more than the incomplete frame a read ended with.
final class PingResponderTests: XCTestCase {
    private func frame(type: UInt8, flags: UInt8 = 0, payload: [UInt8]) -> [UInt8] {
        let length = payload.count
        return [UInt8(length >> 16), UInt8(length >> 8 & 0xff), UInt8(length & 0xff), type, flags, 0, 0, 0, 1]
            + payload
    }

    func testFramesPassAndPingsAreAnsweredHoweverReadsCutThem() throws {
        let seed = UInt64.random(in: 0..<1_000_000)
        print("PingResponderTests seed \(seed)")
        var random = SeededGenerator(seed: seed)
        // DATA frames of 16 KiB (what etcd sends) with a PING now and then: 4 MB in all.
        var stream: [UInt8] = []
        var expected: [UInt8] = []
        var pings = 0
        for number in 0..<256 {
            let data = frame(type: 0x0, payload: [UInt8](repeating: UInt8(number & 0xff), count: 16_384))
            stream += data
            expected += data
            if number % 50 == 7 {
                stream += frame(type: 0x6, payload: (0..<8).map { UInt8($0) + UInt8(number & 0x0f) })
                pings += 1
            }
        }
        let responder = PingResponder()
        let channel = EmbeddedChannel(handler: responder)
        var forwarded: [UInt8] = []
        var largestHeld = 0
        var offset = 0
        while offset < stream.count {
            // Reads of up to 64 KiB, as NIO's reads are: almost never on a frame boundary.
            let count = min(Int.random(in: 1...65_536, using: &random), stream.count - offset)
            try channel.writeInbound(ByteBuffer(bytes: stream[offset..<offset + count]))
            offset += count
            while var buffer = try channel.readInbound(as: ByteBuffer.self) {
                forwarded += buffer.readBytes(length: buffer.readableBytes)!
            }
            largestHeld = max(largestHeld, responder.heldCapacity)
        }
        XCTAssertEqual(forwarded.count, expected.count, "seed \(seed)")
        XCTAssertTrue(forwarded == expected, "seed \(seed)")
        var acks = 0
        while var ack = try channel.readOutbound(as: ByteBuffer.self) {
            let bytes = ack.readBytes(length: ack.readableBytes)!
            XCTAssertEqual(Array(bytes[3...4]), [0x6, 0x1], "a PING ACK, seed \(seed)")
            acks += 1
        }
        XCTAssertEqual(acks, pings, "seed \(seed)")
        // At most what one read and the frame before it can hold, never the whole stream.
        XCTAssertLessThanOrEqual(largestHeld, 256 * 1024, "seed \(seed)")
        _ = try channel.finish()
    }
}
