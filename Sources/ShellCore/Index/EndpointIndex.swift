/// Every endpoint and profile under the prefix, in memory, and the derived views that commands and
/// completion need. A pure value: it is fed etcd key-values and watch events, and does no I/O.
///
/// Layout, chosen for memory (an index of 100,000 endpoints must stay within a few times etcd's own
/// bytes): one array of records sorted by endpoint ID, then host, orchestrator and workload. An ID
/// lookup and a prefix search are binary searches in it; a change is a binary search and one
/// insertion or removal. Endpoint values are kept as the raw JSON bytes and decoded only when
/// shown. The summary table is O(hosts × orchestrators): its counters are kept up to date
/// incrementally. A full load appends and sorts once at the end.
public struct EndpointIndex: Sendable {
    public let layout: KeyLayout
    /// Every change up to this revision has been applied.
    public internal(set) var revision: Int64 = 0

    public struct Record: Equatable, Sendable {
        public let key: EndpointKey
        public var value: [UInt8]
        public var modRevision: Int64
        /// The first 8 bytes of the endpoint ID (`PrefixSorting.idPrefix`): binary searches compare
        /// this first. Reading a record's key to compare it retains and releases its strings, and
        /// those reference counts were most of what a warm index spent applying a burst of changes.
        let idPrefix: UInt64

        public init(key: EndpointKey, value: [UInt8], modRevision: Int64) {
            self.key = key
            self.value = value
            self.modRevision = modRevision
            self.idPrefix = PrefixSorting.idPrefix(key.endpoint)
        }

        public static func == (a: Self, b: Self) -> Bool {
            a.key == b.key && a.value == b.value && a.modRevision == b.modRevision
        }
    }

    /// Per (host, orchestrator): how many endpoints each workload has. Compared by bytes (`KeyText`).
    public struct HostOrchestrator: Hashable, Comparable, Sendable {
        public var host: String
        public var orchestrator: String
        public static func < (a: Self, b: Self) -> Bool {
            let order = KeyText.compare(a.host, b.host)
            return order != 0 ? order < 0 : KeyText.less(a.orchestrator, b.orchestrator)
        }
        public static func == (a: Self, b: Self) -> Bool {
            KeyText.equal(a.host, b.host) && KeyText.equal(a.orchestrator, b.orchestrator)
        }
        public func hash(into hasher: inout Hasher) {
            KeyText.hash(host, into: &hasher)
            KeyText.hash(orchestrator, into: &hasher)
        }
    }

    /// Sorted by `idOrder` (unless `loading`).
    private var records: [Record] = []
    /// The records' positions in the tables' order (`EndpointKey <`), from the last full load until a
    /// record is added or removed (nil then; a changed value keeps it). A whole-index `--detailed`
    /// walks it instead of sorting every record, which was a third of its first answer (perf, 100,000
    /// endpoints). It costs little to make: a load comes in etcd's key order, which is the tables'
    /// order but for names that continue with a byte below `/`, so sorting it finds the runs made.
    private var tableOrder: [UInt32]?
    /// During a full load records are appended unsorted and sorted once by `finishLoading()`.
    private var loading = false
    /// False after a load that skipped sorting (one-shot summaries need no ID order): lookups then
    /// scan instead of searching, until the first change sorts the records.
    private var sorted = true
    /// Per (host, orchestrator): its endpoints, and how many of them each workload has. One
    /// dictionary, changed in place: a full load touches it once per key.
    private var groups: [HostOrchestrator: GroupCounts] = [:]

    private struct GroupCounts {
        var endpoints = 0
        var workloads: [ExactString: Int] = [:]

