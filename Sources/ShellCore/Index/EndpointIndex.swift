/// Every endpoint and profile under the prefix, in memory, and the derived views that commands and
/// completion need. A pure value: it is fed etcd key-values and watch events, and does no I/O.
///
/// Layout, chosen for memory (an index of 1,000,000 endpoints must stay within a small multiple of
/// etcd's own bytes): the endpoints sit in numbered slots with their bytes in one arena
/// (`EndpointSlots`); `order` lists them by endpoint ID, then host, orchestrator and workload, as
/// (8-byte ID prefix, slot) pairs. An ID lookup and a prefix search are binary searches in it; a
/// change is a binary search and one insertion or removal of 16 bytes. Endpoint values are kept as
/// the raw JSON bytes and decoded only when shown. The summary table is O(hosts × orchestrators):
/// its counters are kept up to date incrementally. A full load appends and sorts once at the end.
public struct EndpointIndex: Sendable {
    public let layout: KeyLayout
    /// Every change up to this revision has been applied.
    public internal(set) var revision: Int64 = 0

    /// One endpoint, as the index hands it out (made from its slot when asked for).
    public struct Record: Equatable, Sendable {
        public let key: EndpointKey
        public var value: [UInt8]
        public var modRevision: Int64

        public init(key: EndpointKey, value: [UInt8], modRevision: Int64) {
            self.key = key
            self.value = value
            self.modRevision = modRevision
        }
    }

    /// An endpoint's place in the ID order: the first 8 bytes of its ID (`PrefixSorting.idPrefix`),
    /// which decide most steps of a binary search without reading the arena, and its slot.
    struct Position {
        var idPrefix: UInt64
        var slot: UInt32
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

    /// Where the endpoints are.
    private var slots = EndpointSlots()
    /// Every endpoint, sorted by `idOrder` (unless `loading`, or `sorted` is false).
    private var order: [Position] = []
    /// The slots in the tables' order (`EndpointKey <`), from the last full load until an endpoint
    /// is added or removed (nil then; a changed value keeps it). A whole-index `--detailed` walks it
    /// instead of sorting every record, which was a third of its first answer (perf, 100,000
    /// endpoints). It costs little to make: a load comes in etcd's key order, which is the tables'
    /// order but for names that continue with a byte below `/`, so sorting it finds the runs made.
    private var tableOrder: [UInt32]?
    /// During a full load records are appended unsorted and sorted once by `finishLoading()`.
    private var loading = false
    /// False after a load that skipped sorting (one-shot summaries need no ID order): lookups then
    /// scan instead of searching, until the first change sorts them.
    private var sorted = true
    /// Profile name → its keys under `policy/profile/<name>/` (a profile exists while it has any).
    private var profileKeys: [ExactString: Set<ExactString>] = [:]
    /// Secondary indexes, kept by every put and delete from the values' profiles and networks (see
    /// `IndexedFields`): `--address` and `--profile` find their candidates here, without a scan.
    /// Empty after a keys-only load (the values are not there).
    private var addresses = AddressIndex()
    private var profileMembers = ProfileMembers()
    /// False after a load that left the secondary indexes to be built when first needed
    /// (`buildSecondaryIndexes`): reading every value's profiles and networks was half of loading,
    /// and a first `endpoint show --detailed` needs neither. Until then changes do not touch them,
    /// and `--address` and `--profile` scan.
    public private(set) var hasSecondaryIndexes = true
    /// Keys under a host's `workload/` tree that do not fit the endpoint layout.
    public private(set) var malformedKeys: Set<String> = []

    public init(layout: KeyLayout) {
        self.layout = layout
    }

    public var count: Int { order.count }

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
    /// With `deferringSecondaryIndexes`, they leave the secondary indexes to `buildSecondaryIndexes`.
    mutating func startLoading(deferringSecondaryIndexes: Bool = false) {
        loading = true
        if deferringSecondaryIndexes { hasSecondaryIndexes = false }
    }

