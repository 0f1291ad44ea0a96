/// The bytes of the index's endpoints (each one's workload name, ID and value, back to back), in
/// chunks of a mebibyte: no allocation per endpoint, and no growth by doubling that would hold the
/// old and the new storage at once.
///
/// Per endpoint of a typical index that saves three heap objects (two strings and the value's
/// array: their headers, and malloc's rounding and bookkeeping) — a third of an index of 1,000,000
/// endpoints (heaptrack). Bytes are only ever appended: a changed endpoint's new bytes go to the
/// end and the old ones become garbage, counted, until `EndpointIndex` compacts the arena (into a
/// new one, so that a copy of the index sharing the old chunks keeps them as they were).
struct ByteArena: Sendable {
    /// Where bytes start: the chunk's number in the high half, the offset in it in the low half.
    typealias Location = UInt64

    static let chunkSize = 1 << 20

    private var chunks: [ContiguousArray<UInt8>] = []
    /// Bytes appended and not released since: what a compaction keeps.
    private(set) var liveBytes = 0
    /// Bytes released (a changed or deleted endpoint's old bytes).
    private(set) var garbageBytes = 0

    /// Appends `parts` back to back, in one chunk; returns where they start.
    mutating func append(_ parts: UnsafeRawBufferPointer...) -> Location {
        let count = parts.reduce(0) { $0 + $1.count }
        if chunks.isEmpty || chunks[chunks.count - 1].capacity - chunks[chunks.count - 1].count < count {
            var chunk = ContiguousArray<UInt8>()
            // A value larger than a chunk gets a chunk of its own size.
            chunk.reserveCapacity(max(Self.chunkSize, count))
            chunks.append(chunk)
        }
        let last = chunks.count - 1
        let offset = chunks[last].count
        for part in parts { chunks[last].append(contentsOf: part) }
        liveBytes += count
        return UInt64(last) << 32 | UInt64(offset)
    }

    /// Counts `count` bytes at a location as garbage (their endpoint changed or went).
    mutating func release(_ count: Int) {
        liveBytes -= count
        garbageBytes += count
    }

    /// Whether compacting would pay: garbage of more than the live bytes, and at least a few chunks.
    var wantsCompaction: Bool { garbageBytes > max(liveBytes, 8 * Self.chunkSize) }

    /// Runs `body` on the `count` bytes at `location`.
    @inline(__always)
    func withBytes<Result>(
        at location: Location,
        count: Int,
        _ body: (UnsafeRawBufferPointer) -> Result
    ) -> Result {
        chunks[Int(location >> 32)].withUnsafeBytes { chunk in
            let start = Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: location))
            return body(UnsafeRawBufferPointer(rebasing: chunk[start..<start + count]))
        }
    }
}
