/// Network → endpoint IDs, for `--address`: one array sorted by (family, network start, prefix
/// length, endpoint ID). Endpoint IDs name candidates; the caller checks each candidate record
/// against the whole filter (an ID may live on several hosts).
///
/// - `containing(ip)`: for each prefix length p (33 for IPv4, 129 for IPv6), the networks equal to
///   IP cut to p are one binary search: O(W log n + k) for k matches, with W the address width.
/// - `inside(cidr)`: the networks inside a CIDR start within it and are at least as long, so they
///   sit together from a binary search for its start: O(log n + m), m the networks starting in it.
/// - A change is a binary search and one insertion or removal; a full load appends and sorts once.
/// Each entry costs 40 bytes (two 64-bit halves, the prefix length, the ID's string that shares the
/// record's storage).
struct AddressIndex: Sendable {
    struct Entry: Sendable {
        var network: IPNetwork
        var endpoint: String

        static func < (a: Entry, b: Entry) -> Bool {
            if a.network != b.network { return a.network < b.network }
            return KeyText.less(a.endpoint, b.endpoint)
        }
    }

    private var entries: [Entry] = []
    private var sorted = true

    var count: Int { entries.count }

    /// The same entries (both sorted), by network and ID bytes: the index kept by changes equals
    /// one loaded from scratch (tests).
    func sameEntries(as other: AddressIndex) -> Bool {
        entries.count == other.entries.count
            && zip(entries, other.entries).allSatisfy {
                $0.network == $1.network && KeyText.equal($0.endpoint, $1.endpoint)
            }
    }

    mutating func reserve(_ count: Int) {
        entries.reserveCapacity(entries.count + count)
    }

    mutating func add(_ network: IPNetwork, endpoint: String, loading: Bool) {
        let entry = Entry(network: network, endpoint: endpoint)
        if loading {
            entries.append(entry)
            sorted = false
            return
        }
        sortIfNeeded()
        entries.insert(entry, at: lowerBound(entry))
    }

    mutating func remove(_ network: IPNetwork, endpoint: String) {
        sortIfNeeded()
        let entry = Entry(network: network, endpoint: endpoint)
        let position = lowerBound(entry)
        guard position < entries.count, entries[position].network == network,
            KeyText.equal(entries[position].endpoint, endpoint)
        else { return }
        entries.remove(at: position)
    }

    mutating func sortIfNeeded() {
        guard !sorted else { return }
        PrefixSorting.sortEntries(&entries)
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

    /// Endpoint IDs with a network that contains `address` (an address, or a network: then the
    /// networks that contain all of it).
    func containing(_ address: IPNetwork) -> [String] {
        var ids: [String] = []
        for length in 0...address.prefixLength {
            let network = address.truncated(to: length)
            var position = lowerBound(network)
            while position < entries.count && entries[position].network == network {
                ids.append(entries[position].endpoint)
                position += 1
            }
        }
        return ids
    }

    /// Endpoint IDs with a network inside `cidr`.
    func inside(_ cidr: IPNetwork) -> [String] {
        var ids: [String] = []
        let end = cidr.end
        var position = lowerBound(cidr)
        while position < entries.count {
            let network = entries[position].network
            guard network.family == cidr.family,
                network.high < end.high || (network.high == end.high && network.low <= end.low)
            else { break }
            if network.prefixLength >= cidr.prefixLength { ids.append(entries[position].endpoint) }
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

/// Profile name → the IDs of the endpoints that carry it, for `--profile`, each with how many
/// endpoints of that ID carry it (an ID on two hosts counts twice).
///
/// Hashed, not a sorted array per profile: inserting into or removing from a sorted array shifts a
/// fifth of the index when five profiles share the endpoints, so a burst of 100,000 profile changes
/// at 100,000 endpoints took 5.3x as long as a raw watch receiving them (and 10x more per change
/// at 1,000,000). A change is now one hash update, and a load needs no sort.
struct ProfileMembers: Equatable, Sendable {
    private var members: [ExactString: [ExactString: UInt32]] = [:]

    mutating func add(_ profile: String, endpoint: String, loading: Bool) {
        members[ExactString(profile), default: [:]][ExactString(endpoint), default: 0] += 1
    }

    mutating func remove(_ profile: String, endpoint: String) {
        let name = ExactString(profile)
        let id = ExactString(endpoint)
        guard let count = members[name]?[id] else { return }
        if count > 1 {
            members[name]?[id] = count - 1
        } else {
            members[name]?[id] = nil
            if members[name]?.isEmpty == true { members[name] = nil }
        }
    }

    /// In no particular order (each ID once).
    func endpoints(carrying profile: String) -> [String] {
        members[ExactString(profile)].map { $0.keys.map(\.text) } ?? []
    }

    /// Profiles that some endpoint carries (a profile may be named by endpoints and have no keys).
    var names: [ExactString] { Array(members.keys) }
}