        /// Counts an endpoint of `workload` added (+1) or removed (-1); returns the endpoints left.
        mutating func add(_ change: Int, to workload: ExactString) -> Int {
            endpoints += change
            // One hash, in place (the `default:` subscript's modify access); more only when a removal
            // may have taken a workload's last endpoint. Two per key were a tenth of a one-shot
            // summary's CPU (perf).
            workloads[workload, default: 0] += change
            if change < 0, let count = workloads[workload], count <= 0 { workloads[workload] = nil }
            return endpoints
        }
    }
    /// Profile name → its keys under `policy/profile/<name>/` (a profile exists while it has any).
    private var profileKeys: [ExactString: Set<ExactString>] = [:]
    /// Secondary indexes, kept by every put and delete from the values' profiles and networks (see
    /// `IndexedFields`): `--address` and `--profile` find their candidates here, without a scan.
    /// Empty after a keys-only load (the values are not there).
    private var addresses = AddressIndex()
    private var profileMembers = ProfileMembers()
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
        startLoading()
        for pair in pairs { put(pair) }
        finishLoading()
        self.revision = revision
    }

    /// Puts that follow are part of a full load of keys that are all distinct (one revision of etcd).
    mutating func startLoading() {
        loading = true
    }

    /// Room for `count` more endpoints at once: growing by doubling would hold the old and the new
    /// array together and leave up to half of the last one unused.
    mutating func reserve(_ count: Int) {
        records.reserveCapacity(records.count + count)
        // Most endpoints have one network: the address index grows once instead of doubling.
        addresses.reserve(count)
    }

    /// Ends a full load; `sort: false` leaves the records in load order (cheaper when only the
    /// summary counters will be read).
    mutating func finishLoading(sort: Bool = true) {
        if sort {
            // Where each record, in load order, went.
            let loadOrder = PrefixSorting.sortByID(&records)
            var order = [UInt32](repeating: 0, count: records.count)
            for (position, loaded) in loadOrder.enumerated() { order[loaded] = UInt32(position) }
            records.withUnsafeBufferPointer { records in
                order.sort { a, b in records[Int(a)].key < records[Int(b)].key }
            }
            tableOrder = order
        }
        sorted = sort
        loading = false
        addresses.sortIfNeeded()
    }

    /// Puts the records in ID order. An unsorted index does this before its first change, so that
    /// every change takes the one sorted path (a one-shot run rarely sees a change at all).
    private mutating func sortRecords() {
        PrefixSorting.sortByID(&records)
        sorted = true
        tableOrder = nil
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
            profileKeys[ExactString(profile), default: []].insert(ExactString(pair.key))
            return
        }
        switch layout.classify(hostKey: pair.key) {
        case .endpoint(let key):
            let record = Record(key: key, value: pair.value, modRevision: pair.modRevision)
            if loading {
                records.append(record)
                count(key, by: 1)
                addToSecondaryIndexes(key.endpoint, value: pair.value)
            } else {
                if !sorted { sortRecords() }
                let position = position(of: key)
                if position < records.count && records[position].key == key {
                    replaceInSecondaryIndexes(key.endpoint, old: records[position].value, new: pair.value)
                    records[position] = record
                } else {
                    addToSecondaryIndexes(key.endpoint, value: pair.value)
                    records.insert(record, at: position)
                    tableOrder = nil
                    count(key, by: 1)
                }
            }
            if !malformedKeys.isEmpty { malformedKeys.remove(pair.key) }
        case .malformed:
            malformedKeys.insert(pair.key)
        case .other:
            if isUnderWorkloads(pair.key) { malformedKeys.insert(pair.key) }
        }
    }

    public mutating func delete(_ path: String) {
        if let name = layout.profileName(ofKey: path) {
            let profile = ExactString(name)
            profileKeys[profile]?.remove(ExactString(path))
            if profileKeys[profile]?.isEmpty == true { profileKeys[profile] = nil }
            return
        }
        malformedKeys.remove(path)
        guard case .endpoint(let key) = layout.classify(hostKey: path) else { return }
        if !sorted { sortRecords() }
        let position = position(of: key)
        guard position < records.count && records[position].key == key else { return }
        removeFromSecondaryIndexes(key.endpoint, value: records[position].value)
        records.remove(at: position)
        tableOrder = nil
        count(key, by: -1)
    }

    private mutating func addToSecondaryIndexes(_ endpoint: String, value: [UInt8]) {
        guard let fields = IndexedFields.read(value) else { return }
        for network in fields.networks { addresses.add(network, endpoint: endpoint, loading: loading) }
        for profile in fields.profiles { profileMembers.add(profile, endpoint: endpoint, loading: loading) }
    }

    /// A changed value updates only the secondary index whose fields changed: a profile change
    /// leaves the address index alone (a removal and insertion there shifts the sorted entries,
    /// 40 bytes each, behind the endpoint's: megabytes per change at 1,000,000 endpoints).
    private mutating func replaceInSecondaryIndexes(_ endpoint: String, old: [UInt8], new: [UInt8]) {
        if replaceProfilesOnly(endpoint, old: old, new: new) { return }
        let before = IndexedFields.read(old)
        let after = IndexedFields.read(new)
        if before?.netTexts != after?.netTexts {
            for network in before?.networks ?? [] { addresses.remove(network, endpoint: endpoint) }
            for network in after?.networks ?? [] { addresses.add(network, endpoint: endpoint, loading: loading) }
        }
        // Only the profiles that changed: a retag that appends one profile touches one member list,
        // not the endpoint's every profile (a bulk append spent a third of its time there).
        let (removed, added) = MultisetDifference.of(before?.profiles ?? [], after?.profiles ?? [], same: KeyText.equal)
        for profile in removed { profileMembers.remove(profile, endpoint: endpoint) }
        for profile in added { profileMembers.add(profile, endpoint: endpoint, loading: loading) }
    }

    /// The usual change, a retag, compared by bytes before any string is made (making and hashing
    /// both values' strings was a third of applying a bulk edit's events, perf): when the nets are
    /// the same bytes, only the profiles that differ touch the member lists. False, having changed
    /// nothing, for any other value (the full comparison then runs).
    private mutating func replaceProfilesOnly(_ endpoint: String, old: [UInt8], new: [UInt8]) -> Bool {
        guard let before = IndexedFields.ranges(old), let after = IndexedFields.ranges(new),
            IndexedFields.allUTF8(before, in: old), IndexedFields.allUTF8(after, in: new),
            before.nets.count == after.nets.count,
            zip(before.nets, after.nets).allSatisfy({ IndexedFields.sameBytes(old, $0, new, $1) })
        else { return false }
        let (removed, added) = MultisetDifference.of(before.profiles, after.profiles) {
            IndexedFields.sameBytes(old, $0, new, $1)
        }
        for range in removed {
            profileMembers.remove(String(decoding: old[range], as: UTF8.self), endpoint: endpoint)
        }
        for range in added {
            profileMembers.add(String(decoding: new[range], as: UTF8.self), endpoint: endpoint, loading: loading)
        }
        return true
    }

    private mutating func removeFromSecondaryIndexes(_ endpoint: String, value: [UInt8]) {
        guard let fields = IndexedFields.read(value) else { return }
        for network in fields.networks { addresses.remove(network, endpoint: endpoint) }
        for profile in fields.profiles { profileMembers.remove(profile, endpoint: endpoint) }
    }

    /// Applies `batch` like `apply(_:)`, and returns each endpoint's value before and after its
    /// event (for `endpoint watch`).
    public mutating func applyReportingChanges(_ batch: WatchBatch) -> [RecordChange] {
        var changes: [RecordChange] = []
        for event in batch.events {
            guard case .endpoint(let key) = layout.classify(hostKey: event.pair.key) else {
                switch event.kind {
                case .put: put(event.pair)
                case .delete: delete(event.pair.key)
                }
                continue
            }
            let before = record(at: key)?.value
            switch event.kind {
            case .put: put(event.pair)
            case .delete: delete(event.pair.key)
            }
            let after = event.kind == .put ? event.pair.value : nil
            guard before != nil || after != nil else { continue }
            changes.append(
                RecordChange(key: key, before: before, after: after, revision: event.pair.modRevision)
            )
        }
        revision = max(revision, batch.revision)
        return changes
    }

    /// The order of `records`: endpoint ID first, so an ID's locations sit together (by bytes).
    @inline(__always)
    static func idOrder(_ a: EndpointKey, _ b: EndpointKey) -> Bool {
        let order = KeyText.compare(a.endpoint, b.endpoint)
        return order != 0 ? order < 0 : a < b
    }

    /// The first position whose key is not before `key`.
    private func position(of key: EndpointKey) -> Int {
        lowerBound(idPrefix: PrefixSorting.idPrefix(key.endpoint)) { Self.idOrder($0[$1].key, key) }
    }

    /// The first position whose endpoint ID is not before `id`.
    private func position(ofID id: String) -> Int {
        lowerBound(idPrefix: PrefixSorting.idPrefix(id)) { KeyText.less($0[$1].key.endpoint, id) }
    }

    /// A binary search of the records for the first one not before the one sought, whose ID starts
    /// with the 8 bytes `prefix`: the records' ID prefixes (`Record.idPrefix`) decide most steps
    /// without touching a string; `before` decides a step whose prefix is equal (given the buffer
    /// and the position).
    private func lowerBound(idPrefix prefix: UInt64, before: (UnsafeBufferPointer<Record>, Int) -> Bool) -> Int {
        records.withUnsafeBufferPointer { buffer in
            var low = 0
            var high = buffer.count
            while low < high {
                let middle = (low + high) / 2
                let other = buffer[middle].idPrefix
                if other != prefix ? other < prefix : before(buffer, middle) { low = middle + 1 } else { high = middle }
            }
            return low
        }
    }

    /// Keeps the per-(host, orchestrator) counters in step with an endpoint added (+1) or removed (-1).
    private mutating func count(_ key: EndpointKey, by change: Int) {
        let group = HostOrchestrator(host: key.host, orchestrator: key.orchestrator)
        let workload = ExactString(key.workload)
        // The `default:` subscript's modify access changes the counts in place, hashing the group once.
        let remaining = groups[group, default: GroupCounts()].add(change, to: workload)
        if remaining <= 0 { groups[group] = nil }
    }

    private func isUnderWorkloads(_ path: String) -> Bool {
        let rest = Substring(path).utf8.dropFirst(layout.hostsPrefix.utf8.count)
        let parts = rest.split(separator: UInt8(ascii: "/"), maxSplits: 2, omittingEmptySubsequences: false)
        return parts.count > 2 && parts[1].elementsEqual("workload".utf8)
    }

    // MARK: Queries

    /// The endpoints matching `filter`, sorted by host, orchestrator, workload, endpoint (or, with
    /// `inTableOrder: false`, in the index's ID order, for callers that do not show them in order).
    /// `--address` and `--profile` take their candidates from the secondary indexes; an endpoint
    /// ID (or the literal start of an ID pattern) is a binary search; anything else is a scan.
    /// Every candidate is then checked against the whole filter.
    public func records(matching filter: EndpointFilter, inTableOrder: Bool = true) -> [Record] {
        var keys = KeyMatcher(filter)
        var found: [Record] = []
        // By position, so that only the matches are copied out: copying every candidate first
        // (five references each) was half of a bulk edit's selection at 100,000 endpoints (perf).
        func consider(_ position: Int) {
            let matches = records.withUnsafeBufferPointer { buffer in
                keys.matches(
                    host: buffer[position].key.host,
                    orchestrator: buffer[position].key.orchestrator,
                    workload: buffer[position].key.workload,
                    endpoint: buffer[position].key.endpoint
                )
            }
            guard matches else { return }
            if filter.needsValues {
                guard let data = try? EndpointData.decode(records[position].value), filter.matches(data) else {
                    return
                }
            }
            found.append(records[position])
        }
        if let ids = candidateIDs(filter), sorted {
            var seen = Set<ExactString>()
            for id in ids where seen.insert(ExactString(id)).inserted {
                var position = position(ofID: id)
                while position < records.count && KeyText.equal(records[position].key.endpoint, id) {
                    consider(position)
                    position += 1
                }
            }
        } else if inTableOrder, let tableOrder, candidateRange(filter) == records.indices {
            for position in tableOrder { consider(Int(position)) }
            return found
        } else {
            for position in candidateRange(filter) { consider(position) }
        }
        // Not `sorted(by:)`: see `PrefixSorting` (a whole-index `--detailed` sorts every record).
        if inTableOrder { PrefixSorting.sortByKey(&found) }
        return found
    }

    /// The positions an endpoint ID (or the literal start of an ID pattern) narrows a scan to: a
    /// binary search; every position without one (or while the records are unsorted).
    private func candidateRange(_ filter: EndpointFilter) -> Range<Int> {
        guard let id = filter.endpoint, sorted else { return records.indices }
        let prefix = NamePattern(id).literalPrefix
        let pattern = NamePattern.hasPatternCharacter(id)
        if pattern && prefix.isEmpty { return records.indices }
        let start = position(ofID: prefix)
        var end = start
        if pattern {
            while end < records.count && KeyText.hasPrefix(records[end].key.endpoint, prefix) { end += 1 }
        } else {
            while end < records.count && KeyText.equal(records[end].key.endpoint, id) { end += 1 }
        }
        return start..<end
    }

    /// The IDs the secondary indexes name for `filter` (a superset of its matches), or nil when
    /// it has neither `--address` nor `--profile`.
    private func candidateIDs(_ filter: EndpointFilter) -> [String]? {
        var lists: [[String]] = []
        if let address = filter.address {
            lists.append(address.isAddress ? addresses.containing(address) : addresses.inside(address))
        }
        if let profile = filter.profile { lists.append(profileMembers.endpoints(carrying: profile)) }
        return lists.min { $0.count < $1.count }
    }

    /// Known addresses and networks whose text starts with `prefix` (for completion).
    public func networks(withPrefix prefix: String) -> [String] {
        addresses.networks.map(\.description).filter { $0.hasPrefix(prefix) }
    }

    /// The distinct values of one field of every endpoint (MACs, interface names), for completion:
    /// a scan that decodes every value, run only on TAB.
    public func valueStrings(_ field: KeyPath<EndpointData, String?>) -> [String] {
        var seen = Set<String>()
        for record in records {
            if let value = (try? EndpointData.decode(record.value))?[keyPath: field] { seen.insert(value) }
        }
        return Array(seen)
    }

    /// Profiles that exist or that an endpoint carries, sorted (for `--profile` completion).
    public var profileNamesInUse: [String] {
        Set(profileKeys.keys).union(profileMembers.names).sorted().map(\.text)
    }

    /// Whether the secondary indexes equal `other`'s: those kept up by changes must be the ones a
    /// load from scratch builds (tests).
    func secondaryIndexesEqual(_ other: EndpointIndex) -> Bool {
        profileMembers == other.profileMembers && addresses.sameEntries(as: other.addresses)
    }

    /// Every record, in ID order.
    public var allRecords: [Record] { records }

    public func record(at key: EndpointKey) -> Record? {
        if !sorted { return records.first { $0.key == key } }
        let position = position(of: key)
        return position < records.count && records[position].key == key ? records[position] : nil
    }

    public struct SummaryRow: Equatable, Sendable {
        public var host: String
        public var orchestrator: String
        public var workloads: Int
        public var endpoints: Int
    }

    /// One row per (host, orchestrator). Filters on host and orchestrator only read the counters;
    /// a workload or endpoint filter needs the matching endpoints.
    public func summary(matching filter: EndpointFilter) -> [SummaryRow] {
        if filter.onlyHostAndOrchestrator {
            return groups.keys
                .filter { group in
                    (filter.host.map { NamePattern($0).matches(group.host) } ?? true)
                        && (filter.orchestrator.map { NamePattern($0).matches(group.orchestrator) } ?? true)
                }
                .sorted()
                .map {
                    SummaryRow(
                        host: $0.host,
                        orchestrator: $0.orchestrator,
                        workloads: groups[$0]?.workloads.count ?? 0,
                        endpoints: groups[$0]?.endpoints ?? 0
                    )
                }
        }
        var workloads: [HostOrchestrator: Set<ExactString>] = [:]
        var endpoints: [HostOrchestrator: Int] = [:]
        for record in records(matching: filter) {
            let group = HostOrchestrator(host: record.key.host, orchestrator: record.key.orchestrator)
            workloads[group, default: []].insert(ExactString(record.key.workload))
            endpoints[group, default: 0] += 1
        }
        return endpoints.keys.sorted().map {
            SummaryRow(
                host: $0.host,
                orchestrator: $0.orchestrator,
                workloads: workloads[$0]?.count ?? 0,
                endpoints: endpoints[$0] ?? 0
            )
        }
    }

    public func profileExists(_ name: String) -> Bool { profileKeys[ExactString(name)] != nil }

    public var profileNames: [String] { profileKeys.keys.sorted().map(\.text) }

    /// Endpoint IDs starting with `prefix`, in order, each once, at most `limit`.
    public func endpointIDs(withPrefix prefix: String, limit: Int = .max) -> [String] {
        endpointIDsAndCount(withPrefix: prefix, limit: limit).ids
    }

    /// How many distinct endpoint IDs start with `prefix` (for "N more" in completion listings).
    public func endpointIDCount(withPrefix prefix: String) -> Int {
        endpointIDsAndCount(withPrefix: prefix, limit: 0).total
    }

    /// The first `limit` distinct endpoint IDs starting with `prefix`, in order, and how many there
    /// are in all, in one walk (completion needs both; two walks were a third of its own time at
    /// 1,000,000 endpoints, where three characters match ~250 IDs).
    public func endpointIDsAndCount(withPrefix prefix: String, limit: Int) -> (ids: [String], total: Int) {
        if !sorted {
            let matching = Set(
                records.lazy.map { ExactString($0.key.endpoint) }.filter { KeyText.hasPrefix($0.text, prefix) }
            )
            return (Array(matching.sorted().prefix(limit).map(\.text)), matching.count)
        }
        let start = position(ofID: prefix)
        // An ASCII prefix of at most 8 bytes is decided by the records' `idPrefix` alone: reading
        // each ID retains it, and at 1,000,000 endpoints those retains (a cache miss each) were 80%
        // of this walk (perf of `complete endpoint <3 chars>`).
        let prefixBytes = Array(prefix.utf8)
        // (Not with a NUL: `idPrefix` pads short IDs with zero bytes.)
        let inIDPrefix = prefixBytes.count <= 8 && prefixBytes.allSatisfy { $0 < 0x80 && $0 != 0 }
        let mask: UInt64 = inIDPrefix && !prefixBytes.isEmpty ? ~0 << (8 * UInt64(8 - prefixBytes.count)) : 0
        let wanted = PrefixSorting.idPrefix(prefix)
        return records.withUnsafeBufferPointer { buffer in
            var ids: [String] = []
            var total = 0
            var position = start
            func matches(_ position: Int) -> Bool {
                inIDPrefix
                    ? buffer[position].idPrefix & mask == wanted
                    : KeyText.hasPrefix(buffer[position].key.endpoint, prefix)
            }
            while position < buffer.count, matches(position) {
                // A new ID, unless the record before has the same one (an ID on several hosts).
                let repeated =
                    position > start && buffer[position].idPrefix == buffer[position - 1].idPrefix
                    && KeyText.equal(buffer[position].key.endpoint, buffer[position - 1].key.endpoint)
                if !repeated {
                    total += 1
                    if ids.count < limit { ids.append(buffer[position].key.endpoint) }
                }
                position += 1
            }
            return (ids, total)
        }
    }

    public var hostNames: [String] { Set(groups.keys.map { ExactString($0.host) }).sorted().map(\.text) }
    public var orchestratorNames: [String] {
        Set(groups.keys.map { ExactString($0.orchestrator) }).sorted().map(\.text)
    }

    /// Workload IDs, optionally only those on `host` / under `orchestrator`.
    public func workloadIDs(host: String? = nil, orchestrator: String? = nil) -> [String] {
        var names = Set<ExactString>()
        for (group, counts) in groups
        where (host.map { KeyText.equal($0, group.host) } ?? true)
            && (orchestrator.map { KeyText.equal($0, group.orchestrator) } ?? true)
        {
            names.formUnion(counts.workloads.keys)
        }
        return names.sorted().map(\.text)
    }
}
