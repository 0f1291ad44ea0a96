import GRPCCore

/// The key-values of one etcd v3 `RangeResponse`, kept as the bytes of the message as it came, with
/// where each key and value lies in them: a page of a load costs one allocation, not four or more
/// per key-value (SwiftProtobuf's `Data` for the key and the value, then a `String` and an array).
///
/// At 1,000,000 endpoints those objects, for the page being indexed and the one read ahead, were
/// 120 MB of the load's peak (heaptrack) and most of its allocations. `EndpointIndex.put(_:)` reads
/// the bytes in place; `keyValue(at:)` makes a `KeyValue` for any other reader.
public struct RawKeyValues: Sendable {
    struct Entry: Sendable {
        var keyStart: UInt32
        var keyCount: UInt32
        var valueStart: UInt32
        var valueCount: UInt32
        var modRevision: Int64
    }

    /// The message's bytes: the transport's own buffer when it hands over one that can be kept.
    let bytes: any GRPCContiguousBytes & Sendable
    let entries: [Entry]

    public var count: Int { entries.count }

    /// The bytes held (the message's).
    public var byteCount: Int { bytes.count }

    /// Runs `body` on the key and value bytes of pair `index`, and its revision.
    @inline(__always)
    func withPair<Result>(
        at index: Int,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, _ modRevision: Int64) -> Result
    ) -> Result {
        let entry = entries[index]
        return bytes.withUnsafeBytes { all in
            body(
                UnsafeRawBufferPointer(rebasing: all[Int(entry.keyStart)..<Int(entry.keyStart + entry.keyCount)]),
                UnsafeRawBufferPointer(
                    rebasing: all[Int(entry.valueStart)..<Int(entry.valueStart + entry.valueCount)]
                ),
                entry.modRevision
            )
        }
    }

    public func key(at index: Int) -> String {
        withPair(at: index) { key, _, _ in KeyText.decode(key) }
    }

    public func keyValue(at index: Int) -> KeyValue {
        withPair(at: index) { key, value, modRevision in
            KeyValue(key: KeyText.decode(key), value: Array(value), modRevision: modRevision)
        }
    }

    public var keyValues: [KeyValue] { (0..<count).map(keyValue(at:)) }
}
