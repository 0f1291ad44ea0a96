import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS

/// Why a TLS connection to etcd fails, in words an operator can act on.
///
/// gRPC reports a failed handshake only as "unavailable" once the dial timeout has passed, which
/// reads like a dead etcd. When an https member does not answer, one plain TLS handshake with the
/// same files tells the real reason: an untrusted server certificate, a client certificate the
/// server wants, or none at all (then etcd really is unreachable).
enum TLSProbe {
    static func handshakeFailure(
        with endpoint: EtcdConfiguration.Endpoint,
        files: EtcdConfiguration.TLSFiles,
        connectTimeout: TimeAmount = .seconds(2),
        handshakeTimeout: TimeAmount = .seconds(5)
    ) async -> String? {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let ca = files.caCertificate { tls.trustRoots = .file(ca) }
        if let certificate = files.certificate, let key = files.key,
            let chain = try? NIOSSLCertificate.fromPEMFile(certificate),
            let privateKey = try? NIOSSLPrivateKey(file: key, format: .pem)
        {
            tls.certificateChain = chain.map { .certificate($0) }
            tls.privateKey = .privateKey(privateKey)
        }
        tls.certificateVerification = files.skipVerify ? .none : .fullVerification
        guard let context = try? NIOSSLContext(configuration: tls) else { return nil }
        let isAddress = endpoint.host.allSatisfy { $0.isHexDigit || $0 == "." || $0 == ":" }
        let hostname = isAddress ? nil : endpoint.host
        // The watcher and its promise exist before the channel: a handshake that fails at once can
        // tear the pipeline down before this task could look the handler up in it.
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let watcher = HandshakeWatcher(timeout: handshakeTimeout, endpoint: endpoint, outcome: loop.makePromise())
        do {
            let channel = try await ClientBootstrap(group: loop)
                .connectTimeout(connectTimeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: context, serverHostname: hostname)
                        )
                        try channel.pipeline.syncOperations.addHandler(watcher)
                    }
                }
                .connect(host: endpoint.host, port: endpoint.port).get()
            let outcome = try await watcher.outcome.get()
            channel.close(promise: nil)
            // A plain-HTTP member closes the connection on our ClientHello: an EOF, or a reset when
            // its close races our write (seen on a loaded machine). Either way, ask it in plain HTTP.
            let closedOnUs = outcome.map {
                $0.contains("EOF during handshake") || $0.contains("Connection reset by peer")
            }
            if closedOnUs == true, await PlainHTTPProbe.answersPlainHTTP(endpoint) {
                return notTLS(endpoint)
            }
            return outcome
        } catch {
            // No connection (or no channel at all): complete the promise if nothing else did.
            loop.execute { watcher.finish(nil) }
            return nil
        }
    }

    static func notTLS(_ endpoint: EtcdConfiguration.Endpoint) -> String {
        var plain = endpoint
        plain.secure = false
        return "etcd at \(endpoint) does not speak TLS (is it \(plain)?)"
    }

    /// Plain words for BoringSSL's reasons.
    static func explain(_ error: any Error, endpoint: EtcdConfiguration.Endpoint) -> String {
        let text = String(describing: error)
        // The answer to our ClientHello was no TLS record at all (an HTTP server answering on a
        // plain port): BoringSSL calls that a wrong version number.
        if text.contains("WRONG_VERSION_NUMBER") {
            return notTLS(endpoint)
        }
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return "etcd's server certificate is not trusted (check --cacert / ETCD_CA_CERT_FILE)"
        }
        if text.contains("CERTIFICATE_REQUIRED") || text.contains("BAD_CERTIFICATE")
            || text.contains("HANDSHAKE_FAILURE")
        {
            return "etcd refused the connection without a valid client certificate (give --cert and --key)"
        }
        return text
    }

    /// Completes `outcome` with the handshake's error, or nil when it succeeded and the server did
    /// not drop the connection right after (TLS 1.3 servers reject a client certificate late), or
    /// when the server said nothing within the timeout (a stopped etcd must not hang the probe; a
    /// busy machine must not make a real refusal look like silence, hence seconds, not less).
    final class HandshakeWatcher: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = NIOAny
        private let timeout: TimeAmount
        private let endpoint: EtcdConfiguration.Endpoint
        private let promise: EventLoopPromise<String?>
        private var timer: Scheduled<Void>?
        private var done = false  // touched on the promise's event loop only, like all of this

        init(timeout: TimeAmount, endpoint: EtcdConfiguration.Endpoint, outcome: EventLoopPromise<String?>) {
            self.timeout = timeout
            self.endpoint = endpoint
            self.promise = outcome
        }

        /// Always completed: by the handshake, by the channel going away, or by the timeout.
        var outcome: EventLoopFuture<String?> { promise.futureResult }

        // The handshake's clock starts once connected (the connect has its own timeout).
        func channelActive(context: ChannelHandlerContext) {
            let channel = context.channel
            timer = context.eventLoop.scheduleTask(in: timeout) { [self] in
                finish(nil)
                channel.close(promise: nil)
            }
            context.fireChannelActive()
        }

        // A channel that never connects is torn down without becoming inactive: the promise must
        // still be completed (NIO traps on a leaked promise).
        func handlerRemoved(context: ChannelHandlerContext) {
            finish(nil)
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if let event = event as? TLSUserEvent, case .handshakeCompleted = event {
                context.eventLoop.scheduleTask(in: .seconds(1)) { [self] in finish(nil) }
            }
            context.fireUserInboundEventTriggered(event)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            finish(TLSProbe.explain(error, endpoint: endpoint))
        }

        func channelInactive(context: ChannelHandlerContext) {
            finish(nil)
        }

        /// Completes the outcome once; later calls do nothing.
        func finish(_ reason: String?) {
            guard !done else { return }
            done = true
            timer?.cancel()
            promise.succeed(reason)
        }
    }
}
