#if canImport(Glibc)
import Glibc
#endif

/// The Calico v1 key layout under a configurable prefix (default `/calico/v1`).
public struct KeyLayout: Equatable, Sendable {
    public let prefix: String
    /// Kept, not computed: every key of a load is checked against both (a computed one was a string
    /// built per key).
    public let hostsPrefix: String
    public let profilesPrefix: String

    public init(prefix: String = "/calico/v1") {
        var trimmed = prefix
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.prefix = trimmed
        hostsPrefix = trimmed + "/host/"
        profilesPrefix = trimmed + "/policy/profile/"
    }

    /// Every key of the profile `name` starts with this (`…/policy/profile/<name>/`).
    public func profilePrefix(of name: String) -> String { profilesPrefix + name + "/" }

    /// What an etcd key under `hostsPrefix` is. Keys that are not endpoints (`bird_ip`, `config/…`)
    /// are `.other`; only keys of exactly the endpoint shape are endpoints.
    ///
    /// This runs for every key of a full load, so it works on the key's contiguous UTF-8 bytes: one
    /// pass finds the slashes, and the four parts become strings straight from those bytes (splitting
    /// `Character`s, then splitting into arrays of slices, were most of the load's CPU).
    public func classify(hostKey key: String) -> HostKeyKind {
        var key = key
        var prefix = hostsPrefix
        return prefix.withUTF8 { prefix in
            key.withUTF8 { bytes in
                guard bytes.count > prefix.count,
                    memcmp(bytes.baseAddress!, prefix.baseAddress!, prefix.count) == 0
                else { return .other }
                // The part boundaries after the prefix: host/workload/orchestrator/workload/endpoint/id.
                var slashes = (0, 0, 0, 0, 0)
                var found = 0
                var at = prefix.count
                while at < bytes.count {
                    if bytes[at] == UInt8(ascii: "/") {
                        switch found {
                        case 0: slashes.0 = at
                        case 1: slashes.1 = at
                        case 2: slashes.2 = at
                        case 3: slashes.3 = at
                        case 4: slashes.4 = at
                        default: return .other
                        }
                        found += 1
                    }
                    at += 1
                }
                func part(_ start: Int, _ end: Int) -> UnsafeBufferPointer<UInt8> {
                    UnsafeBufferPointer(rebasing: bytes[start..<end])
                }
                guard found == 5,
                    part(slashes.0 + 1, slashes.1).elementsEqual("workload".utf8),
                    part(slashes.3 + 1, slashes.4).elementsEqual("endpoint".utf8)
                else { return .other }
                let fields = [
                    part(prefix.count, slashes.0), part(slashes.1 + 1, slashes.2), part(slashes.2 + 1, slashes.3),
                    part(slashes.4 + 1, bytes.count),
                ]
                guard fields.allSatisfy(Validation.isValidIdentifier) else { return .malformed }
                // Parts of a valid string cut at `/` are valid UTF-8: decoding keeps every byte.
                let strings = fields.map { String(decoding: $0, as: UTF8.self) }
                return .endpoint(
                    EndpointKey(host: strings[0], orchestrator: strings[1], workload: strings[2], endpoint: strings[3])
                )
            }
        }
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
