/// `EndpointFilter.matches(_ key:)` for many keys in a row (a scan of the index): each pattern is
/// made once, and the answer for each distinct host and orchestrator is remembered, since an index
/// of 100,000 endpoints has a few hundred hosts. (Building the patterns and calling `fnmatch` for
/// every record was most of a bulk edit's selection at 100,000 endpoints.)
struct KeyMatcher {
    private let host: NamePattern?
    private let orchestrator: NamePattern?
    private let workload: NamePattern?
    private let endpoint: NamePattern?
    private var hostAnswers: [ExactString: Bool] = [:]
    private var orchestratorAnswers: [ExactString: Bool] = [:]

    init(_ filter: EndpointFilter) {
        host = filter.host.map(NamePattern.init)
        orchestrator = filter.orchestrator.map(NamePattern.init)
        workload = filter.workload.map(NamePattern.init)
        // `*` (a bulk edit of every endpoint) checks nothing.
        endpoint = filter.endpoint.flatMap { $0 == "*" ? nil : NamePattern($0) }
    }

    mutating func matches(_ key: EndpointKey) -> Bool {
        matches(host: key.host, orchestrator: key.orchestrator, workload: key.workload, endpoint: key.endpoint)
    }

    /// The key's parts one by one, each read only when a pattern needs it: in a scan, copying a
    /// whole key out of the index retains its strings, which was most of a selection's time.
    @inline(__always)
    mutating func matches(
        host name: @autoclosure () -> String,
        orchestrator orchestratorName: @autoclosure () -> String,
        workload workloadName: @autoclosure () -> String,
        endpoint endpointName: @autoclosure () -> String
    ) -> Bool {
        // The remembered answers first: they cost a hash lookup.
        if let host, !Self.remembered(host, name(), in: &hostAnswers) { return false }
        if let orchestrator, !Self.remembered(orchestrator, orchestratorName(), in: &orchestratorAnswers) {
            return false
        }
        if let workload, !workload.matches(workloadName()) { return false }
        if let endpoint, !endpoint.matches(endpointName()) { return false }
        return true
    }

    private static func remembered(
        _ pattern: NamePattern,
        _ name: String,
        in answers: inout [ExactString: Bool]
    ) -> Bool {
        guard pattern.isPattern else { return pattern.matches(name) }
        let exact = ExactString(name)
        if let answer = answers[exact] { return answer }
        let answer = pattern.matches(name)
        answers[exact] = answer
        return answer
    }
}
