/// The Calico v1 key layout under a configurable prefix (default `/calico/v1`).
public struct KeyLayout: Equatable, Sendable {
    public let prefix: String

    public init(prefix: String = "/calico/v1") {
        var trimmed = prefix
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.prefix = trimmed
    }

    public var hostsPrefix: String { prefix + "/host/" }
    public var profilesPrefix: String { prefix + "/policy/profile/" }

    /// Every key of the profile `name` starts with this (`…/policy/profile/<name>/`).
    public func profilePrefix(of name: String) -> String { profilesPrefix + name + "/" }

    /// What an etcd key under `hostsPrefix` is. Keys that are not endpoints (`bird_ip`, `config/…`)
    /// are `.other`; only keys of exactly the endpoint shape are endpoints.
    ///
    /// This runs for every key of a full load, so it works on UTF-8 bytes (splitting `Character`s
    /// was most of the load time at 100,000 endpoints).
    public func classify(hostKey key: String) -> HostKeyKind {
        guard KeyText.hasPrefix(key, hostsPrefix) else { return .other }
        let rest = Substring(key).utf8.dropFirst(hostsPrefix.utf8.count)
        let parts = rest.split(separator: UInt8(ascii: "/"), maxSplits: 6, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[1].elementsEqual("workload".utf8), parts[4].elementsEqual("endpoint".utf8) else {
            return .other
        }
        let fields = [parts[0], parts[2], parts[3], parts[5]]
        guard fields.allSatisfy(Validation.isValidIdentifier) else { return .malformed }
        let strings = fields.map { String(Substring($0)) }  // keys arrive decoded by KeyText: no bytes are lost
        return .endpoint(
            EndpointKey(host: strings[0], orchestrator: strings[1], workload: strings[2], endpoint: strings[3])
        )
    }

    /// The profile name of a key under `profilesPrefix` (`…/policy/profile/<name>/rules`).
    public func profileName(ofKey key: String) -> String? {
        guard KeyText.hasPrefix(key, profilesPrefix) else { return nil }
        let rest = Substring(key).utf8.dropFirst(profilesPrefix.utf8.count)
        guard let slash = rest.firstIndex(of: UInt8(ascii: "/")) else { return nil }
        let name = String(Substring(rest[..<slash]))
        return name.isEmpty ? nil : name
    }
}

public enum HostKeyKind: Equatable, Sendable {
    case endpoint(EndpointKey)
    /// Shaped like an endpoint key but with an unusable part (`.`/`..`): reported, never used.
    case malformed
    case other
}
