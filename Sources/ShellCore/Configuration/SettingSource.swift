/// Where one connection setting came from, as `--show-config` prints it. Precedence is this order:
/// a flag wins over the environment, which wins over the config file, which wins over the default.
public enum SettingSource: Equatable, Sendable, CustomStringConvertible {
    /// `flag --endpoints`
    case flag(String)
    /// `env ETCD_ENDPOINTS`
    case environment(String)
    /// `file:/etc/calico/calicoctl.cfg`
    case file(String)
    /// `default`
    case builtIn

    public var description: String {
        switch self {
        case .flag(let name): return "flag \(name)"
        case .environment(let name): return "env \(name)"
        case .file(let path): return "file:\(path)"
        case .builtIn: return "default"
        }
    }
}

/// A setting's value and where it came from.
public struct Sourced<Value: Equatable & Sendable>: Equatable, Sendable {
    public var value: Value
    public var source: SettingSource

    public init(_ value: Value, from source: SettingSource) {
        self.value = value
        self.source = source
    }
}

/// A TLS file setting: a path, or PEM text written inline in the config file (`etcdCACert`).
public enum PEMSetting: Equatable, Sendable {
    case path(String)
    case inline(String)
}
