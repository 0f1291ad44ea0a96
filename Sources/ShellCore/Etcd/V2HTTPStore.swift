import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// etcd's v2 API (`/v2/keys/...`, HTTP/JSON), where Calico v1 and v2 clusters keep their data
/// (calicoctl 1.x's `datastoreType: etcdv2`), behind the same `KeyValueStore` protocol as the v3 client.
///
/// - One async-http-client for the whole session: keep-alive connections, TLS (CA, client certificate)
///   as for v3, HTTP basic auth for `--user`.
/// - Every request goes to one preferred member; when it cannot be reached the next one becomes
///   preferred. A read is sent again (to the next member) until the dial timeout; a write only when
///   it certainly was not sent (the connection was never made): otherwise its outcome is unknown and
///   the caller re-reads (`EtcdError.outcomeUnknown`).
/// - Revisions are v2's store index (`X-Etcd-Index`); the cluster ID is `X-Etcd-Cluster-Id`.
///
/// The requests are in `V2HTTPStore+KV` and `V2HTTPStore+Watch`.
public final class V2HTTPStore: KeyValueStore {
    public let configuration: EtcdConfiguration
    let http: HTTPClient
    /// The member every request goes to first (an index into `configuration.endpoints`).
    private let preferred = Mutex(0)
    /// `Basic base64(user:password)`, or nil without credentials.
    let authorizationHeader: String?
    /// Run by a directory read child by child after its listing and after each child that arrives,
    /// with how many children it has handed out (tests write there, to see the read notice it).
    let whileReadingChildren = Mutex<(@Sendable (_ handedOut: Int) async -> Void)?>(nil)
    /// Whether the last read child by child was given up under change (see `readChildren`).
    let fanOutGivenUp = Mutex(false)

