/// Reads the leaves of a v2 node tree (`{"action":"get","node":{"dir":true,"nodes":[...]}}`) straight
/// from the answer's bytes, without building the tree: a recursive GET of 100,000 endpoints is ~40 MiB
/// of JSON, and decoding it through `Codable` cost several times etcd's own time to send it.
///
/// It reads JSON as RFC 8259 writes it (Go's encoder is stricter still); only `node` and `nodes`
/// objects are nodes, and of them only those with a `key` and no `"dir":true` become pairs.
struct V2TreeScanner {
    enum Failure: Error, Equatable { case malformed(at: Int) }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var at = 0
    private let keysOnly: Bool
    private(set) var pairs: [KeyValue] = []

    /// The pairs of `bytes`' tree, in the answer's order.
    static func leaves(_ bytes: UnsafeBufferPointer<UInt8>, keysOnly: Bool) throws -> [KeyValue] {
        var scanner = V2TreeScanner(bytes: bytes, keysOnly: keysOnly)
        try scanner.object(isNode: false)
        return scanner.pairs
    }

    static func leaves(_ bytes: [UInt8], keysOnly: Bool) throws -> [KeyValue] {
        try bytes.withUnsafeBufferPointer { try leaves($0, keysOnly: keysOnly) }
    }

    private static let keyField = Array("key".utf8)
    private static let valueField = Array("value".utf8)
    private static let dirField = Array("dir".utf8)
    private static let modifiedIndexField = Array("modifiedIndex".utf8)
    private static let nodeField = Array("node".utf8)
    private static let nodesField = Array("nodes".utf8)

    private init(bytes: UnsafeBufferPointer<UInt8>, keysOnly: Bool) {
        self.bytes = bytes
        self.keysOnly = keysOnly
    }

    private mutating func skipSpace() {
        while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09 {
            at += 1
        }
    }

    private mutating func expect(_ byte: UInt8) throws {
        skipSpace()
        guard at < bytes.count, bytes[at] == byte else { throw Failure.malformed(at: at) }
        at += 1
    }

    private func peek() -> UInt8? { at < bytes.count ? bytes[at] : nil }

    /// An object; a node's fields are kept, and a leaf node appended to `pairs`.
    private mutating func object(isNode: Bool) throws {
        try expect(UInt8(ascii: "{"))
        var key: [UInt8]?
        var value: [UInt8]?
        var isDirectory = false
        var modifiedIndex: Int64 = 0
        skipSpace()
        if peek() == UInt8(ascii: "}") {
            at += 1
        } else {
            while true {
                skipSpace()
                let name = try string()
                try expect(UInt8(ascii: ":"))
                skipSpace()
                if isNode && name == Self.keyField {
                    key = try string()
                } else if isNode && name == Self.valueField {
                    if keysOnly { try skipValue() } else { value = try string() }
                } else if isNode && name == Self.dirField {
                    isDirectory = try boolean()
                } else if isNode && name == Self.modifiedIndexField {
                    modifiedIndex = try integer()
                } else if name == Self.nodeField {
                    try object(isNode: true)
                } else if isNode && name == Self.nodesField {
                    try nodes()
                } else {
                    try skipValue()
                }
                skipSpace()
                guard let next = peek() else { throw Failure.malformed(at: at) }
                at += 1
                if next == UInt8(ascii: "}") { break }
                guard next == UInt8(ascii: ",") else { throw Failure.malformed(at: at - 1) }
            }
        }
        if isNode, !isDirectory, let key {
            pairs.append(KeyValue(key: KeyText.decode(key), value: value ?? [], modRevision: modifiedIndex))
        }
    }

    private mutating func nodes() throws {
        try expect(UInt8(ascii: "["))
        skipSpace()
        if peek() == UInt8(ascii: "]") {
            at += 1
            return
        }
        while true {
            try object(isNode: true)
            skipSpace()
            guard let next = peek() else { throw Failure.malformed(at: at) }
            at += 1
            if next == UInt8(ascii: "]") { return }
            guard next == UInt8(ascii: ",") else { throw Failure.malformed(at: at - 1) }
        }
    }

    /// A string's bytes, escapes resolved (`\u00e9` → UTF-8 `C3 A9`, surrogate pairs joined).
    private mutating func string() throws -> [UInt8] {
        try expect(UInt8(ascii: "\""))
        var out: [UInt8] = []
        var runStart = at
        while at < bytes.count {
            let byte = bytes[at]
            if byte == UInt8(ascii: "\"") {
                out.append(contentsOf: bytes[runStart..<at])
                at += 1
                return out
            }
            if byte != UInt8(ascii: "\\") {
                at += 1
                continue
            }
            out.append(contentsOf: bytes[runStart..<at])
            at += 1
            guard at < bytes.count else { break }
            let escape = bytes[at]
            at += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar), at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"),
                    bytes[at + 1] == UInt8(ascii: "u")
                {
                    at += 2
                    let low = try hex4()
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low &- 0xDC00)
                }
                out.append(contentsOf: Array(String(Unicode.Scalar(scalar) ?? "\u{FFFD}").utf8))
            default: throw Failure.malformed(at: at - 1)
            }
            runStart = at
        }
        throw Failure.malformed(at: at)
    }

    private mutating func hex4() throws -> UInt32 {
        guard at + 4 <= bytes.count else { throw Failure.malformed(at: at) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[at]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw Failure.malformed(at: at)
            }
            value = value << 4 | UInt32(digit)
            at += 1
        }
        return value
    }

    private mutating func boolean() throws -> Bool {
        if matches("true") { return true }
        if matches("false") { return false }
        throw Failure.malformed(at: at)
    }

    private mutating func integer() throws -> Int64 {
        var value: Int64 = 0
        let start = at
        while at < bytes.count, bytes[at] >= UInt8(ascii: "0"), bytes[at] <= UInt8(ascii: "9") {
            value = value &* 10 &+ Int64(bytes[at] - UInt8(ascii: "0"))
            at += 1
        }
        guard at > start else { throw Failure.malformed(at: at) }
        return value
    }

    private mutating func matches(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard at + count <= bytes.count else { return false }
        for i in 0..<count where bytes[at + i] != word.utf8Start[i] { return false }
        at += count
        return true
    }

    /// Any JSON value, not kept.
    private mutating func skipValue() throws {
        skipSpace()
        guard let byte = peek() else { throw Failure.malformed(at: at) }
        switch byte {
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "{"): try object(isNode: false)
        case UInt8(ascii: "["):
            at += 1
            skipSpace()
            if peek() == UInt8(ascii: "]") {
                at += 1
                return
            }
            while true {
                try skipValue()
                skipSpace()
                guard let next = peek() else { throw Failure.malformed(at: at) }
                at += 1
                if next == UInt8(ascii: "]") { return }
                guard next == UInt8(ascii: ",") else { throw Failure.malformed(at: at - 1) }
            }
        default:
            if matches("true") || matches("false") || matches("null") { return }
            let start = at
            while at < bytes.count, let byte = peek(),
                (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
                    || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e")
                    || byte == UInt8(ascii: "E")
            {
                at += 1
            }
            guard at > start else { throw Failure.malformed(at: at) }
        }
    }
}
