import GRPCCore
import GRPCNIOTransportHTTP2

/// Reads a `RangeResponse` in place (`RawRangeResponse`) instead of as a SwiftProtobuf message.
struct RawRangeDeserializer: MessageDeserializer {
    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> RawRangeResponse {
        if let bytes = serializedMessageBytes as? GRPCNIOTransportBytes {
            return try RawRangeResponse(bytes: bytes)
        }
        return try RawRangeResponse(bytes: serializedMessageBytes.withUnsafeBytes { Array($0) })
    }
}

/// An etcd v3 `RangeResponse` read from its protocol buffer bytes (see `RawKeyValues`).
struct RawRangeResponse: Sendable {
    var clusterID: UInt64 = 0
    var revision: Int64 = 0
    var more = false
    var count: Int64 = 0
    var keyValues: RawKeyValues

    /// The fields of `RangeResponse` (etcd's `rpc.proto`) and of the messages in it that are read;
    /// any other field is skipped, as protocol buffers require.
    private enum Field {
        static let header = 1, kvs = 2, more = 3, count = 4
        static let headerClusterID = 1, headerRevision = 3
        static let kvKey = 1, kvModRevision = 3, kvValue = 5
    }

    enum DecodingError: Error, CustomStringConvertible {
        case truncated
        case tooLarge
        case wireType(UInt64)

        var description: String {
            switch self {
            case .truncated: "a truncated Range response"
            case .tooLarge: "a Range response over 4 GiB"
            case .wireType(let type): "a Range response with the unknown wire type \(type)"
            }
        }
    }

    init(bytes: some GRPCContiguousBytes & Sendable) throws {
        // Offsets are 32-bit (`RawKeyValues.Entry`); gRPC's own limit on a message is far lower.
        guard bytes.count < Int(UInt32.max) else { throw DecodingError.tooLarge }
        var entries: [Entry] = []
        var header = (clusterID: UInt64(0), revision: Int64(0))
        var more = false
        var count: Int64 = 0
        try bytes.withUnsafeBytes { (all: UnsafeRawBufferPointer) in
            var reader = WireReader(bytes: all, position: 0, end: all.count)
            while let (field, type) = try reader.tag() {
                switch (field, type) {
                case (Field.header, 2):
                    var inner = try reader.message()
                    while let (field, type) = try inner.tag() {
                        switch (field, type) {
                        case (Field.headerClusterID, 0): header.clusterID = try inner.varint()
                        case (Field.headerRevision, 0): header.revision = Int64(bitPattern: try inner.varint())
                        default: try inner.skip(type)
                        }
                    }
                case (Field.kvs, 2):
                    var inner = try reader.message()
                    var entry = Entry(keyStart: 0, keyCount: 0, valueStart: 0, valueCount: 0, modRevision: 0)
                    while let (field, type) = try inner.tag() {
                        switch (field, type) {
                        case (Field.kvKey, 2):
                            let range = try inner.lengthDelimited()
                            entry.keyStart = UInt32(range.lowerBound)
                            entry.keyCount = UInt32(range.count)
                        case (Field.kvValue, 2):
                            let range = try inner.lengthDelimited()
                            entry.valueStart = UInt32(range.lowerBound)
                            entry.valueCount = UInt32(range.count)
                        case (Field.kvModRevision, 0): entry.modRevision = Int64(bitPattern: try inner.varint())
                        default: try inner.skip(type)
                        }
                    }
                    entries.append(entry)
                case (Field.more, 0): more = try reader.varint() != 0
                case (Field.count, 0): count = Int64(bitPattern: try reader.varint())
                default: try reader.skip(type)
                }
            }
        }
        clusterID = header.clusterID
        revision = header.revision
        self.more = more
        self.count = count
        keyValues = RawKeyValues(bytes: bytes, entries: entries)
    }

    private typealias Entry = RawKeyValues.Entry
}

/// Reads protocol buffer wire format: tags, varints, length-delimited fields (as ranges of the
/// whole message's bytes) and skips of the rest.
private struct WireReader {
    let bytes: UnsafeRawBufferPointer
    var position: Int
    let end: Int

    /// The next field's number and wire type; nil at the end.
    mutating func tag() throws -> (Int, UInt64)? {
        guard position < end else { return nil }
        let tag = try varint()
        return (Int(truncatingIfNeeded: tag >> 3), tag & 7)
    }

    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end, shift < 64 else { throw RawRangeResponse.DecodingError.truncated }
            let byte = bytes[position]
            position += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    /// A length-delimited field's bytes, as a range of the whole message.
    mutating func lengthDelimited() throws -> Range<Int> {
        let length = try varint()
        guard length <= UInt64(end - position) else { throw RawRangeResponse.DecodingError.truncated }
        let start = position
        position += Int(length)
        return start..<position
    }

    /// A reader of an embedded message's fields.
    mutating func message() throws -> WireReader {
        let range = try lengthDelimited()
        return WireReader(bytes: bytes, position: range.lowerBound, end: range.upperBound)
    }

    mutating func skip(_ type: UInt64) throws {
        switch type {
        case 0: _ = try varint()
        case 1: try advance(8)
        case 2: _ = try lengthDelimited()
        case 5: try advance(4)
        default: throw RawRangeResponse.DecodingError.wireType(type)
        }
    }

    private mutating func advance(_ count: Int) throws {
        guard count <= end - position else { throw RawRangeResponse.DecodingError.truncated }
        position += count
    }
}
