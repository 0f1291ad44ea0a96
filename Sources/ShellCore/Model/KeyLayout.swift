/// The Calico v1 key layout under a configurable prefix (default `/calico/v1`).
public struct KeyLayout: Equatable, Sendable {
    public let prefix: String
    /// Stored, not computed: `classify` and `profileName` read them for every key of a load, and
    /// building them each time was two string allocations per key.
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
    /// This runs for every key of a full load, so it works on UTF-8 bytes (splitting `Character`s
    /// was most of the load time at 100,000 endpoints).
    public func classify(hostKey key: String) -> HostKeyKind {
        guard KeyText.hasPrefix(key, hostsPrefix) else { return .other }
        var key = key
        let start = hostsPrefix.utf8.count
        return key.withUTF8 { Self.classify(bytes: $0, from: start) }
    }

    /// `classify` on the key's contiguous UTF-8 bytes, from just after the hosts prefix: finds the
    /// five slashes in one pass and copies only the four fields out. At 1,000,000 endpoints the
    /// `split` this replaces (an array of slices, and another of fields, per key) was a third of a
    /// one-shot summary's CPU (perf).
    private static func classify(bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> HostKeyKind {
        let fields: EndpointFields
        switch endpointFields(bytes, from: start) {
        case .endpoint(let found): fields = found
        case .malformed: return .malformed
        case .other: return .other
        }
        // Keys arrive decoded by KeyText, and '/' never splits a character: no bytes are lost.
        func text(_ field: Range<Int>) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: bytes[field]), as: UTF8.self)
        }
        return .endpoint(
            EndpointKey(
                host: text(fields.host),
                orchestrator: text(fields.orchestrator),
                workload: text(fields.workload),
                endpoint: text(fields.endpoint)
            )
        )
    }

    /// Where the four names of an endpoint key lie in its bytes.
    struct EndpointFields {
        var host: Range<Int>
        var orchestrator: Range<Int>
        var workload: Range<Int>
        var endpoint: Range<Int>
    }

    enum FieldsKind {
        case endpoint(EndpointFields)
        case malformed
        case other
    }

    /// `classify` without the strings: the names' places in `bytes` (a key's bytes, the four names
    /// starting at `start`, after the hosts prefix). Finds the five slashes in one pass.
    static func endpointFields(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> FieldsKind {
        var slashes: (Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0)
        var found = 0
        var position = start
        while position < bytes.count {
            if bytes[position] == UInt8(ascii: "/") {
                switch found {
                case 0: slashes.0 = position
                case 1: slashes.1 = position
                case 2: slashes.2 = position
                case 3: slashes.3 = position
                case 4: slashes.4 = position
                default: return .other  // more than six parts
                }
                found += 1
            }
            position += 1
        }
        guard found == 5,
            equal(bytes, slashes.0 + 1, slashes.1, "workload"),
            equal(bytes, slashes.3 + 1, slashes.4, "endpoint")
        else { return .other }
        let fields = EndpointFields(
            host: start..<slashes.0,
            orchestrator: slashes.1 + 1..<slashes.2,
            workload: slashes.2 + 1..<slashes.3,
            endpoint: slashes.4 + 1..<bytes.count
        )
        for field in [fields.host, fields.orchestrator, fields.workload, fields.endpoint]
        where !Validation.isValidIdentifier(UnsafeBufferPointer(rebasing: bytes[field])) {
            return .malformed
        }
        return .endpoint(fields)
    }

    /// Whether a key under the hosts prefix (its bytes, `start` just after the prefix) lies under a
    /// host's `workload/` tree: such a key that is not of the endpoint shape is malformed data.
    static func isUnderWorkloads(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Bool {
        let parts = bytes[start...].split(separator: UInt8(ascii: "/"), maxSplits: 2, omittingEmptySubsequences: false)
        return parts.count > 2 && parts[1].elementsEqual("workload".utf8)
    }

    private static func equal(
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ from: Int,
        _ to: Int,
        _ word: StaticString
    )
        -> Bool
    {
        guard to - from == word.utf8CodeUnitCount else { return false }
        for offset in 0..<(to - from) where bytes[from + offset] != word.utf8Start[offset] { return false }
        return true
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
