import GRPCCore

/// Holds the session's auth token: authenticates once, on first use, and again when etcd says the
/// token expired. The password never leaves this actor except in the call it was given.
actor Authenticator {
    /// Trades a user name and password for a token (etcd's Authenticate).
    typealias Authenticate = @Sendable (_ user: String, _ password: String) async throws(EtcdError) -> String

    private let credentials: EtcdConfiguration.Credentials?
    private let authenticate: Authenticate
    private var token: String?

    init(credentials: EtcdConfiguration.Credentials?, authenticate: @escaping Authenticate) {
        self.credentials = credentials
        self.authenticate = authenticate
    }

    /// What every call sends: the token (empty without credentials).
    func metadata() async throws(EtcdError) -> Metadata {
        guard let credentials else { return [:] }
        if token == nil {
            token = try await authenticate(credentials.user, credentials.password)
        }
        return ["token": .string(token ?? "")]
    }

    func invalidate() {
        token = nil
    }
}