    /// Builds the secondary indexes a load deferred, from every endpoint's value as it is now.
    public mutating func buildSecondaryIndexes() {
        guard !hasSecondaryIndexes else { return }
        hasSecondaryIndexes = true
        addresses = AddressIndex()
        profileMembers = ProfileMembers()
        addresses.reserve(order.count)
        var value: [UInt8] = []
        for position in order {
            slots.copyValue(position.slot, into: &value)
            addToSecondaryIndexes(position.slot, value: value, loading: true)
        }
        addresses.sortIfNeeded()
    }

    /// Room for `count` more endpoints at once: growing by doubling would hold the old and the new
    /// array together and leave up to half of the last one unused.
    mutating func reserve(_ count: Int) {
        slots.reserve(count)
        order.reserveCapacity(order.count + count)
        // Most endpoints have one network: the address index grows once instead of doubling.
        addresses.reserve(count)
    }

    /// Ends a full load; `sort: false` leaves the records in load order (cheaper when only the
    /// summary counters will be read).
    mutating func finishLoading(sort: Bool = true) {
        if sort {
            sortOrder()
            // Slots were given out in load order, which is etcd's key order: the tables' order but
            // for a few runs (which the sort finds).
            var table = slots.liveSlots
            let slots = self.slots
            table.sort { slots.compareInTableOrder($0, $1) < 0 }
            tableOrder = table
            renumberInIDOrder()
        }
        sorted = sort
        loading = false
        addresses.sortIfNeeded()
    }

    /// Gives the endpoint at ID position i slot i. Walks of the ID order (completion's listing of
    /// IDs, an ID's hosts) then read the slots in order instead of all over them: at 1,000,000
    /// endpoints, slots in load order made each ID listed in a completion a cache and TLB miss
    /// more, and completion 20% slower (perf). Only right after a load, when every slot is used.
    private mutating func renumberInIDOrder() {
        guard slots.slots.count == order.count else { return }
        var renumbered = [UInt32](repeating: 0, count: order.count)
        for (position, entry) in order.enumerated() { renumbered[Int(entry.slot)] = UInt32(position) }
        slots.permute(taking: order.map { Int($0.slot) })
        for position in order.indices { order[position].slot = UInt32(position) }
        tableOrder = tableOrder?.map { renumbered[Int($0)] }
        addresses.renumber(renumbered)
        profileMembers.renumber(renumbered)
    }

    /// Puts the endpoints in ID order. An unsorted index does this before its first change, so that
    /// every change takes the one sorted path (a one-shot run rarely sees a change at all).
    private mutating func sortOrder() {
        let slots = self.slots
        order.sort { a, b in
            if a.idPrefix != b.idPrefix { return a.idPrefix < b.idPrefix }
            return slots.compareInIDOrder(a.slot, b.slot) < 0
        }
        sorted = true
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
            if loading {
                let slot = slots.add(key, value: pair.value, modRevision: pair.modRevision)
                order.append(Position(idPrefix: PrefixSorting.idPrefix(key.endpoint), slot: slot))
                addToSecondaryIndexes(slot, value: pair.value, loading: true)
            } else {
                if !sorted {
                    sortOrder()
                    tableOrder = nil
                }
                let position = position(of: key)
                if position < order.count && slots.holds(order[position].slot, key) {
                    let slot = order[position].slot
                    if hasSecondaryIndexes {
                        replaceInSecondaryIndexes(slot, old: slots.value(of: slot), new: pair.value)
                    }
                    slots.replace(slot, key: key, value: pair.value, modRevision: pair.modRevision)
                } else {
                    let slot = slots.add(key, value: pair.value, modRevision: pair.modRevision)
                    addToSecondaryIndexes(slot, value: pair.value, loading: false)
                    order.insert(Position(idPrefix: PrefixSorting.idPrefix(key.endpoint), slot: slot), at: position)
                    tableOrder = nil
                }
            }
            if !malformedKeys.isEmpty { malformedKeys.remove(pair.key) }
        case .malformed:
            malformedKeys.insert(pair.key)
        case .other:
            if isUnderWorkloads(pair.key) { malformedKeys.insert(pair.key) }
        }
    }

