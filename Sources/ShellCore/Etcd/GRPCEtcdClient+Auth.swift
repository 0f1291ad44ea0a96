import GRPCCore

/// etcd's Authenticate call, handed to the `Authenticator` as a closure.
extension GRPCEtcdClient {
    /// Trades a user name and password for a token. Takes the gRPC client, not `self`, so that the
    /// authenticator holding it never keeps the etcd client alive.
    static func authenticateCall(
        client: GRPCClient<Transport>,
        configuration: EtcdConfiguration
    ) -> Authenticator.Authenticate {
        let options = unaryOptions(dialTimeout: configuration.dialTimeout)
        return { user, password throws(EtcdError) in
            let authClient = Etcdserverpb_Auth.Client(wrapping: client)
            var request = Etcdserverpb_AuthenticateRequest()
            request.name = user
            request.password = password
            do {
                return try await authClient.authenticate(request, options: options).token
            } catch {
                let mapped = ErrorMapping.map(error, operation: "authenticating", configuration: configuration)
                if case .error(.server(_, let message)) = mapped, message.contains("authentication failed") {
                    throw .authenticationFailed(user: user)
                }
                throw mapped.error
            }
        }
    }
}
