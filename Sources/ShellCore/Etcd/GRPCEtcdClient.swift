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
public final class GRPCEtcdClient: KeyValueStore {
    public typealias Transport = HTTP2ClientTransport.Posix

    public let configuration: EtcdConfiguration
    private let client: GRPCClient<Transport>
    private let connections: Task<Void, Never>
    private let auth: Authenticator

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
                    config.connection.keepalive = .init(time: .seconds(10), timeout: .seconds(5), allowWithoutCalls: true)
                    config.backoff = .init(initial: .milliseconds(200), max: .seconds(2), multiplier: 1.6, jitter: 0.2)
                    config.channelDebuggingCallbacks.onCreateTCPConnection = { channel in PingResponder.install(in: channel) }
                },
                serviceConfig: ServiceConfig(loadBalancingConfig: [.roundRobin])
            )
        } catch {
            throw .configuration("cannot set up the etcd connection: \(error)")
        }
        let client = GRPCClient(transport: transport)
        self.client = client
        self.connections = Task { try? await client.runConnections() }
        self.auth = Authenticator(credentials: configuration.credentials)
    }

    deinit {
        client.beginGracefulShutdown()
    }

    /// Closes the connection. In-flight calls get `grace` to finish; after that the connection is
    /// closed under them, so a stream nobody cancelled (or a member that stopped answering) can never
    /// keep the shell from exiting.
    public func shutdown(grace: Duration = .seconds(2)) async {
        client.beginGracefulShutdown()
        let connections = self.connections
        let deadline = Task {
            try await Task.sleep(for: grace)
            connections.cancel() // cancelling `runConnections` closes the transport at once
        }
        await connections.value
        deadline.cancel()
    }

    // MARK: Calls

    private var kv: Etcdserverpb_KV.Client<Transport> { Etcdserverpb_KV.Client(wrapping: client) }

    private var unaryOptions: CallOptions {
        var options = CallOptions.defaults
        options.waitForReady = true
        options.timeout = configuration.dialTimeout
        // A page of thousands of endpoints can pass gRPC's 4 MiB default; etcd itself sends up to 2 GiB.
        options.maxRequestMessageBytes = 256 << 20
        options.maxResponseMessageBytes = 256 << 20
        return options
    }

    /// Runs one call with the auth token, authenticating first and once more if the token expired.
    /// An idempotent call (a read) whose connection broke under it is sent again, to another member
    /// if there are several, until the dial timeout; a write is never resent here (its caller
    /// re-reads to learn whether it landed).
    private func call<Result: Sendable>(_ operation: String, idempotent: Bool = false, _ body: (Metadata, CallOptions) async throws -> Result) async throws(EtcdError) -> Result {
        var retriedAuth = false
        let deadline = ContinuousClock.now + configuration.dialTimeout
        var pause = Duration.milliseconds(20)
        while true {
            do {
                // Without credentials there is no token to fetch: skip the hop to the actor.
                let metadata = configuration.credentials == nil ? [:] : try await auth.metadata(using: self)
                return try await body(metadata, unaryOptions)
            } catch let error as EtcdError {
                throw error
            } catch {
                let mapped = ErrorMapping.map(error, operation: operation, configuration: configuration)
                if case .tokenExpired = mapped, !retriedAuth {
                    retriedAuth = true
                    await auth.invalidate()
                    continue
                }
                if idempotent, let rpc = error as? RPCError, rpc.code == .unavailable, ContinuousClock.now + pause < deadline,
                   (try? await Task.sleep(for: pause)) != nil {
                    pause = min(pause * 2, .milliseconds(500))
                    continue
                }
                if case .unreachable = mapped.error, configuration.usesTLS, let endpoint = configuration.endpoints.first,
                   let reason = await TLSProbe.handshakeFailure(with: endpoint, files: configuration.tls) {
                    throw .tlsRefused(endpoint: endpoint.description, reason: reason)
                }
                throw mapped.error
            }
        }
    }

    public func range(from start: String, to end: String, revision: Int64, limit: Int64, keysOnly: Bool) async throws -> RangePage {
        var request = Etcdserverpb_RangeRequest()
        request.keysOnly = keysOnly
        request.key = Data(KeyText.encode(start))
        request.rangeEnd = Data(KeyText.encode(end))
        request.revision = revision
        request.limit = limit
        let response = try await call("reading \(start)", idempotent: true) { metadata, options in
            try await kv.range(request, metadata: metadata, options: options)
        }
        return RangePage(pairs: response.kvs.map(KeyValue.init), more: response.more, revision: response.header.revision,
                         remaining: response.count, clusterID: response.header.clusterID)
    }

    public func get(_ key: String) async throws -> KeyValue? {
        var request = Etcdserverpb_RangeRequest()
        request.key = Data(KeyText.encode(key))
        let response = try await call("reading \(key)", idempotent: true) { metadata, options in
            try await kv.range(request, metadata: metadata, options: options)
        }
        return response.kvs.first.map(KeyValue.init)
    }

    public func position(readingKey key: String) async throws -> StorePosition {
        // A linearizable count of one key (that need not exist): the cheapest request that carries the
        // cluster's current revision and goes through the leader's read index.
        var request = Etcdserverpb_RangeRequest()
        request.key = Data(KeyText.encode(key))
        request.countOnly = true
        let response = try await call("reading \(key)", idempotent: true) { metadata, options in
            try await kv.range(request, metadata: metadata, options: options)
        }
        return StorePosition(clusterID: response.header.clusterID, revision: response.header.revision)
    }

    public func commit(_ transaction: Transaction) async throws -> TransactionResult {
        var request = Etcdserverpb_TxnRequest()
        request.compare = transaction.compares.map { compare in
            var message = Etcdserverpb_Compare()
            switch compare {
            case .modRevision(let key, let revision):
                message.key = Data(KeyText.encode(key))
                message.target = .mod
                message.result = .equal
                message.modRevision = revision
            case .exists(let prefix):
                // Over a range, etcd compares every key in it, or a key of version 0 when there
                // is none: "version > 0" holds exactly when some key exists.
                message.key = Data(KeyText.encode(prefix))
                message.rangeEnd = Data(KeyText.encode(KeyRange.prefixEnd(prefix)))
                message.target = .version
                message.result = .greater
                message.version = 0
            }
            return message
        }
        request.success = transaction.operations.map { operation in
            var message = Etcdserverpb_RequestOp()
            switch operation {
            case .put(let key, let value):
                var put = Etcdserverpb_PutRequest()
                put.key = Data(KeyText.encode(key))
                put.value = Data(value)
                message.requestPut = put
            case .delete(let key):
                var delete = Etcdserverpb_DeleteRangeRequest()
                delete.key = Data(KeyText.encode(key))
                message.requestDeleteRange = delete
            }
            return message
        }
        let keys = transaction.operations.first?.key ?? "etcd"
        let response = try await call("writing \(keys)") { metadata, options in
            try await kv.txn(request, metadata: metadata, options: options)
        }
        return TransactionResult(succeeded: response.succeeded, revision: response.header.revision)
    }

    public func put(_ key: String, _ value: [UInt8]) async throws -> Int64 {
        try await commit(Transaction(operations: [.put(key: key, value: value)])).revision
    }

    /// The etcd version of the member that answers, and the current revision (for the banner).
    public func status() async throws -> (version: String, revision: Int64) {
        let maintenance = Etcdserverpb_Maintenance.Client(wrapping: client)
        let response = try await call("reading the cluster status", idempotent: true) { metadata, options in
            try await maintenance.status(Etcdserverpb_StatusRequest(), metadata: metadata, options: options)
        }
        return (response.version, response.header.revision)
    }

    func authenticate(user: String, password: String) async throws(EtcdError) -> String {
        let authClient = Etcdserverpb_Auth.Client(wrapping: client)
        var request = Etcdserverpb_AuthenticateRequest()
        request.name = user
        request.password = password
        do {
            return try await authClient.authenticate(request, options: unaryOptions).token
        } catch {
            let mapped = ErrorMapping.map(error, operation: "authenticating", configuration: configuration)
            if case .error(.server(_, let message)) = mapped, message.contains("authentication failed") {
                throw .authenticationFailed(user: user)
            }
            throw mapped.error
        }
    }

    // MARK: Watch

    public func watch(prefix: String, startRevision: Int64) -> WatchSubscription {
        let (requests, requestSink) = AsyncStream<Etcdserverpb_WatchRequest>.makeStream()
        let (batches, batchSink) = AsyncThrowingStream<WatchBatch, any Error>.makeStream()
        var create = Etcdserverpb_WatchCreateRequest()
        create.key = Data(KeyText.encode(prefix))
        create.rangeEnd = Data(KeyText.encode(KeyRange.prefixEnd(prefix)))
        create.startRevision = startRevision
        create.watchID = 1
        var createRequest = Etcdserverpb_WatchRequest()
        createRequest.createRequest = create
        requestSink.yield(createRequest)

        let watchClient = Etcdserverpb_Watch.Client(wrapping: client)
        let task = Task { [auth, configuration] in
            do {
                var metadata = try await auth.metadata(using: self)
                // A member cut off from the quorum cancels the watch instead of going quiet.
                metadata.addString("true", forKey: "hasleader")
                var options = CallOptions.defaults
                options.waitForReady = true
                options.maxRequestMessageBytes = 256 << 20
                options.maxResponseMessageBytes = 256 << 20
                try await watchClient.watch(metadata: metadata, options: options, requestProducer: { writer in
                    for await request in requests { try await writer.write(request) }
                }, onResponse: { response in
                    for try await message in response.messages {
                        if message.canceled {
                            if message.compactRevision > 0 { throw EtcdError.compacted(revision: message.compactRevision) }
                            throw EtcdError.watchEnded(message.cancelReason.isEmpty ? "cancelled by etcd" : message.cancelReason)
                        }
                        if message.created && message.events.isEmpty {
                            batchSink.yield(WatchBatch(events: [], revision: message.header.revision, isCreation: true,
                                                       clusterID: message.header.clusterID))
                            continue
                        }
                        batchSink.yield(WatchBatch(events: message.events.map(WatchEvent.init), revision: message.header.revision,
                                                   clusterID: message.header.clusterID))
                    }
                })
                batchSink.finish(throwing: EtcdError.watchEnded("the server closed the stream"))
            } catch let error as EtcdError {
                batchSink.finish(throwing: error)
            } catch {
                batchSink.finish(throwing: ErrorMapping.map(error, operation: "watching \(prefix)", configuration: configuration).error)
            }
            requestSink.finish()
        }
        batchSink.onTermination = { _ in task.cancel(); requestSink.finish() }
        var progress = Etcdserverpb_WatchRequest()
        progress.progressRequest = Etcdserverpb_WatchProgressRequest()
        let progressRequest = progress
        return WatchSubscription(
            batches: batches,
            requestProgress: { requestSink.yield(progressRequest) },
            cancel: { task.cancel(); requestSink.finish() })
    }
}

extension KeyValue {
    init(_ message: Etcdserverpb_KeyValue) {
        self.init(key: KeyText.decode(message.key), value: Array(message.value), modRevision: message.modRevision)
    }
}

extension WatchEvent {
    init(_ message: Etcdserverpb_Event) {
        self.init(kind: message.type == .delete ? .delete : .put, pair: KeyValue(message.kv))
    }
}

/// Holds the session's auth token: authenticates once, on first use, and again when etcd says the
/// token expired. The password never leaves this actor except in the Authenticate call.
actor Authenticator {
    private let credentials: EtcdConfiguration.Credentials?
    private var token: String?

    init(credentials: EtcdConfiguration.Credentials?) {
        self.credentials = credentials
    }

    func metadata(using client: GRPCEtcdClient) async throws(EtcdError) -> Metadata {
        guard let credentials else { return [:] }
        if token == nil {
            token = try await client.authenticate(user: credentials.user, password: credentials.password)
        }
        return ["token": .string(token ?? "")]
    }

    func invalidate() {
        token = nil
    }
}
