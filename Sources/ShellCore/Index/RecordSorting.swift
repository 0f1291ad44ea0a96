/// Sorts the index's records into ID order without moving them around while sorting.
///
/// `Array.sort` on the records moves each record many times, and a record holds six references
/// (four key strings, the value, and the array storage they sit in), each retained and released
/// per move: at 1,000,000 endpoints that was 30% of a full load's CPU (perf). Here the sort runs on
/// small plain pairs (the ID's first 8 bytes, a position), comparing whole keys only on a tie, and
/// then every record moves once, in place, to where it belongs.
enum RecordSorting {
    /// Sorts `records` by `EndpointIndex.idOrder`.
    static func sort(_ records: inout [EndpointIndex.Record]) {
        guard records.count > 1 else { return }
        var order: [(prefix: UInt64, position: UInt32)] = []
        order.reserveCapacity(records.count)
        for (position, record) in records.enumerated() {
            order.append((idPrefix(record.key.endpoint), UInt32(position)))
        }
        records.withUnsafeBufferPointer { buffer in
            order.sort { a, b in
                if a.prefix != b.prefix { return a.prefix < b.prefix }
                return EndpointIndex.idOrder(buffer[Int(a.position)].key, buffer[Int(b.position)].key)
            }
        }
        permute(&records, taking: order.lazy.map { Int($0.position) })
    }

    /// The first 8 bytes of `id`, big-endian, zero-padded: their order is the order of the IDs' bytes
    /// (`KeyText.compare`) wherever they differ.
    static func idPrefix(_ id: String) -> UInt64 {
        var prefix: UInt64 = 0
        var count = 0
        for byte in id.utf8 {
            prefix = prefix << 8 | UInt64(byte)
            count += 1
            if count == 8 { break }
        }
        return prefix << (8 * UInt64(8 - count))
    }

    /// Puts `sources[i]`'s element at `i`, for every i (`sources` is a permutation of the indices),
    /// following each cycle once: every element moves once, with no second array.
    static func permute<Element, Sources: Collection>(_ elements: inout [Element], taking sources: Sources)
    where Sources.Element == Int {
        let sources = Array(sources)
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
