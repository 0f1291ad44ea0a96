import NIOCore
import NIOHTTP2

/// Answers the server's HTTP/2 PINGs before swift-nio-http2 sees them.
///
/// Why: etcd 3.4 serving plaintext gRPC sends one PING per request it receives (grpc-go's bandwidth
/// probe). swift-nio-http2 counts inbound PING and SETTINGS frames as a denial-of-service heuristic and,
/// past 200 in 30 s, closes the connection with ENHANCE_YOUR_CALM — every call and watch on it fails at
/// about the 200th RPC. grpc-swift-nio-transport does not expose that limit, so this handler sits just
/// below `NIOHTTP2Handler`, cuts the server's PING frames (not ACKs) out of the inbound byte stream and
/// writes the PING ACK itself, which is exactly what HTTP/2 asks of the client.
///
/// It parses only frame boundaries (the 9-byte header), never payloads, and forwards everything else
/// unchanged and in order.
final class PingResponder: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private static let frameHeaderLength = 9
    private static let pingType: UInt8 = 0x6
    private static let ackFlag: UInt8 = 0x1

    /// The bytes of an incomplete frame the last read ended with.
    private var pending: ByteBuffer?

    /// How many bytes the held buffer has room for (tests: it stays about one read's size).
    var heldCapacity: Int { pending?.capacity ?? 0 }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if var rest = pending {
            // A new buffer of the two, never `pending` grown: written into, it kept every byte
            // read since the last read that ended on a frame boundary (rare), which made one
            // buffer as large as a whole Range answer grow by doubling, page by fresh page (a
            // third of receiving a page, perf).
            var joined = context.channel.allocator.buffer(capacity: rest.readableBytes + incoming.readableBytes)
            joined.writeBuffer(&rest)
            joined.writeBuffer(&incoming)
            pending = joined
        } else {
            pending = incoming
        }
        forwardCompleteFrames(context: context)
    }

    /// Walks the complete frames in `pending`, forwarding runs of non-PING frames as one buffer and
    /// answering each PING. An incomplete frame at the end stays pending until more bytes come.
    private func forwardCompleteFrames(context: ChannelHandlerContext) {
        guard var buffer = pending else { return }
        var runStart = buffer.readerIndex
        var cursor = buffer.readerIndex
        var answered = false
        while buffer.writerIndex - cursor >= Self.frameHeaderLength {
            guard let length = frameLength(buffer, at: cursor),
                let type = buffer.getInteger(at: cursor + 3, as: UInt8.self),
                let flags = buffer.getInteger(at: cursor + 4, as: UInt8.self)
            else { break }
            let frameEnd = cursor + Self.frameHeaderLength + length
            guard frameEnd <= buffer.writerIndex else { break }
            if type == Self.pingType && flags & Self.ackFlag == 0 && length == 8 {
                if cursor > runStart, let run = buffer.getSlice(at: runStart, length: cursor - runStart) {
                    context.fireChannelRead(wrapInboundOut(run))
                }
                if let payload = buffer.getSlice(at: cursor + Self.frameHeaderLength, length: 8) {
                    writeAck(payload: payload, context: context)
                    answered = true
                }
                runStart = frameEnd
            }
            cursor = frameEnd
        }
        if cursor > runStart, let run = buffer.getSlice(at: runStart, length: cursor - runStart) {
            context.fireChannelRead(wrapInboundOut(run))
        }
        buffer.moveReaderIndex(to: cursor)
        pending = buffer.readableBytes > 0 ? buffer : nil
        if answered { context.flush() }
    }

    private func frameLength(_ buffer: ByteBuffer, at index: Int) -> Int? {
        guard let high = buffer.getInteger(at: index, as: UInt8.self),
            let low = buffer.getInteger(at: index + 1, as: UInt16.self)
        else { return nil }
        return Int(high) << 16 | Int(low)
    }

    private func writeAck(payload: ByteBuffer, context: ChannelHandlerContext) {
        var frame = context.channel.allocator.buffer(capacity: Self.frameHeaderLength + 8)
        frame.writeInteger(UInt8(0))
        frame.writeInteger(UInt16(8))
        frame.writeInteger(Self.pingType)
        frame.writeInteger(Self.ackFlag)
        frame.writeInteger(UInt32(0))
        var payload = payload
        frame.writeBuffer(&payload)
        context.write(wrapOutboundOut(frame), promise: nil)
    }

    /// Installs the responder directly below the connection's HTTP/2 handler (after TLS, if any).
    static func install(in channel: any Channel) -> EventLoopFuture<Void> {
        channel.eventLoop.submit {
            let pipeline = channel.pipeline.syncOperations
            let http2 = try pipeline.handler(type: NIOHTTP2Handler.self)
            try pipeline.addHandler(PingResponder(), position: .before(http2))
        }
    }
}
