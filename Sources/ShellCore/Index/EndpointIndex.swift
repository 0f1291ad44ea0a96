/// Every endpoint and profile under the prefix, in memory, and the derived views that commands and
/// completion need. A pure value: it is fed etcd key-values and watch events, and does no I/O.
///
/// Costs: an ID lookup is O(1); the summary table is O(hosts × orchestrators), kept up to date
/// incrementally; prefix search over endpoint IDs is a binary search in a sorted array.
/// Endpoint values are kept as the raw JSON bytes and decoded only when shown, which keeps memory
/// close to etcd's own size and makes loading fast.
public struct EndpointIndex: Sendable {
    public let layout: KeyLayout
    /// Every change up to this revision has been applied.
    public internal(set) var revision: Int64 = 0

    public struct Record: Equatable, Sendable {
        public var key: EndpointKey
        public var value: [UInt8]
        public var modRevision: Int64
    }

    /// Per (host, orchestrator): how many endpoints each workload has.
    public struct HostOrchestrator: Hashable, Comparable, Sendable {
        public var host: String
        public var orchestrator: String
        public static func < (a: Self, b: Self) -> Bool { (a.host, a.orchestrator) < (b.host, b.orchestrator) }
    }

    private var records: [EndpointKey: Record] = [:]
    private var locationsByID: [String: [EndpointKey]] = [:]
    private var sortedIDs: [String] = []
    private var workloadsByGroup: [HostOrchestrator: [String: Int]] = [:]
    private var endpointCountByGroup: [HostOrchestrator: Int] = [:]
    /// Profile name → its keys under `policy/profile/<name>/` (a profile exists while it has any).
    private var profileKeys: [String: Set<String>] = [:]
    /// Keys under a host's `workload/` tree that do not fit the endpoint layout.
    public private(set) var malformedKeys: Set<String> = []

    public init(layout: KeyLayout) {
        self.layout = layout
    }

    public var count: Int { records.count }

    // MARK: Feeding

    /// Replaces the contents with a full load taken at `revision`.
    public mutating func load(_ pairs: [KeyValue], revision: Int64) {
        self = EndpointIndex(layout: layout)
        records.reserveCapacity(pairs.count)
        for pair in pairs { put(pair) }
        self.revision = revision
    }

    public mutating func apply(_ batch: WatchBatch) {
        for event in batch.events {
            switch event.kind {
            case .put: put(event.pair)
            case .delete: delete(event.pair.key)
            }
        }
        revision = max(revision, batch.revision)
    }

    public mutating func put(_ pair: KeyValue) {
        if let profile = layout.profileName(ofKey: pair.key) {
            profileKeys[profile, default: []].insert(pair.key)
            return
        }
        switch layout.classify(hostKey: pair.key) {
        case .endpoint(let key):
            if records[key] == nil { insertLocation(key) }
            records[key] = Record(key: key, value: pair.value, modRevision: pair.modRevision)
            malformedKeys.remove(pair.key)
        case .malformed:
            malformedKeys.insert(pair.key)
        case .other:
            if isUnderWorkloads(pair.key) { malformedKeys.insert(pair.key) }
        }
    }

    public mutating func delete(_ path: String) {
        if let profile = layout.profileName(ofKey: path) {
            profileKeys[profile]?.remove(path)
            if profileKeys[profile]?.isEmpty == true { profileKeys[profile] = nil }
            return
        }
        malformedKeys.remove(path)
        guard case .endpoint(let key) = layout.classify(hostKey: path), records.removeValue(forKey: key) != nil else { return }
        removeLocation(key)
    }

    private func isUnderWorkloads(_ path: String) -> Bool {
        let parts = path.dropFirst(layout.hostsPrefix.count).split(separator: "/", omittingEmptySubsequences: false)
        return parts.count > 2 && parts[1] == "workload"
    }

    private mutating func insertLocation(_ key: EndpointKey) {
        if locationsByID[key.endpoint] == nil {
            sortedIDs.insert(key.endpoint, at: sortedIDs.insertionIndex(of: key.endpoint))
        }
        locationsByID[key.endpoint, default: []].append(key)
        let group = HostOrchestrator(host: key.host, orchestrator: key.orchestrator)
        workloadsByGroup[group, default: [:]][key.workload, default: 0] += 1
        endpointCountByGroup[group, default: 0] += 1
    }

