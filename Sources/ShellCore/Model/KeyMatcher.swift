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
        endpoint = filter.endpoint.map(NamePattern.init)
    }

    mutating func matches(_ key: EndpointKey) -> Bool {
        // The remembered answers first: they cost a hash lookup.
        if let host, !Self.remembered(host, key.host, in: &hostAnswers) { return false }
        if let orchestrator, !Self.remembered(orchestrator, key.orchestrator, in: &orchestratorAnswers) {
            return false
        }
        if let workload, !workload.matches(key.workload) { return false }
        if let endpoint, !endpoint.matches(key.endpoint) { return false }
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
