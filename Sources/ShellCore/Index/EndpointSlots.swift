/// Where the index keeps its endpoints: each in a numbered slot of 32 bytes (where its bytes lie in
/// a `ByteArena`, the lengths of its workload name, ID and value, its (host, orchestrator) group by
/// number and its revision), and the group's counters. A slot's number stays the endpoint's while
/// it exists, so the secondary indexes and the ID order name endpoints by slot (4 bytes, no
/// reference to retain) instead of by key.
///
/// Hosts and orchestrators are held once per group, not once per endpoint. Keys are handed out as
/// `EndpointKey`s and values as arrays only when asked for (`record(_:)`): the index's own work
/// (binary searches, sorting, matching) reads the bytes in place.
struct EndpointSlots: Sendable {
    struct Slot {
        var bytes: ByteArena.Location
        var workloadCount: UInt32
        var endpointCount: UInt32
        /// The stored value's length; its top bit says it is stored compressed (`ValueCompression`).
        var storedValue: UInt32
        /// `EndpointSlots.free` for a slot that holds no endpoint.
        var group: UInt32
        var modRevision: Int64

        var valueCount: Int { Int(storedValue & ~Slot.compressed) }
        var isCompressed: Bool { storedValue & Slot.compressed != 0 }
        static let compressed: UInt32 = 1 << 31

        var byteCount: Int { Int(workloadCount) + Int(endpointCount) + valueCount }

        /// `storedValue` for a value stored as `stored` (compressed or not).
        static func storedValue(count: Int, compressed: Bool) -> UInt32 {
            UInt32(count) | (compressed ? Slot.compressed : 0)
        }
    }

    static let free = UInt32.max

    /// Endpoints of one (host, orchestrator), and how many of them each workload has. Workloads are
    /// counted by a 64-bit hash of their name (seeded per process), not by the name: holding every
    /// workload's name a second time cost 70 bytes an endpoint at 1,000,000 endpoints (heaptrack).
    /// Two names of one group would have to share all 64 bits to be counted as one.
    struct Group {
        var key: EndpointIndex.HostOrchestrator
        var endpoints = 0
        var workloads: [Int: UInt32] = [:]
    }

    private(set) var slots: [Slot] = []
    private var freeSlots: [UInt32] = []
    private var arena = ByteArena()
    private(set) var groups: [Group?] = []
    private var groupNumbers: [EndpointIndex.HostOrchestrator: UInt32] = [:]
    private var freeGroups: [UInt32] = []
    /// The group of the last endpoint added from bytes, with its names' bytes: a load comes in key
    /// order, host by host, so the next endpoint's group is nearly always this one.
    private var lastGroup: (host: [UInt8], orchestrator: [UInt8], number: UInt32)?

    /// The arena's live and garbage bytes (tests).
    var arenaBytes: (live: Int, garbage: Int) { (arena.liveBytes, arena.garbageBytes) }

    mutating func reserve(_ count: Int) {
        slots.reserveCapacity(slots.count + count)
    }

    // MARK: Changing

    /// Holds a new endpoint; returns its slot.
    mutating func add(_ key: EndpointKey, value: [UInt8], modRevision: Int64) -> UInt32 {
        let group = groupNumber(for: EndpointIndex.HostOrchestrator(host: key.host, orchestrator: key.orchestrator))
        var slot = Slot(
            bytes: 0,
            workloadCount: 0,
            endpointCount: 0,
            storedValue: 0,
            group: group,
            modRevision: modRevision
        )
        store(key, value: value, in: &slot)
        return add(slot)
    }