    /// Puts every key-value of a page. A page read as bytes (etcd v3, `RawKeyValues`) goes into a
    /// loading index without a `KeyValue`, `EndpointKey` or value array per endpoint where it can
    /// (`putInPlace`); anything else goes through `put(_:)` as a `KeyValue`.
    public mutating func put(_ page: RangePage) {
        guard let raw = page.raw else {
            for pair in page.pairs { put(pair) }
            return
        }
        for index in 0..<raw.count where !raw.withPair(at: index, { putInPlace($0, $1, $2) }) {
            put(raw.keyValue(at: index))
        }
    }

    /// A loading index's put of an endpoint whose key is ASCII (its `String` has the same bytes),
    /// from the bytes. False, having done nothing, for any other key or when not loading.
    private mutating func putInPlace(
        _ key: UnsafeRawBufferPointer,
        _ value: UnsafeRawBufferPointer,
        _ modRevision: Int64
    ) -> Bool {
        guard loading, malformedKeys.isEmpty else { return false }
        let prefix = layout.hostsPrefix.utf8
        guard key.count > prefix.count, key.starts(with: prefix), !key.contains(where: { $0 >= 0x80 }) else {
            return false
        }
        let kind = key.withMemoryRebound(to: UInt8.self) { KeyLayout.endpointFields($0, from: prefix.count) }
        guard case .endpoint(let fields) = kind else { return false }
        let endpoint = UnsafeRawBufferPointer(rebasing: key[fields.endpoint])
        let slot = slots.add(
            host: UnsafeRawBufferPointer(rebasing: key[fields.host]),
            orchestrator: UnsafeRawBufferPointer(rebasing: key[fields.orchestrator]),
            workload: UnsafeRawBufferPointer(rebasing: key[fields.workload]),
            endpoint: endpoint,
            value: value,
            modRevision: modRevision
        )
        order.append(Position(idPrefix: PrefixSorting.idPrefix(bytes: endpoint), slot: slot))
        if !value.isEmpty && hasSecondaryIndexes { addToSecondaryIndexes(slot, value: Array(value), loading: true) }
        return true
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
        if !sorted {
            sortOrder()
            tableOrder = nil
        }
        let position = position(of: key)
        guard position < order.count && slots.holds(order[position].slot, key) else { return }
        let slot = order[position].slot
        if hasSecondaryIndexes { removeFromSecondaryIndexes(slot, value: slots.value(of: slot)) }
        order.remove(at: position)
        tableOrder = nil
        slots.remove(slot)
    }

    private mutating func addToSecondaryIndexes(_ slot: UInt32, value: [UInt8], loading: Bool) {
        guard hasSecondaryIndexes, let fields = IndexedFields.read(value) else { return }
        for network in fields.networks { addresses.add(network, slot: slot, loading: loading) }
        for profile in fields.profiles { profileMembers.add(profile, slot: slot) }
    }

    /// A changed value updates only the secondary index whose fields changed: a profile change
    /// leaves the address index alone (a removal and insertion there shifts the sorted entries,
    /// 32 bytes each, behind the endpoint's: megabytes per change at 1,000,000 endpoints).
    /// Its caller checks `hasSecondaryIndexes` first (and so decompresses no old value without them).
    private mutating func replaceInSecondaryIndexes(_ slot: UInt32, old: [UInt8], new: [UInt8]) {
        if replaceProfilesOnly(slot, old: old, new: new) { return }
        let before = IndexedFields.read(old)
        let after = IndexedFields.read(new)
        if before?.netTexts != after?.netTexts {
            for network in before?.networks ?? [] { addresses.remove(network, slot: slot) }
            for network in after?.networks ?? [] { addresses.add(network, slot: slot, loading: loading) }
        }
        // Only the profiles that changed: a retag that appends one profile touches one member list,
        // not the endpoint's every profile (a bulk append spent a third of its time there).
        let (removed, added) = MultisetDifference.of(before?.profiles ?? [], after?.profiles ?? [], same: KeyText.equal)
        for profile in removed { profileMembers.remove(profile, slot: slot) }
        for profile in added { profileMembers.add(profile, slot: slot) }
    }