    public init(configuration: EtcdConfiguration) throws(EtcdError) {
        try TLSSetup.check(configuration)
        self.configuration = configuration
        var tls: TLSConfiguration?
        if configuration.usesTLS {
            var settings = TLSConfiguration.makeClientConfiguration()
            let files = configuration.tls
            if let ca = files.caCertificate { settings.trustRoots = .file(ca) }
            if let certificate = files.certificate, let key = files.key {
                do {
                    settings.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
                } catch {
                    throw .configuration("cannot use the client certificate file \(certificate): \(error)")
                }
                settings.privateKey = .file(key)
            }
            settings.certificateVerification = files.skipVerify ? .none : .fullVerification
            tls = settings
        }
        var http = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,
            timeout: .init(connect: .nanoseconds(Int64(Self.seconds(configuration.dialTimeout) * 1e9)))
        )
        http.connectionPool = .init(idleTimeout: .seconds(60))
        // A long-poll holds one connection for as long as it waits; bulk loads want many at once.
        http.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        self.http = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: http)
        self.authorizationHeader = configuration.credentials.map { credentials in
            "Basic " + Data("\(credentials.user):\(credentials.password)".utf8).base64EncodedString()
        }
    }

    deinit {
        // Never the blocking `syncShutdown`: the last reference may go on one of NIO's event loops.
        _ = http.shutdown()
    }

    public func shutdown() async {
        try? await http.shutdown()
    }

    /// The etcd version (`GET /version`) and the store's index, for the banner.
    public func status() async throws -> StoreStatus {
        let reply = try await send(.GET, path: "/version", operation: "reading the etcd version", idempotent: true)
        struct Version: Decodable { var etcdserver: String? }
        let version = (try? JSONDecoder().decode(Version.self, from: Data(buffer: reply.body)))?.etcdserver ?? "?"
        let position = try await position(readingKey: "/")
        return StoreStatus(version: version, revision: position.revision)
    }

    // MARK: Requests

    /// One answer: status, the headers etcd puts on every answer, and the body (or, for a tree read
    /// with `scanningTree`, the leaves scanned from it as it arrived: then `body` is empty).
    struct Reply: Sendable {
        var status: Int
        var headers: V2Headers
        var body: ByteBuffer
        var leaves: [KeyValue] = []

        func decode<T: Decodable>(_ type: T.Type, operation: String) throws(EtcdError) -> T {
            do {
                return try JSONDecoder().decode(type, from: Data(buffer: body))
            } catch {
                throw .server(operation: operation, message: "etcd's v2 answer is not what was expected (\(error))")
            }
        }

        var error: V2ErrorBody? { try? JSONDecoder().decode(V2ErrorBody.self, from: Data(buffer: body)) }
    }

    /// A request to the preferred member, failing over as the type's comment says. `path` is the URL
    /// path and query (`/v2/keys/...?quorum=true`). Answers 401 (v2's "Insufficient credentials", for
    /// a wrong password and for a missing permission alike) become `authenticationFailed` for reads
    /// and `permissionDenied` for writes: the first read of a session fails on a wrong password.
    ///
    /// With `scanningTree` (keys only or not), a successful answer's body is read as a v2 node tree
    /// while it streams in (`V2TreeScanner`), never held whole: the scan overlaps the transfer.
    func send(
        _ method: HTTPMethod,
        path: String,
        form: String? = nil,
        operation: String,
        idempotent: Bool,
        timeout: Duration? = nil,
        scanningTree keysOnly: Bool? = nil
    ) async throws(EtcdError) -> Reply {
        let endpoints = configuration.endpoints
        let deadline = ContinuousClock.now + configuration.dialTimeout
        var pause = Duration.milliseconds(20)
        var member = currentMember()
        var tried = 0
        while true {
            try? Task.checkCancellation()
            if Task.isCancelled { throw .interrupted(operation: operation, message: "cancelled") }
            var request = HTTPClientRequest(url: endpoints[member].description + path)
            request.method = method
            if let authorizationHeader { request.headers.add(name: "Authorization", value: authorizationHeader) }
            if let form {
                request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                request.body = .bytes(ByteBuffer(string: form))
            }
            do {
                let wait = timeout ?? configuration.dialTimeout
                let response = try await http.execute(
                    request,
                    timeout: .nanoseconds(Int64(Self.seconds(wait) * 1e9))
                )
                if response.status == .ok, let keysOnly {
                    let leaves = try await Self.scanTree(response.body, keysOnly: keysOnly, operation: operation)
                    let headers = V2Headers(
                        index: response.headers.first(name: "X-Etcd-Index"),
                        clusterID: response.headers.first(name: "X-Etcd-Cluster-Id")
                    )
                    return Reply(status: 200, headers: headers, body: ByteBuffer(), leaves: leaves)
                }
                let body = try await response.body.collect(upTo: 1 << 30)
                let headers = V2Headers(
                    index: response.headers.first(name: "X-Etcd-Index"),
                    clusterID: response.headers.first(name: "X-Etcd-Cluster-Id")
                )
                let status = Int(response.status.code)
                if status == 401 {
                    guard let credentials = configuration.credentials else {
                        // The same words as v3's: with v2's guest role revoked, no user reads nothing.
                        throw EtcdError.configuration(
                            "etcd requires authentication: give --user (or set ETCD_USERNAME)"
                        )
                    }
                    if idempotent { throw EtcdError.authenticationFailed(user: credentials.user) }
                    throw EtcdError.permissionDenied(operation: operation)
                }
                if status >= 500 {
                    let message = (try? JSONDecoder().decode(V2ErrorBody.self, from: Data(buffer: body)))?.message
                    throw EtcdError.server(operation: operation, message: message ?? "HTTP \(status)")
                }
                return Reply(status: status, headers: headers, body: body)
            } catch let error as EtcdError {
                throw error
            } catch {
                if Task.isCancelled { throw .interrupted(operation: operation, message: "cancelled") }
                let notSent = Self.neverSent(error)
                if !idempotent && !notSent {
                    throw .interrupted(operation: operation, message: "the connection broke (\(error))")
                }
                tried += 1
                member = failOver(from: member)
                if tried % endpoints.count != 0 { continue }
                if ContinuousClock.now + pause < deadline, (try? await Task.sleep(for: pause)) != nil {
                    pause = min(pause * 2, .milliseconds(500))
                    continue
                }
                if configuration.usesTLS, let endpoint = endpoints.first,
                    let reason = await TLSProbe.handshakeFailure(with: endpoint, files: configuration.tls)
                {
                    throw .tlsRefused(endpoint: endpoint.description, reason: reason)
                }
                if !idempotent && !notSent {
                    throw .interrupted(operation: operation, message: "the connection broke (\(error))")
                }
                throw .unreachable(
                    endpoints: endpoints.map(\.description),
                    seconds: Self.seconds(configuration.dialTimeout)
                )
            }
        }
    }

    /// The leaves of a node tree, scanned piece by piece as the body arrives. A body that is not a
    /// tree is etcd's fault, not the connection's: it is not sent again.
    private static func scanTree(
        _ body: HTTPClientResponse.Body,
        keysOnly: Bool,
        operation: String
    ) async throws -> [KeyValue] {
        var scanner = V2TreeScanner(keysOnly: keysOnly)
        do {
            for try await piece in body {
                try piece.withUnsafeReadableBytes { raw in try scanner.feed(raw.bindMemory(to: UInt8.self)) }
            }
            try scanner.finish()
        } catch let failure as V2TreeScanner.Failure {
            throw EtcdError.server(
                operation: operation,
                message: "etcd's v2 answer is not what was expected (\(failure))"
            )
        }
        return scanner.pairs
    }

    func currentMember() -> Int { preferred.withLock { $0 } }

    /// `member` could not be reached: the next one becomes preferred (unless another call moved on
    /// already). Returns the member to try next.
    @discardableResult
    func failOver(from member: Int) -> Int {
        let count = configuration.endpoints.count
        return preferred.withLock { current in
            if current == member { current = (member + 1) % count }
            return current == member ? (member + 1) % count : current
        }
    }

    /// Whether a failed request certainly never reached etcd (no connection was made), so that even a
    /// write may be sent to another member.
    static func neverSent(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError {
            return error == .connectTimeout
        }
        if error is NIOConnectionError { return true }
        if let error = error as? ChannelError, case .connectTimeout = error { return true }
        if let error = error as? IOError {
            return [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, ECONNRESET].contains(error.errnoCode)
                && error.description.contains("connect")
        }
        return false
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