    /// Holds a new endpoint given as the bytes of its names (as `String`s would hold them) and value.
    mutating func add(
        host: UnsafeRawBufferPointer,
        orchestrator: UnsafeRawBufferPointer,
        workload: UnsafeRawBufferPointer,
        endpoint: UnsafeRawBufferPointer,
        value: UnsafeRawBufferPointer,
        modRevision: Int64
    ) -> UInt32 {
        let group: UInt32
        if let lastGroup, lastGroup.host.elementsEqual(host), lastGroup.orchestrator.elementsEqual(orchestrator) {
            group = lastGroup.number
        } else {
            group = groupNumber(
                for: EndpointIndex.HostOrchestrator(
                    host: String(decoding: host, as: UTF8.self),
                    orchestrator: String(decoding: orchestrator, as: UTF8.self)
                )
            )
            lastGroup = (Array(host), Array(orchestrator), group)
        }
        var slot = Slot(
            bytes: 0,
            workloadCount: 0,
            endpointCount: 0,
            storedValue: 0,
            group: group,
            modRevision: modRevision
        )
        store(workload: workload, endpoint: endpoint, value: value, in: &slot)
        return add(slot)
    }

    private mutating func add(_ slot: Slot) -> UInt32 {
        tally(slot, by: 1)
        if let number = freeSlots.popLast() {
            slots[Int(number)] = slot
            return number
        }
        slots.append(slot)
        return UInt32(slots.count - 1)
    }

    /// Gives the endpoint in `number` (whose key is `key`) a new value.
    mutating func replace(_ number: UInt32, key: EndpointKey, value: [UInt8], modRevision: Int64) {
        var slot = slots[Int(number)]
        arena.release(slot.byteCount)
        store(key, value: value, in: &slot)
        slot.modRevision = modRevision
        slots[Int(number)] = slot
        compactIfWanted()
    }

    /// Moves the endpoint in slot `sources[i]` to slot i, for every i (`sources` is a permutation of
    /// every slot; no slot may be free).
    mutating func permute(taking sources: [Int]) {
        precondition(freeSlots.isEmpty && sources.count == slots.count)
        PrefixSorting.permute(&slots, taking: sources)
    }

    /// Frees the endpoint's slot.
    mutating func remove(_ number: UInt32) {
        let slot = slots[Int(number)]
        tally(slot, by: -1)
        arena.release(slot.byteCount)
        slots[Int(number)].group = Self.free
        freeSlots.append(number)
        compactIfWanted()
    }

    private mutating func store(_ key: EndpointKey, value: [UInt8], in slot: inout Slot) {
        KeyText.withBytes(key.workload) { workload in
            KeyText.withBytes(key.endpoint) { endpoint in
                value.withUnsafeBytes { value in
                    store(
                        workload: UnsafeRawBufferPointer(workload),
                        endpoint: UnsafeRawBufferPointer(endpoint),
                        value: value,
                        in: &slot
                    )
                }
            }
        }
    }

    /// Appends the names and the value (compressed when that shrinks it) to the arena, and notes
    /// where and how long in `slot`.
    private mutating func store(
        workload: UnsafeRawBufferPointer,
        endpoint: UnsafeRawBufferPointer,
        value: UnsafeRawBufferPointer,
        in slot: inout Slot
    ) {
        let compressed = ValueCompression.encode(value)
        slot.workloadCount = UInt32(workload.count)
        slot.endpointCount = UInt32(endpoint.count)
        slot.storedValue = Slot.storedValue(count: compressed?.count ?? value.count, compressed: compressed != nil)
        if let compressed {
            slot.bytes = compressed.withUnsafeBytes { arena.append(workload, endpoint, $0) }
        } else {
            slot.bytes = arena.append(workload, endpoint, value)
        }
    }

    /// Moves every live endpoint's bytes into a new arena once garbage outweighs them.
    private mutating func compactIfWanted() {
        guard arena.wantsCompaction else { return }
        var compacted = ByteArena()
        for number in slots.indices where slots[number].group != Self.free {
            let slot = slots[number]
            slots[number].bytes = arena.withBytes(at: slot.bytes, count: slot.byteCount) { compacted.append($0) }
        }
        arena = compacted
    }

