/// Every connection setting resolved from flags, then the environment (calicoctl's and etcdctl's
/// variables), then calicoctl's config file, then defaults, each remembering its source.
public struct ResolvedSettings: Equatable, Sendable {
    /// The config file read, if any.
    public var configFile: String?
    public var datastore: Sourced<DatastoreKind>
    public var endpoints: Sourced<[EtcdConfiguration.Endpoint]>
    public var caCertificate: Sourced<PEMSetting>?
    public var certificate: Sourced<PEMSetting>?
    public var key: Sourced<PEMSetting>?
    public var user: Sourced<String>?
    public var password: Sourced<String>?
    public var skipVerify: Bool

    /// Resolves the settings; `file` is the config file already read (or nil).
    public static func resolve(
        flags: ConnectionFlags,
        environment: [String: String],
        file: CalicoctlConfigFile?
    ) throws(EtcdError) -> ResolvedSettings {
        func env(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let fileSource = file.map { SettingSource.file($0.path) }

        let datastore: Sourced<DatastoreKind>
        if let text = flags.datastore {
            datastore = Sourced(try DatastoreKind.parse(text, source: "--datastore"), from: .flag("--datastore"))
        } else if let text = env("DATASTORE_TYPE") {
            datastore = Sourced(
                try DatastoreKind.parse(text, source: "DATASTORE_TYPE"),
                from: .environment("DATASTORE_TYPE")
            )
        } else if let kind = file?.datastoreType, let fileSource {
            datastore = Sourced(kind, from: fileSource)
        } else {
            datastore = Sourced(.etcdv3, from: .builtIn)
        }

        let endpoints: Sourced<[EtcdConfiguration.Endpoint]>
        if let text = flags.endpoints {
            endpoints = Sourced(
                try EtcdConfiguration.parseEndpoints(text, source: "--endpoints"),
                from: .flag("--endpoints")
            )
        } else if let text = env("ETCD_ENDPOINTS") {
            endpoints = Sourced(
                try EtcdConfiguration.parseEndpoints(text, source: "ETCD_ENDPOINTS"),
                from: .environment("ETCD_ENDPOINTS")
            )
        } else if env("ETCD_AUTHORITY") != nil || env("ETCD_SCHEME") != nil {
            // calicoctl's older pair; resolveEndpoints knows how they combine.
            let name = env("ETCD_AUTHORITY") != nil ? "ETCD_AUTHORITY" : "ETCD_SCHEME"
            endpoints = Sourced(
                try EtcdConfiguration.resolveEndpoints(option: nil, environment: environment),
                from: .environment(name)
            )
        } else if let text = file?.etcdEndpoints, let file, let fileSource {
            endpoints = Sourced(
                try EtcdConfiguration.parseEndpoints(text, source: "\(file.path): etcdEndpoints"),
                from: fileSource
            )
        } else {
            endpoints = Sourced(try EtcdConfiguration.resolveEndpoints(option: nil, environment: [:]), from: .builtIn)
        }

        func pem(
            flag: String?,
            flagName: String,
            variable: String,
            filePath: String?,
            inline: String?
        ) -> Sourced<PEMSetting>? {
            if let flag { return Sourced(.path(flag), from: .flag(flagName)) }
            if let value = env(variable) { return Sourced(.path(value), from: .environment(variable)) }
            guard let fileSource else { return nil }
            if let filePath { return Sourced(.path(filePath), from: fileSource) }
            if let inline { return Sourced(.inline(inline), from: fileSource) }
            return nil
        }

        var settings = ResolvedSettings(
            configFile: file?.path,
            datastore: datastore,
            endpoints: endpoints,
            caCertificate: pem(
                flag: flags.caCertificate,
                flagName: "--cacert",
                variable: "ETCD_CA_CERT_FILE",
                filePath: file?.etcdCACertFile,
                inline: file?.etcdCACert
            ),
            certificate: pem(
                flag: flags.certificate,
                flagName: "--cert",
                variable: "ETCD_CERT_FILE",
                filePath: file?.etcdCertFile,
                inline: file?.etcdCert
            ),
            key: pem(
                flag: flags.key,
                flagName: "--key",
                variable: "ETCD_KEY_FILE",
                filePath: file?.etcdKeyFile,
                inline: file?.etcdKey
            ),
            user: nil,
            password: nil,
            skipVerify: flags.insecureSkipTLSVerify
        )
        settings.resolveCredentials(flags: flags, environment: environment, file: file, fileSource: fileSource)
        return settings
    }

    /// The user comes from the highest level that names one. Its password: `--user`'s own, `--password`,
    /// `ETCD_PASSWORD`, and the file's `etcdPassword` only for the file's own user (a password written
    /// for one user is never sent for another).
    private mutating func resolveCredentials(
        flags: ConnectionFlags,
        environment: [String: String],
        file: CalicoctlConfigFile?,
        fileSource: SettingSource?
    ) {
        if let text = flags.user, !text.isEmpty {
            if let colon = text.firstIndex(of: ":") {
                user = Sourced(String(text[..<colon]), from: .flag("--user"))
                password = Sourced(String(text[text.index(after: colon)...]), from: .flag("--user"))
                return
            }
            user = Sourced(text, from: .flag("--user"))
        } else if let name = environment["ETCD_USERNAME"], !name.isEmpty {
            user = Sourced(name, from: .environment("ETCD_USERNAME"))
        } else if let name = file?.etcdUsername, let fileSource {
            user = Sourced(name, from: fileSource)
        } else {
            return
        }
        if let flag = flags.password {
            password = Sourced(flag, from: .flag("--password"))
        } else if let value = environment["ETCD_PASSWORD"] {
            // Set but empty counts: a user whose password is empty.
            password = Sourced(value, from: .environment("ETCD_PASSWORD"))
        } else if user?.source == fileSource, let value = file?.etcdPassword, let fileSource {
            password = Sourced(value, from: fileSource)
        }
    }

    /// The datastore named by a flag, the environment or the file; nil when none did (then it is detected).
    public var requestedDatastore: DatastoreKind? { datastore.source == .builtIn ? nil : datastore.value }
}