    private mutating func removeLocation(_ key: EndpointKey) {
        locationsByID[key.endpoint]?.removeAll { $0 == key }
        if locationsByID[key.endpoint]?.isEmpty == true {
            locationsByID[key.endpoint] = nil
            let index = sortedIDs.insertionIndex(of: key.endpoint)
            if index < sortedIDs.count, sortedIDs[index] == key.endpoint { sortedIDs.remove(at: index) }
        }
        let group = HostOrchestrator(host: key.host, orchestrator: key.orchestrator)
        if let remaining = workloadsByGroup[group]?[key.workload], remaining > 1 {
            workloadsByGroup[group]?[key.workload] = remaining - 1
        } else {
            workloadsByGroup[group]?[key.workload] = nil
        }
        let endpoints = (endpointCountByGroup[group] ?? 1) - 1
        endpointCountByGroup[group] = endpoints > 0 ? endpoints : nil
        if endpoints <= 0 { workloadsByGroup[group] = nil }
    }

    // MARK: Queries

    /// The endpoints matching `filter`, sorted by host, orchestrator, workload, endpoint.
    /// With an endpoint ID this is a hash lookup; otherwise a scan.
    public func records(matching filter: EndpointFilter) -> [Record] {
        let candidates: [Record]
        if let id = filter.endpoint {
            candidates = (locationsByID[id] ?? []).compactMap { records[$0] }
        } else {
            candidates = Array(records.values)
        }
        return candidates.filter { filter.matches($0.key) }.sorted { $0.key < $1.key }
    }

    public func record(at key: EndpointKey) -> Record? { records[key] }

    public struct SummaryRow: Equatable, Sendable {
        public var host: String
        public var orchestrator: String
        public var workloads: Int
        public var endpoints: Int
    }

    /// One row per (host, orchestrator). Filters on host and orchestrator only read the counters;
    /// a workload or endpoint filter needs the matching endpoints.
    public func summary(matching filter: EndpointFilter) -> [SummaryRow] {
        if filter.workload == nil && filter.endpoint == nil {
            return endpointCountByGroup.keys
                .filter { group in
                    (filter.host.map { $0 == group.host } ?? true) && (filter.orchestrator.map { $0 == group.orchestrator } ?? true)
                }
                .sorted()
                .map { SummaryRow(host: $0.host, orchestrator: $0.orchestrator,
                                  workloads: workloadsByGroup[$0]?.count ?? 0, endpoints: endpointCountByGroup[$0] ?? 0) }
        }
        var workloads: [HostOrchestrator: Set<String>] = [:]
        var endpoints: [HostOrchestrator: Int] = [:]
        for record in records(matching: filter) {
            let group = HostOrchestrator(host: record.key.host, orchestrator: record.key.orchestrator)
            workloads[group, default: []].insert(record.key.workload)
            endpoints[group, default: 0] += 1
        }
        return endpoints.keys.sorted().map {
            SummaryRow(host: $0.host, orchestrator: $0.orchestrator, workloads: workloads[$0]?.count ?? 0, endpoints: endpoints[$0] ?? 0)
        }
    }

    public func profileExists(_ name: String) -> Bool { profileKeys[name] != nil }

    public var profileNames: [String] { profileKeys.keys.sorted() }

    /// Endpoint IDs starting with `prefix`, in order, at most `limit`.
    public func endpointIDs(withPrefix prefix: String, limit: Int = .max) -> [String] {
        var result: [String] = []
        var index = sortedIDs.insertionIndex(of: prefix)
        while index < sortedIDs.count, sortedIDs[index].hasPrefix(prefix), result.count < limit {
            result.append(sortedIDs[index])
            index += 1
        }
        return result
    }

    /// How many endpoint IDs start with `prefix` (for "N more" in completion listings).
    public func endpointIDCount(withPrefix prefix: String) -> Int {
        let start = sortedIDs.insertionIndex(of: prefix)
        var end = start
        while end < sortedIDs.count, sortedIDs[end].hasPrefix(prefix) { end += 1 }
        return end - start
    }

    public var hostNames: [String] { Array(Set(endpointCountByGroup.keys.map(\.host))).sorted() }
    public var orchestratorNames: [String] { Array(Set(endpointCountByGroup.keys.map(\.orchestrator))).sorted() }

    /// Workload IDs, optionally only those on `host` / under `orchestrator`.
    public func workloadIDs(host: String? = nil, orchestrator: String? = nil) -> [String] {
        var names = Set<String>()
        for (group, workloads) in workloadsByGroup
        where (host.map { $0 == group.host } ?? true) && (orchestrator.map { $0 == group.orchestrator } ?? true) {
            names.formUnion(workloads.keys)
        }
        return names.sorted()
    }
}

extension Array where Element == String {
    /// The first index whose element is not less than `value` (the array must be sorted).
    func insertionIndex(of value: String) -> Int {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if self[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