    private mutating func groupNumber(for group: EndpointIndex.HostOrchestrator) -> UInt32 {
        if let number = groupNumbers[group] { return number }
        let number: UInt32
        if let reused = freeGroups.popLast() {
            number = reused
            groups[Int(number)] = Group(key: group)
        } else {
            number = UInt32(groups.count)
            groups.append(Group(key: group))
        }
        groupNumbers[group] = number
        return number
    }

    /// Keeps the group's counters in step with an endpoint added (+1) or removed (-1).
    private mutating func tally(_ slot: Slot, by change: Int) {
        let number = Int(slot.group)
        let workload = workloadHash(slot)
        groups[number]!.endpoints += change
        // In place (the `default:` subscript's modify access): one hash.
        groups[number]!.workloads[workload, default: 0] &+= UInt32(bitPattern: Int32(change))
        if change < 0, groups[number]!.workloads[workload] == 0 { groups[number]!.workloads[workload] = nil }
        if groups[number]!.endpoints <= 0 {
            groupNumbers[groups[number]!.key] = nil
            groups[number] = nil
            freeGroups.append(UInt32(number))
            if lastGroup?.number == UInt32(number) { lastGroup = nil }
        }
    }

    private func workloadHash(_ slot: Slot) -> Int {
        arena.withBytes(at: slot.bytes, count: Int(slot.workloadCount)) { bytes in
            var hasher = Hasher()
            hasher.combine(bytes: bytes)
            return hasher.finalize()
        }
    }

    // MARK: Reading

    func group(of number: UInt32) -> EndpointIndex.HostOrchestrator { groups[Int(slots[Int(number)].group)]!.key }

    func modRevision(of number: UInt32) -> Int64 { slots[Int(number)].modRevision }

    /// Runs `body` on the endpoint's workload name and ID bytes.
    @inline(__always)
    func withKeyBytes<Result>(
        _ number: UInt32,
        _ body: (_ workload: UnsafeRawBufferPointer, _ endpoint: UnsafeRawBufferPointer) -> Result
    ) -> Result {
        let slot = slots[Int(number)]
        let workloadCount = Int(slot.workloadCount)
        return arena.withBytes(at: slot.bytes, count: workloadCount + Int(slot.endpointCount)) { bytes in
            body(
                UnsafeRawBufferPointer(rebasing: bytes[0..<workloadCount]),
                UnsafeRawBufferPointer(rebasing: bytes[workloadCount...])
            )
        }
    }

    /// Runs `body` on the endpoint's ID bytes.
    @inline(__always)
    func withEndpointBytes<Result>(_ number: UInt32, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        let slot = slots[Int(number)]
        return arena.withBytes(at: slot.bytes + UInt64(slot.workloadCount), count: Int(slot.endpointCount), body)
    }

    func workload(of number: UInt32) -> String {
        withKeyBytes(number) { workload, _ in String(decoding: workload, as: UTF8.self) }
    }

    func endpoint(of number: UInt32) -> String {
        withEndpointBytes(number) { String(decoding: $0, as: UTF8.self) }
    }

    func value(of number: UInt32) -> [UInt8] {
        let slot = slots[Int(number)]
        let keyCount = Int(slot.workloadCount) + Int(slot.endpointCount)
        return arena.withBytes(at: slot.bytes + UInt64(keyCount), count: slot.valueCount) { stored in
            slot.isCompressed ? ValueCompression.decode(stored) : Array(stored)
        }
    }

    /// The endpoint's value, into `value` (its storage kept): a scan of every endpoint reuses one
    /// buffer instead of allocating an array per value.
    func copyValue(_ number: UInt32, into value: inout [UInt8]) {
        let slot = slots[Int(number)]
        let keyCount = Int(slot.workloadCount) + Int(slot.endpointCount)
        arena.withBytes(at: slot.bytes + UInt64(keyCount), count: slot.valueCount) { stored in
            if slot.isCompressed {
                ValueCompression.decode(stored, into: &value)
            } else {
                value.removeAll(keepingCapacity: true)
                value.append(contentsOf: stored)
            }
        }
    }

