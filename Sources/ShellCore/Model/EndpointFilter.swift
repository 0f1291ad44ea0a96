/// The optional narrowing every endpoint command accepts. `nil` means "any".
public struct EndpointFilter: Equatable, Hashable, Sendable {
    public var host: String?
    public var orchestrator: String?
    public var workload: String?
    public var endpoint: String?

    public init(host: String? = nil, orchestrator: String? = nil, workload: String? = nil, endpoint: String? = nil) {
        self.host = host
        self.orchestrator = orchestrator
        self.workload = workload
        self.endpoint = endpoint
    }

    /// Whether `key` matches, byte for byte (see `KeyText`).
    public func matches(_ key: EndpointKey) -> Bool {
        (host.map { KeyText.equal($0, key.host) } ?? true)
            && (orchestrator.map { KeyText.equal($0, key.orchestrator) } ?? true)
            && (workload.map { KeyText.equal($0, key.workload) } ?? true)
            && (endpoint.map { KeyText.equal($0, key.endpoint) } ?? true)
    }
}
