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
        for (a, b) in [(lhs.host, rhs.host), (lhs.orchestrator, rhs.orchestrator), (lhs.workload, rhs.workload)] {
            let order = KeyText.compare(a, b)
            if order != 0 { return order < 0 }
        }
        return KeyText.less(lhs.endpoint, rhs.endpoint)
    }

    public static func == (lhs: EndpointKey, rhs: EndpointKey) -> Bool {
        KeyText.equal(lhs.endpoint, rhs.endpoint) && KeyText.equal(lhs.host, rhs.host)
            && KeyText.equal(lhs.orchestrator, rhs.orchestrator) && KeyText.equal(lhs.workload, rhs.workload)
    }

    public func hash(into hasher: inout Hasher) {
        for part in [host, orchestrator, workload, endpoint] { KeyText.hash(part, into: &hasher) }
    }

    public var description: String { "\(host)/\(orchestrator)/\(workload)/\(endpoint)" }
}
