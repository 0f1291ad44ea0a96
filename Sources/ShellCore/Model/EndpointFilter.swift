/// The optional narrowing every endpoint command accepts. `nil` means "any"; filters combine with AND.
///
/// - Key parts (`host`, `orchestrator`, `workload`, `endpoint`) and `interface` are `NamePattern`s:
///   exact bytes, or `fnmatch(3)` patterns when they hold `*`, `?` or `[`.
/// - `address`: an address matches endpoints with a network that contains it; a network (CIDR)
///   matches endpoints with a network inside it.
/// - `profile`, `state`, `mac` and `interface` need the endpoint's value (`needsValues`).
public struct EndpointFilter: Equatable, Hashable, Sendable {
    public var host: String?
    public var orchestrator: String?
    public var workload: String?
    public var endpoint: String?
    public var address: IPNetwork?
    public var profile: String?
    public var state: String?
    public var mac: MACAddress?
    public var interface: String?

    public init(
        host: String? = nil,
        orchestrator: String? = nil,
        workload: String? = nil,
        endpoint: String? = nil,
        address: IPNetwork? = nil,
        profile: String? = nil,
        state: String? = nil,
        mac: MACAddress? = nil,
        interface: String? = nil
    ) {
        self.host = host
        self.orchestrator = orchestrator
        self.workload = workload
        self.endpoint = endpoint
        self.address = address
        self.profile = profile
        self.state = state
        self.mac = mac
        self.interface = interface
    }

    /// Whether `key` matches, byte for byte or by pattern (see `NamePattern`).
    public func matches(_ key: EndpointKey) -> Bool {
        Self.matches(host, key.host) && Self.matches(orchestrator, key.orchestrator)
            && Self.matches(workload, key.workload) && Self.matches(endpoint, key.endpoint)
    }

    private static func matches(_ filter: String?, _ value: String) -> Bool {
        guard let filter else { return true }
        return NamePattern(filter).matches(value)
    }

    /// Whether a filter reads the endpoint's value, not only its key.
    public var needsValues: Bool {
        address != nil || profile != nil || state != nil || mac != nil || interface != nil
    }

    /// Whether the index answers it from its secondary indexes (`--address`, `--profile`): a load
    /// builds them only for the first command that does.
    public var usesSecondaryIndexes: Bool { address != nil || profile != nil }

    /// Whether only the host and orchestrator narrow (the summary's counters answer that alone).
    var onlyHostAndOrchestrator: Bool { workload == nil && endpoint == nil && !needsValues }

    /// Whether the endpoint's data matches the value filters (the key is checked by `matches(_:)`).
    public func matches(_ data: EndpointData) -> Bool {
        if let state, data.state.map({ !KeyText.equal($0, state) }) ?? true { return false }
        if let mac, !(data.mac.map { mac.matches($0) } ?? false) { return false }
        if let interface, !(data.name.map { NamePattern(interface).matches($0) } ?? false) { return false }
        if let profile, !data.profiles.contains(where: { KeyText.equal($0, profile) }) { return false }
        if let address {
            let networks = (data.ipv4Nets + data.ipv6Nets).compactMap { try? IPNetwork.parse($0) }
            let found = networks.contains { address.isAddress ? $0.contains(address) : address.contains($0) }
            if !found { return false }
        }
        return true
    }
}
