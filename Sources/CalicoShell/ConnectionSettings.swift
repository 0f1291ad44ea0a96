import ShellCore
#if canImport(Glibc)
import Glibc
#endif

/// Options and environment → `EtcdConfiguration`, asking for a missing password on the terminal.
enum ConnectionSettings {
    static func configuration(from options: CalicoShellOptions, environment: [String: String], interactive: Bool) throws -> EtcdConfiguration {
        let endpoints = try EtcdConfiguration.resolveEndpoints(option: options.endpoints, environment: environment)
        let tls = EtcdConfiguration.TLSFiles(
            caCertificate: options.cacert ?? environment["ETCD_CA_CERT_FILE"].nonEmpty,
            certificate: options.cert ?? environment["ETCD_CERT_FILE"].nonEmpty,
            key: options.key ?? environment["ETCD_KEY_FILE"].nonEmpty,
            skipVerify: options.insecureSkipTlsVerify)
        var credentials: EtcdConfiguration.Credentials?
        if let (user, password) = EtcdConfiguration.resolveUser(option: options.user, password: options.password, environment: environment) {
            if let password {
                credentials = .init(user: user, password: password)
            } else if isatty(0) == 1 {
                credentials = .init(user: user, password: try askPassword(for: user))
            } else {
                throw EtcdError.configuration("no password for etcd user '\(user)': give --user \(user):PASSWORD, --password or ETCD_PASSWORD")
            }
        }
        let configuration = EtcdConfiguration(endpoints: endpoints, tls: tls, credentials: credentials,
                                              dialTimeout: .milliseconds(Int(options.dialTimeout * 1000)))
        try configuration.validate()
        return configuration
    }

    /// Reads a password from the terminal without echo.
    private static func askPassword(for user: String) throws -> String {
        guard let pointer = getpass("Password for etcd user \(user): ") else {
            throw EtcdError.configuration("could not read the password for etcd user '\(user)'")
        }
        return String(cString: pointer)
    }
}

extension Optional where Wrapped == String {
    var nonEmpty: String? { self.flatMap { $0.isEmpty ? nil : $0 } }
}
