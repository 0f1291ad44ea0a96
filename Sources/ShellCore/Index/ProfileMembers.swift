/// Profile name → the endpoints (by slot) that carry it, for `--profile`, each with how many times
/// its list names the profile (a list may name one twice).
///
/// Hashed, not a sorted array per profile: inserting into or removing from a sorted array shifts a
/// fifth of the index when five profiles share the endpoints, so a burst of 100,000 profile changes
/// at 100,000 endpoints took 5.3x as long as a raw watch receiving them (and 10x more per change
/// at 1,000,000). A change is now one hash update, and a load needs no sort.
struct ProfileMembers: Sendable {
    private var members: [ExactString: [UInt32: UInt32]] = [:]

    mutating func add(_ profile: String, slot: UInt32) {
        members[ExactString(profile), default: [:]][slot, default: 0] += 1
    }

    mutating func remove(_ profile: String, slot: UInt32) {
        let name = ExactString(profile)
        guard let count = members[name]?[slot] else { return }
        if count > 1 {
            members[name]?[slot] = count - 1
        } else {
            members[name]?[slot] = nil
            if members[name]?.isEmpty == true { members[name] = nil }
        }
    }

    /// Gives every member's slot `renumbered[slot]` (the index renumbered its slots).
    mutating func renumber(_ renumbered: [UInt32]) {
        for name in Array(members.keys) {
            guard let old = members.removeValue(forKey: name) else { continue }
            var new: [UInt32: UInt32] = [:]
            new.reserveCapacity(old.count)
            for (slot, count) in old { new[renumbered[Int(slot)]] = count }
            members[name] = new
        }
    }

    /// In no particular order (each slot once).
    func slots(carrying profile: String) -> [UInt32] {
        members[ExactString(profile)].map { Array($0.keys) } ?? []
    }

    /// Profiles that some endpoint carries (a profile may be named by endpoints and have no keys).
    var names: [ExactString] { Array(members.keys) }

    /// Every (profile, the name `name` gives a slot, count), sorted (tests).
    func namedEntries(_ name: (UInt32) -> String) -> [String] {
        members.flatMap { profile, slots in slots.map { "\(profile.text) \(name($0.key)) \($0.value)" } }.sorted()
    }
}
