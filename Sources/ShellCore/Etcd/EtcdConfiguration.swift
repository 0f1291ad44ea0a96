import Foundation

/// How to reach etcd: members, TLS and credentials. Built from command-line options first, then
/// the environment variables calicoctl and etcdctl users already have set.
public struct EtcdConfiguration: Equatable, Sendable {
    public struct Endpoint: Equatable, Sendable, CustomStringConvertible {
        public var secure: Bool
        public var host: String
        public var port: Int
        public var description: String { "\(secure ? "https" : "http")://\(hostForURL):\(port)" }
        /// `host:port`, what the prompt shows.
        public var authority: String { "\(hostForURL):\(port)" }
        private var hostForURL: String { host.contains(":") ? "[\(host)]" : host }
    }

    public struct TLSFiles: Equatable, Sendable {
        public var caCertificate: String?
        public var certificate: String?
        public var key: String?
        public var skipVerify: Bool

        public init(
            caCertificate: String? = nil,
            certificate: String? = nil,
            key: String? = nil,
            skipVerify: Bool = false
        ) {
            self.caCertificate = caCertificate
            self.certificate = certificate
            self.key = key
            self.skipVerify = skipVerify
        }
    }

    public struct Credentials: Equatable, Sendable, CustomStringConvertible {
        public var user: String
        public var password: String

        public init(user: String, password: String) {
            self.user = user
            self.password = password
        }

        /// Never the password, wherever a configuration gets printed.
        public var description: String { "\(user):******" }
    }

    public var endpoints: [Endpoint]
    public var tls: TLSFiles
    public var credentials: Credentials?
    public var dialTimeout: Duration
    /// The largest answer accepted from etcd (gRPC's message limit; etcd itself sends up to 2 GiB).
    /// A read whose answer is larger fails with `EtcdError.answerTooLarge`.
    public var maximumAnswerBytes = 256 << 20
    /// Which API holds the data; nil: detect it when connecting (see `DatastoreDetection`).
    public var datastore: DatastoreKind?

    public var usesTLS: Bool { endpoints.contains { $0.secure } }

    /// Fails with a one-line message when the TLS options do not fit the endpoints or a file
    /// cannot be read: checked at start, before anything connects.
    public func validate() throws(EtcdError) {
        try TLSSetup.check(self)
    }

    public init(
        endpoints: [Endpoint],
        tls: TLSFiles = TLSFiles(),
        credentials: Credentials? = nil,
        dialTimeout: Duration = .seconds(5),
        datastore: DatastoreKind? = nil
    ) {
        self.endpoints = endpoints
        self.tls = tls
        self.credentials = credentials
        self.dialTimeout = dialTimeout
        self.datastore = datastore
    }

    /// One URL such as `http://127.0.0.1:2379` (the scheme may be left out: `127.0.0.1:2379`).
    public static func parseEndpoint(
        _ text: String,
        source: String,
        defaultScheme: String = "http"
    ) throws(EtcdError) -> Endpoint {
        let bad = EtcdError.configuration("\(source): '\(text)' is not an etcd URL such as http://127.0.0.1:2379")
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        var scheme = defaultScheme
        if let range = rest.range(of: "://") {
            scheme = rest[..<range.lowerBound].lowercased()
            rest = rest[range.upperBound...]
        }
        guard scheme == "http" || scheme == "https" else { throw bad }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty, !rest.contains("/"), !rest.contains("@") else { throw bad }
        var host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw bad }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw bad }
                portText = after.dropFirst()
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty, !host.contains(" ") else { throw bad }
        var port = 2379
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else { throw bad }
            port = value
        }
        return Endpoint(secure: scheme == "https", host: String(host), port: port)
    }

    /// A comma-separated list of URLs.
    public static func parseEndpoints(
        _ text: String,
        source: String,
        defaultScheme: String = "http"
    ) throws(EtcdError) -> [Endpoint] {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !parts.isEmpty else { throw .configuration("\(source): no etcd endpoint given") }
        var endpoints: [Endpoint] = []
        for part in parts { endpoints.append(try parseEndpoint(part, source: source, defaultScheme: defaultScheme)) }
        if Set(endpoints.map(\.secure)).count > 1 {
            throw .configuration("\(source): mixes http:// and https:// endpoints; use one scheme for all members")
        }
        return endpoints
    }

    /// Endpoints from `--endpoints`, else `ETCD_ENDPOINTS`, else `ETCD_AUTHORITY` + `ETCD_SCHEME`
    /// (calicoctl's variables), else `http://127.0.0.1:2379`.
    public static func resolveEndpoints(option: String?, environment: [String: String]) throws(EtcdError) -> [Endpoint]
    {
        if let option { return try parseEndpoints(option, source: "--endpoints") }
        if let value = environment["ETCD_ENDPOINTS"], !value.isEmpty {
            return try parseEndpoints(value, source: "ETCD_ENDPOINTS")
        }
        var scheme = "http"
        if let value = environment["ETCD_SCHEME"], !value.isEmpty {
            guard value == "http" || value == "https" else {
                throw .configuration("ETCD_SCHEME: '\(value)' must be http or https")
            }
            scheme = value
        }
        let authority = environment["ETCD_AUTHORITY"].flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1:2379"
        if authority.contains("://") {
            throw .configuration(
                "ETCD_AUTHORITY: '\(authority)' must be host:port without a scheme (set ETCD_SCHEME for https)"
            )
        }
        return try parseEndpoints(authority, source: "ETCD_AUTHORITY", defaultScheme: scheme)
    }

    /// `--user USER[:PASSWORD]` / `--password`, else `ETCD_USERNAME` / `ETCD_PASSWORD`.
    /// Returns the user and the password if known; the caller may prompt for a missing password.
    public static func resolveUser(
        option: String?,
        password: String?,
        environment: [String: String]
    ) -> (user: String, password: String?)? {
        if let option, !option.isEmpty {
            if let colon = option.firstIndex(of: ":") {
                return (String(option[..<colon]), String(option[option.index(after: colon)...]))
            }
            return (option, password ?? environment["ETCD_PASSWORD"])
        }
        if let user = environment["ETCD_USERNAME"], !user.isEmpty {
            return (user, password ?? environment["ETCD_PASSWORD"])
        }
        return nil
    }
}