    func key(of number: UInt32) -> EndpointKey {
        let group = group(of: number)
        return withKeyBytes(number) { workload, endpoint in
            EndpointKey(
                host: group.host,
                orchestrator: group.orchestrator,
                workload: String(decoding: workload, as: UTF8.self),
                endpoint: String(decoding: endpoint, as: UTF8.self)
            )
        }
    }

    func record(_ number: UInt32) -> EndpointIndex.Record {
        EndpointIndex.Record(key: key(of: number), value: value(of: number), modRevision: modRevision(of: number))
    }

    /// Whether the endpoint in `number` is the one at `key`.
    func holds(_ number: UInt32, _ key: EndpointKey) -> Bool {
        let sameNames = withKeyBytes(number) { workload, endpoint in
            Self.compare(endpoint, key.endpoint) == 0 && Self.compare(workload, key.workload) == 0
        }
        guard sameNames else { return false }
        let group = group(of: number)
        return KeyText.equal(group.host, key.host) && KeyText.equal(group.orchestrator, key.orchestrator)
    }

    /// The ID order (`EndpointIndex.idOrder`) of the endpoint in `number` against `key`: negative,
    /// zero or positive.
    func compareInIDOrder(_ number: UInt32, _ key: EndpointKey) -> Int {
        let (byID, byWorkload) = withKeyBytes(number) { workload, endpoint in
            (Self.compare(endpoint, key.endpoint), Self.compare(workload, key.workload))
        }
        if byID != 0 { return byID }
        let group = group(of: number)
        var order = KeyText.compare(group.host, key.host)
        if order == 0 { order = KeyText.compare(group.orchestrator, key.orchestrator) }
        return order != 0 ? order : byWorkload
    }

    /// The ID order of two endpoints.
    func compareInIDOrder(_ a: UInt32, _ b: UInt32) -> Int {
        let byID = withEndpointBytes(a) { x in withEndpointBytes(b) { y in Self.compare(x, y) } }
        return byID != 0 ? byID : compareInTableOrder(a, b)
    }

    /// The tables' order (`EndpointKey <`: host, orchestrator, workload, endpoint) of two endpoints.
    func compareInTableOrder(_ a: UInt32, _ b: UInt32) -> Int {
        let groupA = slots[Int(a)].group
        let groupB = slots[Int(b)].group
        if groupA != groupB {
            let x = groups[Int(groupA)]!.key
            let y = groups[Int(groupB)]!.key
            var order = KeyText.compare(x.host, y.host)
            if order == 0 { order = KeyText.compare(x.orchestrator, y.orchestrator) }
            if order != 0 { return order }
        }
        return withKeyBytes(a) { workloadA, endpointA in
            withKeyBytes(b) { workloadB, endpointB in
                let order = Self.compare(workloadA, workloadB)
                return order != 0 ? order : Self.compare(endpointA, endpointB)
            }
        }
    }

    /// memcmp order of two byte strings (`KeyText.compare`).
    @inline(__always)
    static func compare(_ x: UnsafeRawBufferPointer, _ y: UnsafeRawBufferPointer) -> Int {
        KeyText.compare(x, y)
    }

    @inline(__always)
    static func compare(_ x: UnsafeRawBufferPointer, _ text: String) -> Int {
        KeyText.withBytes(text) { KeyText.compare(x, UnsafeRawBufferPointer($0)) }
    }

    /// Live slots, in slot order.
    var liveSlots: [UInt32] {
        slots.indices.compactMap { slots[$0].group == Self.free ? nil : UInt32($0) }
    }

    /// The groups that exist.
    var liveGroups: [Group] { groups.compactMap { $0 } }
}
