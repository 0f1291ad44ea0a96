import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore
import Synchronization

/// The real etcd: one gRPC client (one HTTP/2 connection per member) for the whole session.
///
/// - All configured members sit behind one channel with round-robin load balancing, so a dead member
///   costs nothing but a reconnect to another.
/// - Unary calls wait for a ready connection up to the dial timeout: the first command after an etcd
///   restart succeeds instead of failing during the reconnect backoff.
/// - Keepalive pings every 10 s (etcd penalises clients pinging faster than every 5 s).
/// - `PingResponder` is installed on every connection: see there why.
///
/// This file holds the transport and the one way every unary call is made (`call`); the requests
/// themselves are in `GRPCEtcdClient+KV`, `+Watch` and `+Auth`, their messages' mapping in
/// `ProtobufConversions`, and what a failure means in `ErrorMapping`.
public final class GRPCEtcdClient: KeyValueStore {
    public typealias Transport = HTTP2ClientTransport.Posix

    public let configuration: EtcdConfiguration
    let client: GRPCClient<Transport>
    private let connections: Task<Void, Never>
    let auth: Authenticator

    public init(configuration: EtcdConfiguration) throws(EtcdError) {
        self.configuration = configuration
        let target = try AddressResolution.target(for: configuration.endpoints)
        let security = try TLSSetup.transportSecurity(for: configuration)
        let transport: Transport
        do {
            transport = try Transport(
                target: target,
                transportSecurity: security,
                config: .defaults { config in
                    config.connection.keepalive = .init(
                        time: .seconds(10),
                        timeout: .seconds(5),
                        allowWithoutCalls: true
                    )
                    config.backoff = .init(
                        initial: .milliseconds(200),
                        max: .seconds(2),
                        multiplier: 1.6,
                        jitter: 0.2
                    )
                    config.channelDebuggingCallbacks.onCreateTCPConnection = { channel in
                        PingResponder.install(in: channel)
                    }
                },
                serviceConfig: ServiceConfig(loadBalancingConfig: [.roundRobin])
            )
        } catch {
            throw .configuration("cannot set up the etcd connection: \(error)")
        }
        let client = GRPCClient(transport: transport)
        self.client = client
        self.connections = Task { try? await client.runConnections() }
        // The authenticator gets the call it needs, not the client: it must not hold the client
        // alive, and the client's other calls need the token it hands out.
        self.auth = Authenticator(
            credentials: configuration.credentials,
            authenticate: Self.authenticateCall(client: client, configuration: configuration)
        )
    }

    deinit {
        client.beginGracefulShutdown()
    }

    /// Closes the connection after the default grace (see `shutdown(grace:)`).
    public func shutdown() async {
        await shutdown(grace: .seconds(2))
    }

    /// Closes the connection. In-flight calls get `grace` to finish; after that the connection is
    /// closed under them, so a stream nobody cancelled (or a member that stopped answering) can never
    /// keep the shell from exiting.
    public func shutdown(grace: Duration) async {
        client.beginGracefulShutdown()
        let connections = self.connections
        let deadline = Task {
            try await Task.sleep(for: grace)
            connections.cancel()  // cancelling `runConnections` closes the transport at once
        }
        await connections.value
        deadline.cancel()
    }

    // MARK: Calls

    /// Options of every unary call.
    static func unaryOptions(dialTimeout: Duration, maximumAnswerBytes: Int = 256 << 20) -> CallOptions {
        var options = CallOptions.defaults
        options.waitForReady = true
        options.timeout = dialTimeout
        // A page of thousands of endpoints can pass gRPC's 4 MiB default; etcd itself sends up to 2 GiB.
        // grpc-swift-nio-transport bounds the messages a call *receives* by `maxRequestMessageBytes`
        // (its stream handler's one `maxPayloadSize`), so both are the answer limit.
        options.maxRequestMessageBytes = maximumAnswerBytes
        options.maxResponseMessageBytes = maximumAnswerBytes
        return options
    }

    var unaryOptions: CallOptions {
        Self.unaryOptions(dialTimeout: configuration.dialTimeout, maximumAnswerBytes: configuration.maximumAnswerBytes)
    }

    /// Runs one call with the auth token, authenticating first and once more if the token expired.
    /// An idempotent call (a read) whose connection broke under it is sent again, to another member
    /// if there are several, until the dial timeout; a write is never resent here (its caller
    /// re-reads to learn whether it landed). `revision` is the one a read asked for, if any: a
    /// compacted read reports it (etcd's error names no revision).
    func call<Result: Sendable>(
        _ operation: String,
        idempotent: Bool = false,
        revision: Int64 = 0,
        _ body: (Metadata, CallOptions) async throws -> Result
    ) async throws(EtcdError) -> Result {
        var retriedAuth = false
        let deadline = ContinuousClock.now + configuration.dialTimeout
        var pause = Duration.milliseconds(20)
        while true {
            do {
                // Without credentials there is no token to fetch: skip the hop to the actor.
                let metadata = configuration.credentials == nil ? [:] : try await auth.metadata()
                return try await body(metadata, unaryOptions)
            } catch let error as EtcdError {
                throw error
            } catch {
                let mapped = ErrorMapping.map(
                    error,
                    operation: operation,
                    revision: revision,
                    configuration: configuration
                )
                if case .tokenExpired = mapped, !retriedAuth {
                    retriedAuth = true
                    await auth.invalidate()
                    continue
                }
                if idempotent, let rpc = error as? RPCError, rpc.code == .unavailable,
                    ContinuousClock.now + pause < deadline, (try? await Task.sleep(for: pause)) != nil
                {
                    pause = min(pause * 2, .milliseconds(500))
                    continue
                }
                if case .unreachable = mapped.error, configuration.usesTLS,
                    let endpoint = configuration.endpoints.first,
                    let reason = await TLSProbe.handshakeFailure(with: endpoint, files: configuration.tls)
                {
                    throw .tlsRefused(endpoint: endpoint.description, reason: reason)
                }
                throw mapped.error
            }
        }
    }

    /// The etcd version of the member that answers, and the current revision (for the banner).
    public func status() async throws -> StoreStatus {
        let maintenance = Etcdserverpb_Maintenance.Client(wrapping: client)
        let response = try await call("reading the cluster status", idempotent: true) { metadata, options in
            try await maintenance.status(Etcdserverpb_StatusRequest(), metadata: metadata, options: options)
        }
        return StoreStatus(version: response.version, revision: response.header.revision)
    }
}