    /// The usual change, a retag, compared by bytes before any string is made (making and hashing
    /// both values' strings was a third of applying a bulk edit's events, perf): when the nets are
    /// the same bytes, only the profiles that differ touch the member lists. False, having changed
    /// nothing, for any other value (the full comparison then runs).
    private mutating func replaceProfilesOnly(_ slot: UInt32, old: [UInt8], new: [UInt8]) -> Bool {
        guard let before = IndexedFields.ranges(old), let after = IndexedFields.ranges(new),
            IndexedFields.allUTF8(before, in: old), IndexedFields.allUTF8(after, in: new),
            before.nets.count == after.nets.count,
            zip(before.nets, after.nets).allSatisfy({ IndexedFields.sameBytes(old, $0, new, $1) })
        else { return false }
        let (removed, added) = MultisetDifference.of(before.profiles, after.profiles) {
            IndexedFields.sameBytes(old, $0, new, $1)
        }
        for range in removed {
            profileMembers.remove(String(decoding: old[range], as: UTF8.self), slot: slot)
        }
        for range in added {
            profileMembers.add(String(decoding: new[range], as: UTF8.self), slot: slot)
        }
        return true
    }

    /// Its caller checks `hasSecondaryIndexes` first, as `replaceInSecondaryIndexes`'s does.
    private mutating func removeFromSecondaryIndexes(_ slot: UInt32, value: [UInt8]) {
        guard let fields = IndexedFields.read(value) else { return }
        for network in fields.networks { addresses.remove(network, slot: slot) }
        for profile in fields.profiles { profileMembers.remove(profile, slot: slot) }
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

    /// The order of `order`: endpoint ID first, so an ID's locations sit together (by bytes).
    @inline(__always)
    static func idOrder(_ a: EndpointKey, _ b: EndpointKey) -> Bool {
        let order = KeyText.compare(a.endpoint, b.endpoint)
        return order != 0 ? order < 0 : a < b
    }

    /// The first position whose key is not before `key`.
    private func position(of key: EndpointKey) -> Int {
        lowerBound(idPrefix: PrefixSorting.idPrefix(key.endpoint)) { slots.compareInIDOrder($0, key) < 0 }
    }

    /// The first position whose endpoint ID is not before `id`.
    private func position(ofID id: String) -> Int {
        lowerBound(idPrefix: PrefixSorting.idPrefix(id)) { slot in
            slots.withEndpointBytes(slot) { EndpointSlots.compare($0, id) < 0 }
        }
    }

    /// A binary search of `order` for the first endpoint not before the one sought, whose ID starts
    /// with the 8 bytes `prefix`: the ID prefixes decide most steps without reading the arena;
    /// `before` decides a step whose prefix is equal (given the slot).
    private func lowerBound(idPrefix prefix: UInt64, before: (UInt32) -> Bool) -> Int {
        order.withUnsafeBufferPointer { buffer in
            var low = 0
            var high = buffer.count
            while low < high {
                let middle = (low + high) / 2
                let other = buffer[middle].idPrefix
                if other != prefix ? other < prefix : before(buffer[middle].slot) {
                    low = middle + 1
                } else {
                    high = middle
                }
            }
            return low
        }
    }

    /// Whether the endpoint in `slot` has the ID `id`.
    private func hasID(_ slot: UInt32, _ id: String) -> Bool {
        slots.withEndpointBytes(slot) { EndpointSlots.compare($0, id) == 0 }
    }

    private func isUnderWorkloads(_ path: String) -> Bool {
        var path = path
        let start = layout.hostsPrefix.utf8.count
        return path.withUTF8 { $0.count >= start && KeyLayout.isUnderWorkloads($0, from: start) }
    }

    // MARK: Queries

    /// The endpoints matching `filter`, sorted by host, orchestrator, workload, endpoint (or, with
    /// `inTableOrder: false`, in the index's ID order, for callers that do not show them in order).
    /// `--address` and `--profile` take their candidates from the secondary indexes; an endpoint
    /// ID (or the literal start of an ID pattern) is a binary search; anything else is a scan.
    /// Every candidate is then checked against the whole filter.
    public func records(matching filter: EndpointFilter, inTableOrder: Bool = true) -> [Record] {
        records(slots: slotNumbers(matching: filter, inTableOrder: inTableOrder))
    }

    /// The records in `numbers` (from `slotNumbers`), in that order. Made in parts at once: a record
    /// is a key's four strings and a value (a bulk edit of every endpoint makes one each).
    func records(slots numbers: [UInt32]) -> [Record] {
        let slots = self.slots
        return Array(
            ParallelParts.map(ParallelParts.ranges(numbers.count)) { numbers[$0].map { slots.record($0) } }.joined()
        )
    }

    /// `records(matching:)` as slot numbers (read with `record(slot:)`, `copyValue` and `withNames`),
    /// valid until the index next changes.
    func slotNumbers(matching filter: EndpointFilter, inTableOrder: Bool = true) -> [UInt32] {
        var keys = KeyMatcher(filter)
        var found: [UInt32] = []
        let slots = self.slots
        // Names are read from the arena only when a pattern needs them, and a value is decoded only
        // when the filter needs it: making a record per candidate was most of a scan.
        func consider(_ slot: UInt32) {
            let group = slots.group(of: slot)
            guard
                keys.matches(
                    host: group.host,
                    orchestrator: group.orchestrator,
                    workload: slots.workload(of: slot),
                    endpoint: slots.endpoint(of: slot)
                )
            else { return }
            if filter.needsValues {
                guard let data = try? EndpointData.decode(slots.value(of: slot)), filter.matches(data) else { return }
            }
            found.append(slot)
        }
        if let candidates = candidateSlots(filter) {
            for slot in candidates { consider(slot) }
            if !inTableOrder { found.sort { slots.compareInIDOrder($0, $1) < 0 } }
        } else if inTableOrder, let tableOrder, candidateRange(filter) == order.indices {
            if filter == EndpointFilter() { return tableOrder }
            for slot in tableOrder { consider(slot) }
            return found
        } else {
            for position in candidateRange(filter) { consider(order[position].slot) }
        }
        if inTableOrder { found.sort { slots.compareInTableOrder($0, $1) < 0 } }
        return found
    }

    /// The record in `slot` (from `slotNumbers`).
    func record(slot: UInt32) -> Record { slots.record(slot) }

    /// The key of the endpoint in `slot`.
    func key(slot: UInt32) -> EndpointKey { slots.key(of: slot) }

    /// The value of the endpoint in `slot`, into `value` (whose storage a scan reuses). With
    /// `withNames`, a whole-index `--detailed` reads every endpoint making no record and no string.
    func copyValue(slot: UInt32, into value: inout [UInt8]) {
        slots.copyValue(slot, into: &value)
    }

    /// Runs `body` on the names of the endpoint in `slot`: its group, and its workload name's and
    /// ID's bytes.
    func withNames<Result>(
        slot: UInt32,
        _ body: (_ group: HostOrchestrator, _ workload: UnsafeRawBufferPointer, _ endpoint: UnsafeRawBufferPointer) ->
            Result
    ) -> Result {
        let group = slots.group(of: slot)
        return slots.withKeyBytes(slot) { workload, endpoint in body(group, workload, endpoint) }
    }

    /// The positions an endpoint ID (or the literal start of an ID pattern) narrows a scan to: a
    /// binary search; every position without one (or while the order is unsorted).
    private func candidateRange(_ filter: EndpointFilter) -> Range<Int> {
        guard let id = filter.endpoint, sorted else { return order.indices }
        let prefix = NamePattern(id).literalPrefix
        let pattern = NamePattern.hasPatternCharacter(id)
        if pattern && prefix.isEmpty { return order.indices }
        let start = position(ofID: prefix)
        var end = start
        if pattern {
            while end < order.count
                && slots.withEndpointBytes(order[end].slot, { id in KeyText.withBytes(prefix) { id.starts(with: $0) } })
            {
                end += 1
            }
        } else {
            while end < order.count && hasID(order[end].slot, id) { end += 1 }
        }
        return start..<end
    }

    /// The slots the secondary indexes name for `filter` (a superset of its matches, each once), or
    /// nil when it has neither `--address` nor `--profile`.
    private func candidateSlots(_ filter: EndpointFilter) -> [UInt32]? {
        guard hasSecondaryIndexes else { return nil }
        var lists: [[UInt32]] = []
        if let address = filter.address {
            var slots = address.isAddress ? addresses.containing(address) : addresses.inside(address)
            // An endpoint with two matching networks is named twice.
            slots.sort()
            var previous: UInt32?
            slots.removeAll { slot in
                defer { previous = slot }
                return slot == previous
            }
            lists.append(slots)
        }
        if let profile = filter.profile { lists.append(profileMembers.slots(carrying: profile)) }
        return lists.min { $0.count < $1.count }
    }

    /// Known addresses and networks whose text starts with `prefix` (for completion).
    public func networks(withPrefix prefix: String) -> [String] {
        let networks = hasSecondaryIndexes ? addresses.networks : Set(scannedFields.flatMap(\.networks)).sorted()
        return networks.map(\.description).filter { $0.hasPrefix(prefix) }
    }

    /// Every endpoint's indexed fields, read from the values: what the secondary indexes answer from
    /// before they are built (the synchronizer builds them before a command needs them).
    private var scannedFields: [IndexedFields] {
        var value: [UInt8] = []
        return order.compactMap { position in
            slots.copyValue(position.slot, into: &value)
            return IndexedFields.read(value)
        }
    }

    /// The distinct values of one field of every endpoint (MACs, interface names), for completion:
    /// a scan that decodes every value, run only on TAB.
    public func valueStrings(_ field: KeyPath<EndpointData, String?>) -> [String] {
        var seen = Set<String>()
        for position in order {
            if let value = (try? EndpointData.decode(slots.value(of: position.slot)))?[keyPath: field] {
                seen.insert(value)
            }
        }
        return Array(seen)
    }

    /// Profiles that exist or that an endpoint carries, sorted (for `--profile` completion).
    public var profileNamesInUse: [String] {
        let carried =
            hasSecondaryIndexes ? profileMembers.names : scannedFields.flatMap(\.profiles).map(ExactString.init)
        return Set(profileKeys.keys).union(carried).sorted().map(\.text)
    }

    /// Whether the secondary indexes equal `other`'s: those kept up by changes must be the ones a
    /// load from scratch builds (tests). Slots differ between the two; what they hold must not.
    func secondaryIndexesEqual(_ other: EndpointIndex) -> Bool {
        let name = { (index: EndpointIndex) in { (slot: UInt32) in index.slots.key(of: slot).description } }
        return profileMembers.namedEntries(name(self)) == other.profileMembers.namedEntries(name(other))
            && addresses.namedEntries(name(self)) == other.addresses.namedEntries(name(other))
    }

    /// The arena's live and garbage bytes (tests).
    var arenaBytes: (live: Int, garbage: Int) { slots.arenaBytes }

    /// Every record, in ID order.
    public var allRecords: [Record] { order.map { slots.record($0.slot) } }

    public func record(at key: EndpointKey) -> Record? {
        if !sorted { return order.first { slots.holds($0.slot, key) }.map { slots.record($0.slot) } }
        let position = position(of: key)
        guard position < order.count, slots.holds(order[position].slot, key) else { return nil }
        return slots.record(order[position].slot)
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
            return slots.liveGroups
                .filter { group in
                    (filter.host.map { NamePattern($0).matches(group.key.host) } ?? true)
                        && (filter.orchestrator.map { NamePattern($0).matches(group.key.orchestrator) } ?? true)
                }
                .sorted { $0.key < $1.key }
                .map {
                    SummaryRow(
                        host: $0.key.host,
                        orchestrator: $0.key.orchestrator,
                        workloads: $0.workloads.count,
                        endpoints: $0.endpoints
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
        let slots = self.slots
        let prefixBytes = Array(prefix.utf8)
        func startsWithPrefix(_ slot: UInt32) -> Bool {
            slots.withEndpointBytes(slot) { $0.starts(with: prefixBytes) }
        }
        if !sorted {
            let matching = Set(
                order.lazy.filter { startsWithPrefix($0.slot) }.map { ExactString(slots.endpoint(of: $0.slot)) }
            )
            return (Array(matching.sorted().prefix(limit).map(\.text)), matching.count)
        }
        let start = position(ofID: prefix)
        // An ASCII prefix of at most 8 bytes is decided by the ID prefixes in `order` alone, without
        // reading the arena (at 1,000,000 endpoints each read is a cache miss).
        // (Not with a NUL: `idPrefix` pads short IDs with zero bytes.)
        let inIDPrefix = prefixBytes.count <= 8 && prefixBytes.allSatisfy { $0 < 0x80 && $0 != 0 }
        let mask: UInt64 = inIDPrefix && !prefixBytes.isEmpty ? ~0 << (8 * UInt64(8 - prefixBytes.count)) : 0
        let wanted = PrefixSorting.idPrefix(prefix)
        // First the slots of the IDs to list, then their text: the arena reads of the second pass
        // do not wait on each other (one cache miss each at 1,000,000 endpoints).
        let (listed, total) = order.withUnsafeBufferPointer { buffer in
            var listed: [UInt32] = []
            var total = 0
            var position = start
            func matches(_ position: Int) -> Bool {
                inIDPrefix ? buffer[position].idPrefix & mask == wanted : startsWithPrefix(buffer[position].slot)
            }
            while position < buffer.count, matches(position) {
                // A new ID, unless the endpoint before has the same one (an ID on several hosts).
                let repeated =
                    position > start && buffer[position].idPrefix == buffer[position - 1].idPrefix
                    && slots.withEndpointBytes(buffer[position].slot) { this in
                        slots.withEndpointBytes(buffer[position - 1].slot) { EndpointSlots.compare(this, $0) == 0 }
                    }
                if !repeated {
                    total += 1
                    if listed.count < limit { listed.append(buffer[position].slot) }
                }
                position += 1
            }
            return (listed, total)
        }
        // The listed IDs' bytes gathered first, their strings made after: the arena reads then
        // overlap instead of each waiting its turn behind a string's allocation (at 1,000,000
        // endpoints the IDs lie all over the arena, and a string made straight from each was a
        // third of a completion's own time, waiting on memory).
        var gathered: [UInt8] = []
        gathered.reserveCapacity(listed.count * 32)
        var ends: [Int] = []
        ends.reserveCapacity(listed.count)
        for slot in listed {
            slots.withEndpointBytes(slot) { gathered.append(contentsOf: $0) }
            ends.append(gathered.count)
        }
        let ids = gathered.withUnsafeBufferPointer { buffer in
            ends.indices.map { number in
                let start = number == 0 ? 0 : ends[number - 1]
                return String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<ends[number]]), as: UTF8.self)
            }
        }
        return (ids, total)
    }

    public var hostNames: [String] { Set(slots.liveGroups.map { ExactString($0.key.host) }).sorted().map(\.text) }
    public var orchestratorNames: [String] {
        Set(slots.liveGroups.map { ExactString($0.key.orchestrator) }).sorted().map(\.text)
    }

    /// Workload IDs, optionally only those on `host` / under `orchestrator`: a scan of the
    /// endpoints of the groups that match (run on TAB).
    public func workloadIDs(host: String? = nil, orchestrator: String? = nil) -> [String] {
        var names = Set<ExactString>()
        let slots = self.slots
        let wanted: [Bool] = slots.groups.map { group in
            guard let group else { return false }
            return (host.map { KeyText.equal($0, group.key.host) } ?? true)
                && (orchestrator.map { KeyText.equal($0, group.key.orchestrator) } ?? true)
        }
        for position in order where wanted[Int(slots.slots[Int(position.slot)].group)] {
            names.insert(ExactString(slots.workload(of: position.slot)))
        }
        return names.sorted().map(\.text)
    }
}
