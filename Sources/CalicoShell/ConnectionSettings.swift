import ShellCore

#if canImport(Glibc)
import Glibc
#endif

/// Options, environment and calicoctl's config file → `EtcdConfiguration`, asking for a missing password
/// on the terminal. Which source wins is `ResolvedSettings`' business.
enum ConnectionSettings {
    static func resolve(
        from options: CalicoShellOptions,
        environment: [String: String]
    ) throws
        -> (settings: ResolvedSettings, choice: ConfigFileChoice)
    {
        let choice = try ConfigFileChoice.choose(explicit: options.config)
        let settings = try ResolvedSettings.resolve(
            flags: options.connectionFlags,
            environment: environment,
            file: choice.file
        )
        return (settings, choice)
    }

    static func configuration(
        from options: CalicoShellOptions,
        environment: [String: String],
        interactive: Bool
    ) throws -> EtcdConfiguration {
        let settings = try resolve(from: options, environment: environment).settings
        var password = settings.password?.value
        if let user = settings.user?.value, password == nil {
            guard isatty(0) == 1 else {
                throw EtcdError.configuration(
                    "no password for etcd user '\(user)': give --user \(user):PASSWORD, "
                        + "--password or ETCD_PASSWORD"
                )
            }
            password = try askPassword(for: user)
        }
        let configuration = try settings.etcdConfiguration(
            password: password,
            dialTimeout: .milliseconds(Int(options.dialTimeout * 1000))
        )
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

extension CalicoShellOptions {
    var connectionFlags: ConnectionFlags {
        ConnectionFlags(
            endpoints: endpoints,
            caCertificate: cacert,
            certificate: cert,
            key: key,
            user: user,
            password: password,
            insecureSkipTLSVerify: insecureSkipTlsVerify,
            datastore: datastore
        )
    }
}

extension Optional where Wrapped == String {
    var nonEmpty: String? { self.flatMap { $0.isEmpty ? nil : $0 } }
}
