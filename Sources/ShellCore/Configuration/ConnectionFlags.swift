/// The connection settings given on the command line, as typed (nil when not given). A plain value so
/// that resolution is testable without the argument parser.
public struct ConnectionFlags: Equatable, Sendable {
    public var endpoints: String?
    public var caCertificate: String?
    public var certificate: String?
    public var key: String?
    /// `USER` or `USER:PASSWORD`.
    public var user: String?
    public var password: String?
    public var insecureSkipTLSVerify: Bool
    /// `--datastore etcdv3|etcdv2`, once there is such a flag.
    public var datastore: String?

    public init(
        endpoints: String? = nil,
        caCertificate: String? = nil,
        certificate: String? = nil,
        key: String? = nil,
        user: String? = nil,
        password: String? = nil,
        insecureSkipTLSVerify: Bool = false,
        datastore: String? = nil
    ) {
        self.endpoints = endpoints
        self.caCertificate = caCertificate
        self.certificate = certificate
        self.key = key
        self.user = user
        self.password = password
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.datastore = datastore
    }
}
