/// Where an endpoint lives: `<prefix>/host/<host>/workload/<orchestrator>/<workload>/endpoint/<endpoint>`.
/// Equal, hashed and ordered by bytes, as etcd keys are (see `KeyText`).
public struct EndpointKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var host: String
    public var orchestrator: String
    public var workload: String
    public var endpoint: String

    public init(host: String, orchestrator: String, workload: String, endpoint: String) {
        self.host = host
        self.orchestrator = orchestrator
        self.workload = workload
        self.endpoint = endpoint
    }

    /// The etcd key under `layout`'s prefix.
    public func path(in layout: KeyLayout) -> String {
        "\(layout.hostsPrefix)\(host)/workload/\(orchestrator)/\(workload)/endpoint/\(endpoint)"
    }

    /// Rows sort by hostname, then orchestrator, workload and endpoint, as the detailed table does.
    public static func < (lhs: EndpointKey, rhs: EndpointKey) -> Bool {
        var order = KeyText.compare(lhs.host, rhs.host)
        if order == 0 { order = KeyText.compare(lhs.orchestrator, rhs.orchestrator) }
        if order == 0 { order = KeyText.compare(lhs.workload, rhs.workload) }
        if order == 0 { order = KeyText.compare(lhs.endpoint, rhs.endpoint) }
        return order < 0
    }

    public static func == (lhs: EndpointKey, rhs: EndpointKey) -> Bool {
        KeyText.equal(lhs.endpoint, rhs.endpoint) && KeyText.equal(lhs.host, rhs.host)
            && KeyText.equal(lhs.orchestrator, rhs.orchestrator) && KeyText.equal(lhs.workload, rhs.workload)
    }

    public func hash(into hasher: inout Hasher) {
        KeyText.hash(host, into: &hasher)
        KeyText.hash(orchestrator, into: &hasher)
        KeyText.hash(workload, into: &hasher)
        KeyText.hash(endpoint, into: &hasher)
    }

    public var description: String { "\(host)/\(orchestrator)/\(workload)/\(endpoint)" }
}
