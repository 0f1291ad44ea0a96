/// Network → endpoints (by their slot in `EndpointIndex`), for `--address`: one array sorted by
/// (family, network start, prefix length, slot). The slots name candidates; the caller checks each
/// candidate against the whole filter.
///
/// - `containing(ip)`: for each prefix length p (33 for IPv4, 129 for IPv6), the networks equal to
///   IP cut to p are one binary search: O(W log n + k) for k matches, with W the address width.
/// - `inside(cidr)`: the networks inside a CIDR start within it and are at least as long, so they
///   sit together from a binary search for its start: O(log n + m), m the networks starting in it.
/// - A change is a binary search and one insertion or removal; a full load appends and sorts once.
/// Each entry costs 32 bytes (two 64-bit halves, the prefix length, the slot) and holds no reference:
/// sorting and shifting entries retains nothing.
struct AddressIndex: Sendable {
    struct Entry: Sendable {
        var network: IPNetwork
        var slot: UInt32

        static func < (a: Entry, b: Entry) -> Bool {
            if a.network != b.network { return a.network < b.network }
            return a.slot < b.slot
        }
    }

    private var entries: [Entry] = []
    private var sorted = true

    var count: Int { entries.count }

    /// Every entry as (network, the name `name` gives its slot), sorted: indexes whose slots differ
    /// compare by what they point at (tests).
    func namedEntries(_ name: (UInt32) -> String) -> [String] {
        entries.map { "\($0.network) \(name($0.slot))" }.sorted()
    }

    mutating func reserve(_ count: Int) {
        entries.reserveCapacity(entries.count + count)
    }

    mutating func add(_ network: IPNetwork, slot: UInt32, loading: Bool) {
        let entry = Entry(network: network, slot: slot)
        if loading {
            entries.append(entry)
            sorted = false
            return
        }
        sortIfNeeded()
        entries.insert(entry, at: lowerBound(entry))
    }

    mutating func remove(_ network: IPNetwork, slot: UInt32) {
        sortIfNeeded()
        let entry = Entry(network: network, slot: slot)
        let position = lowerBound(entry)
        guard position < entries.count, entries[position].network == network, entries[position].slot == slot
        else { return }
        entries.remove(at: position)
    }

    /// Gives every entry's slot `renumbered[slot]` (the index renumbered its slots).
    mutating func renumber(_ renumbered: [UInt32]) {
        for position in entries.indices { entries[position].slot = renumbered[Int(entries[position].slot)] }
        sorted = entries.count < 2
    }

    mutating func sortIfNeeded() {
        guard !sorted else { return }
        entries.sort(by: <)
        sorted = true
    }

    private func lowerBound(_ entry: Entry) -> Int {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle] < entry { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The first entry whose network is not before `network`.
    private func lowerBound(_ network: IPNetwork) -> Int {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].network < network { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Slots of endpoints with a network that contains `address` (an address, or a network: then
    /// the networks that contain all of it).
    func containing(_ address: IPNetwork) -> [UInt32] {
        var ids: [UInt32] = []
        for length in 0...address.prefixLength {
            let network = address.truncated(to: length)
            var position = lowerBound(network)
            while position < entries.count && entries[position].network == network {
                ids.append(entries[position].slot)
                position += 1
            }
        }
        return ids
    }

    /// Slots of endpoints with a network inside `cidr`.
    func inside(_ cidr: IPNetwork) -> [UInt32] {
        var ids: [UInt32] = []
        let end = cidr.end
        var position = lowerBound(cidr)
        while position < entries.count {
            let network = entries[position].network
            guard network.family == cidr.family,
                network.high < end.high || (network.high == end.high && network.low <= end.low)
            else { break }
            if network.prefixLength >= cidr.prefixLength { ids.append(entries[position].slot) }
            position += 1
        }
        return ids
    }

    /// Every network, in order, each once (for completion).
    var networks: [IPNetwork] {
        var result: [IPNetwork] = []
        for entry in entries where result.last != entry.network { result.append(entry.network) }
        return result
    }
}
