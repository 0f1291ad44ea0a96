/// Sorts large arrays of values that hold references (records handed out by the index) without
/// moving those values around while sorting.
///
/// `Array.sort` moves each element many times, and every move of a value holding references retains
/// and releases each of them: sorting the records (six references each) was 30% of a full load's
/// CPU at 1,000,000 endpoints, and sorting the profiles' member IDs 16% (perf; those are hashed
/// now). Here the sort runs on small plain pairs (an 8-byte prefix of the sort key, a position),
/// comparing whole elements only on a tie, and then every element moves once, in place, to where
/// it belongs.
enum PrefixSorting {
    /// Sorts `elements` by `less`, given `prefix` whose order agrees with it: `prefix(a) < prefix(b)`
    /// implies `less(a, b)`.
    /// Returns where each element came from: the element now at `i` was at `result[i]`.
    @discardableResult
    static func sort<Element>(
        _ elements: inout [Element],
        prefix: (Element) -> UInt64,
        by less: (Element, Element) -> Bool
    ) -> [Int] {
        guard elements.count > 1 else { return Array(elements.indices) }
        var order: [(prefix: UInt64, position: UInt32)] = []
        order.reserveCapacity(elements.count)
        for (position, element) in elements.enumerated() { order.append((prefix(element), UInt32(position))) }
        elements.withUnsafeBufferPointer { buffer in
            order.sort { a, b in
                if a.prefix != b.prefix { return a.prefix < b.prefix }
                return less(buffer[Int(a.position)], buffer[Int(b.position)])
            }
        }
        let sources = order.map { Int($0.position) }
        permute(&elements, taking: sources)
        return sources
    }

    /// The records in ID order (`EndpointIndex.idOrder`); returns where each came from.
    @discardableResult
    static func sortByID(_ records: inout [EndpointIndex.Record]) -> [Int] {
        sort(&records, prefix: { idPrefix($0.key.endpoint) }, by: { EndpointIndex.idOrder($0.key, $1.key) })
    }

    /// The first 8 bytes of `id`, big-endian, zero-padded: their order is the order of the IDs' bytes
    /// (`KeyText.compare`) wherever they differ.
    static func idPrefix(_ id: String) -> UInt64 { idPrefix(bytes: id.utf8) }

    /// `idPrefix` of an ID's bytes.
    static func idPrefix<Bytes: Sequence<UInt8>>(bytes: Bytes) -> UInt64 {
        var prefix: UInt64 = 0
        var count = 0
        for byte in bytes {
            prefix = prefix << 8 | UInt64(byte)
            count += 1
            if count == 8 { break }
        }
        return prefix << (8 * UInt64(8 - count))
    }

    /// Puts `sources[i]`'s element at `i`, for every i (`sources` is a permutation of the indices),
    /// following each cycle once: every element moves once, with no second array.
    static func permute<Element>(_ elements: inout [Element], taking sources: [Int]) {
        var placed = [Bool](repeating: false, count: elements.count)
        elements.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            for start in 0..<buffer.count where !placed[start] {
                let held = (base + start).move()
                var position = start
                while true {
                    placed[position] = true
                    let source = sources[position]
                    if source == start {
                        (base + position).initialize(to: held)
                        break
                    }
                    (base + position).moveInitialize(from: base + source, count: 1)
                    position = source
                }
            }
        }
    }
}
