import NIOCore
import NIOPosix

/// Whether an endpoint answers plain HTTP: asked when a TLS handshake with an `https://` member
/// ends without a TLS answer. etcd serves gRPC and HTTP on its client port; given a TLS ClientHello
/// on a plain port it just closes the connection ("EOF during handshake"), which alone does not tell
/// a plain member from a TLS one that hung up. An HTTP answer to `GET /version` does.
enum PlainHTTPProbe {
    static func answersPlainHTTP(
        _ endpoint: EtcdConfiguration.Endpoint,
        timeout: TimeAmount = .seconds(2)
    ) async -> Bool {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        // Made before the channel, like TLSProbe's watcher: always completed, whatever happens.
        let reader = FirstAnswer(timeout: timeout, outcome: loop.makePromise())
        do {
            let channel = try await ClientBootstrap(group: loop)
                .connectTimeout(timeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(reader) }
                }
                .connect(host: endpoint.host, port: endpoint.port).get()
            let request = "GET /version HTTP/1.1\r\nHost: \(endpoint.authority)\r\nConnection: close\r\n\r\n"
            try await channel.writeAndFlush(channel.allocator.buffer(string: request))
            let answered = try await reader.outcome.get()
            channel.close(promise: nil)
            return answered
        } catch {
            loop.execute { reader.finish(false) }
            return false
        }
    }

    /// Completes with whether the first bytes back start an HTTP response; false on silence
    /// (after the timeout), on close and on errors.
    final class FirstAnswer: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        private let timeout: TimeAmount
        private let promise: EventLoopPromise<Bool>
        private var timer: Scheduled<Void>?
        private var done = false  // touched on the promise's event loop only

        init(timeout: TimeAmount, outcome: EventLoopPromise<Bool>) {
            self.timeout = timeout
            self.promise = outcome
        }

        var outcome: EventLoopFuture<Bool> { promise.futureResult }

        func channelActive(context: ChannelHandlerContext) {
            let channel = context.channel
            timer = context.eventLoop.scheduleTask(in: timeout) { [self] in
                finish(false)
                channel.close(promise: nil)
            }
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = Self.unwrapInboundIn(data).readableBytesView
            finish(bytes.starts(with: "HTTP/".utf8))
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) { finish(false) }
        func channelInactive(context: ChannelHandlerContext) { finish(false) }
        func handlerRemoved(context: ChannelHandlerContext) { finish(false) }

        func finish(_ answered: Bool) {
            guard !done else { return }
            done = true
            timer?.cancel()
            promise.succeed(answered)
        }
    }
}
