/// Reads the leaves of a v2 node tree (`{"action":"get","node":{"dir":true,"nodes":[...]}}`) from the
/// answer's bytes as they arrive, without building the tree: a recursive GET of 100,000 endpoints is
/// ~60 MiB of JSON, and waiting for all of it before reading any cost as much again as etcd's own time
/// to send it.
///
/// - `feed` takes the body in pieces cut anywhere (inside a string, an escape, a `\u` sequence, a
///   number): every place the scan can stop is a state kept here, so no byte is read twice and a piece
///   is never kept after `feed` returns. Only the current nodes' keys (and values) are copied.
/// - It reads JSON as RFC 8259 writes it (Go's encoder is stricter still). A `node` field's object, and
///   the objects of a node's `nodes` array, are nodes; a node with a `key` and no `"dir":true` is a
///   pair. Strings that are not kept (values of a keys-only read, unknown fields) are skipped, their
///   escapes checked only as far as finding where they end.
/// - No I/O: `V2HTTPStore` feeds it the response body; the tests feed it every possible split.
struct V2TreeScanner {
    enum Failure: Error, Equatable { case malformed(at: Int) }

    /// Leaves found so far, in the answer's order.
    private(set) var pairs: [KeyValue] = []
    private let keysOnly: Bool
    /// Bytes fed before the current piece: errors give positions from the start of the body.
    private var consumed = 0

    init(keysOnly: Bool) {
        self.keysOnly = keysOnly
    }

    /// The pairs of a whole body, in the answer's order.
    static func leaves(_ bytes: UnsafeBufferPointer<UInt8>, keysOnly: Bool) throws -> [KeyValue] {
        var scanner = V2TreeScanner(keysOnly: keysOnly)
        try scanner.feed(bytes)
        try scanner.finish()
        return scanner.pairs
    }

    static func leaves(_ bytes: [UInt8], keysOnly: Bool) throws -> [KeyValue] {
        try bytes.withUnsafeBufferPointer { try leaves($0, keysOnly: keysOnly) }
    }

    // MARK: State

    /// What the structure allows next, outside strings, numbers and literals.
    private enum Expect {
        case value, firstValueOrEnd, firstNameOrEnd, name, colon, commaOrEnd, nothing
    }

    /// An open object or array. Node objects keep their fields in `nodes[depth]`.
    private enum Container {
        case object(isNode: Bool)
        case array(ofNodes: Bool)
    }

    /// The fields of a node read so far (one per open node, kept for reuse: the buffers keep their room).
    private struct NodeFields {
        var key: [UInt8] = []
        var value: [UInt8] = []
        var hasKey = false
        var isDirectory = false
        var modifiedIndex: Int64 = 0
    }

    /// The field whose value comes next, when it matters.
    private enum Field { case key, value, dir, modifiedIndex, node, nodes, other }

    /// What is being read: structure, or a token that may span pieces.
    private enum Mode { case structure, string, number, literal }

    /// Where a string's bytes go.
    private enum Target { case name, key, value, skip }

    /// Inside a string's escape: after `\`, in a `\u`'s hex digits, or after a high surrogate that may
    /// be joined by a `\u` low one.
    private enum Escape: Equatable {
        case none
        case backslash
        case hex(digits: Int, value: UInt32, high: UInt32?)
        case afterHigh(UInt32)
        case afterHighBackslash(UInt32)
    }

    private var expect = Expect.value
    private var mode = Mode.structure
    private var containers: [Container] = []
    private var nodes: [NodeFields] = []
    private var nodeDepth = 0
    private var field = Field.other
    private var target = Target.skip
    private var escape = Escape.none
    private var name: [UInt8] = []
    /// A literal's bytes so far (checked whole at its end).
    private var word: [UInt8] = []
    private var number: Int64 = 0

    private static let keyField = Array("key".utf8)
    private static let valueField = Array("value".utf8)
    private static let dirField = Array("dir".utf8)
    private static let modifiedIndexField = Array("modifiedIndex".utf8)
    private static let nodeField = Array("node".utf8)
    private static let nodesField = Array("nodes".utf8)

    // MARK: Feeding

    /// Reads the next piece of the body.
    mutating func feed(_ piece: UnsafeBufferPointer<UInt8>) throws {
        guard let base = piece.baseAddress else { return }
        let count = piece.count
        var at = 0
        while at < count {
            switch mode {
            case .string: at = try string(base, at, count)
            // Runs of structure and digits stay in their own loop rather than coming back through
            // this switch for every byte (its jump was the scan's hottest instruction).
            case .structure:
                repeat { at = try structure(base[at], at: at) } while mode == .structure && at < count
            case .number:
                repeat { at = try numberByte(base[at], at: at) } while mode == .number && at < count
            case .literal: at = try literalByte(base[at], at: at)
            }
        }
        consumed += count
    }

    mutating func feed(_ piece: [UInt8]) throws {
        try piece.withUnsafeBufferPointer { try feed($0) }
    }

    /// Checks that the body ended where the tree did.
    mutating func finish() throws {
        guard mode == .structure, expect == .nothing else { throw Failure.malformed(at: consumed) }
    }

    // MARK: Structure

    /// One byte between tokens; returns where to go on.
    private mutating func structure(_ byte: UInt8, at: Int) throws -> Int {
        switch byte {
        case 0x20, 0x0A, 0x0D, 0x09: return at + 1
        default: break
        }
        switch expect {
        case .value:
            try startValue(byte, at: at)
        case .firstValueOrEnd:
            if byte == UInt8(ascii: "]") {
                try close(at: at)
            } else {
                try startValue(byte, at: at)
            }
        case .firstNameOrEnd, .name:
            if byte == UInt8(ascii: "}") && expect == .firstNameOrEnd {
                try close(at: at)
            } else {
                guard byte == UInt8(ascii: "\"") else { throw failure(at) }
                name.removeAll(keepingCapacity: true)
                startString(.name)
            }
        case .colon:
            guard byte == UInt8(ascii: ":") else { throw failure(at) }
            expect = .value
        case .commaOrEnd:
            guard let container = containers.last else { throw failure(at) }
            switch (byte, container) {
            case (UInt8(ascii: ","), .object): expect = .name
            case (UInt8(ascii: ","), .array): expect = .value
            case (UInt8(ascii: "}"), .object), (UInt8(ascii: "]"), .array): try close(at: at)
            default: throw failure(at)
            }
        case .nothing:
            throw failure(at)
        }
        return at + 1
    }

    /// The first byte of a value: what it is decides where its contents go.
    private mutating func startValue(_ byte: UInt8, at: Int) throws {
        let inNode: Bool
        let nodeElement: Bool
        switch containers.last {
        case .object(let isNode):
            inNode = isNode
            nodeElement = false
        case .array(let ofNodes):
            inNode = false
            nodeElement = ofNodes
            field = .other
        case nil:
            inNode = false
            nodeElement = false
            field = .other
        }
        switch byte {
        case UInt8(ascii: "{"):
            // A root that is not an object is not a v2 answer.
            let isNode = nodeElement || field == .node
            if isNode {
                if nodeDepth == nodes.count { nodes.append(NodeFields()) }
                nodes[nodeDepth].key.removeAll(keepingCapacity: true)
                nodes[nodeDepth].value.removeAll(keepingCapacity: true)
                nodes[nodeDepth].hasKey = false
                nodes[nodeDepth].isDirectory = false
                nodes[nodeDepth].modifiedIndex = 0
                nodeDepth += 1
            }
            containers.append(.object(isNode: isNode))
            expect = .firstNameOrEnd
        case UInt8(ascii: "["):
            guard !containers.isEmpty else { throw failure(at) }
            containers.append(.array(ofNodes: inNode && field == .nodes))
            expect = .firstValueOrEnd
        case UInt8(ascii: "\""):
            guard !containers.isEmpty else { throw failure(at) }
            if inNode && field == .key {
                nodes[nodeDepth - 1].key.removeAll(keepingCapacity: true)
                nodes[nodeDepth - 1].hasKey = true
                startString(.key)
            } else if inNode && field == .value && !keysOnly {
                nodes[nodeDepth - 1].value.removeAll(keepingCapacity: true)
                startString(.value)
            } else {
                startString(.skip)
            }
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
            guard !containers.isEmpty else { throw failure(at) }
            if !inNode { field = .other }
            number = 0
            mode = .number
            _ = try numberByte(byte, at: at)
        case UInt8(ascii: "a")...UInt8(ascii: "z"):
            guard !containers.isEmpty else { throw failure(at) }
            if !inNode { field = .other }
            word.removeAll(keepingCapacity: true)
            mode = .literal
            _ = try literalByte(byte, at: at)
        default:
            throw failure(at)
        }
    }

    /// `}` or `]`: a node that closes with a key and no `"dir":true` is a pair.
    private mutating func close(at: Int) throws {
        guard let container = containers.popLast() else { throw failure(at) }
        if case .object(isNode: true) = container {
            nodeDepth -= 1
            let fields = nodes[nodeDepth]
            if fields.hasKey && !fields.isDirectory {
                pairs.append(
                    KeyValue(
                        key: KeyText.decode(fields.key),
                        value: keysOnly ? [] : Array(fields.value),
                        modRevision: fields.modifiedIndex
                    )
                )
            }
        }
        valueEnded()
    }

    private mutating func valueEnded() {
        expect = containers.isEmpty ? .nothing : .commaOrEnd
    }

    // MARK: Strings

    private mutating func startString(_ target: Target) {
        self.target = target
        escape = .none
        mode = .string
    }

    /// String bytes from `at`: the plain run up to a quote or a backslash is found 16 bytes at a time
    /// and copied (or skipped) in one go; a two-byte escape whole in this piece is resolved here, and
    /// only `\u` escapes and escapes cut by the piece's end go byte by byte through `escaped`. This is
    /// the loop every byte of the body passes through. Returns where the string's reading stopped.
    private mutating func string(_ base: UnsafePointer<UInt8>, _ start: Int, _ count: Int) throws -> Int {
        let quote = SIMD16<UInt8>(repeating: UInt8(ascii: "\""))
        let backslash = SIMD16<UInt8>(repeating: UInt8(ascii: "\\"))
        var at = start
        while at < count {
            if escape != .none {
                if try escaped(base[at], at: at) { at += 1 }
                continue
            }
            let run = at
            while at + 16 <= count {
                let block = UnsafeRawPointer(base + at).loadUnaligned(as: SIMD16<UInt8>.self)
                if any((block .== quote) .| (block .== backslash)) { break }
                at += 16
            }
            while at < count {
                let byte = base[at]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { break }
                at += 1
            }
            if at > run { keep(UnsafeBufferPointer(start: base + run, count: at - run)) }
            guard at < count else { return count }
            if base[at] == UInt8(ascii: "\"") {
                stringEnded()
                return at + 1
            }
            if at + 1 < count && base[at + 1] != UInt8(ascii: "u") {
                try escapeLetter(base[at + 1], at: at + 1)
                at += 2
            } else {
                escape = .backslash
                at += 1
            }
        }
        return count
    }

    /// One byte inside an escape; returns whether it was used (false: read it again as string text).
    private mutating func escaped(_ byte: UInt8, at: Int) throws -> Bool {
        switch escape {
        case .none:
            return false
        case .backslash:
            try escapeLetter(byte, at: at)
            return true
        case .hex(let digits, let value, let high):
            guard let digit = Self.hexDigit(byte) else { throw failure(at) }
            let scalar = value << 4 | digit
            if digits < 3 {
                escape = .hex(digits: digits + 1, value: scalar, high: high)
                return true
            }
            escape = .none
            if let high {
                if (0xDC00..<0xE000).contains(scalar) {
                    keepScalar(0x10000 + ((high - 0xD800) << 10) + (scalar - 0xDC00))
                    return true
                }
                keepScalar(0xFFFD)
            }
            if (0xD800..<0xDC00).contains(scalar) {
                escape = .afterHigh(scalar)
            } else {
                keepScalar(scalar)  // a lone low surrogate becomes U+FFFD there
            }
            return true
        case .afterHigh(let high):
            if byte == UInt8(ascii: "\\") {
                escape = .afterHighBackslash(high)
                return true
            }
            keepScalar(0xFFFD)
            escape = .none
            return false
        case .afterHighBackslash(let high):
            if byte == UInt8(ascii: "u") {
                escape = .hex(digits: 0, value: 0, high: high)
            } else {
                keepScalar(0xFFFD)
                try escapeLetter(byte, at: at)
            }
            return true
        }
    }

    /// The letter after a backslash.
    private mutating func escapeLetter(_ byte: UInt8, at: Int) throws {
        escape = .none
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): keepByte(byte)
        case UInt8(ascii: "b"): keepByte(0x08)
        case UInt8(ascii: "f"): keepByte(0x0C)
        case UInt8(ascii: "n"): keepByte(0x0A)
        case UInt8(ascii: "r"): keepByte(0x0D)
        case UInt8(ascii: "t"): keepByte(0x09)
        case UInt8(ascii: "u"): escape = .hex(digits: 0, value: 0, high: nil)
        default: throw failure(at)
        }
    }

    private static func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    private mutating func keep(_ bytes: UnsafeBufferPointer<UInt8>) {
        switch target {
        case .skip: break
        case .name: name.append(contentsOf: bytes)
        case .key: nodes[nodeDepth - 1].key.append(contentsOf: bytes)
        case .value: nodes[nodeDepth - 1].value.append(contentsOf: bytes)
        }
    }

    private mutating func keepByte(_ byte: UInt8) {
        switch target {
        case .skip: break
        case .name: name.append(byte)
        case .key: nodes[nodeDepth - 1].key.append(byte)
        case .value: nodes[nodeDepth - 1].value.append(byte)
        }
    }

    /// A `\u` escape's scalar as UTF-8 (a surrogate that is not part of a pair as U+FFFD).
    private mutating func keepScalar(_ value: UInt32) {
        guard target != .skip else { return }
        let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
        for byte in UTF8.encode(scalar)! { keepByte(byte) }
    }

    private mutating func stringEnded() {
        mode = .structure
        guard target == .name else { return valueEnded() }
        let isNode: Bool
        if case .object(let node) = containers.last { isNode = node } else { isNode = false }
        field = Self.field(named: name, inNode: isNode)
        expect = .colon
    }

    /// Which field a name is: every field of every node comes through here, so the length picks the
    /// one or two names to compare.
    private static func field(named name: [UInt8], inNode: Bool) -> Field {
        switch name.count {
        case 4 where name == nodeField: .node
        case _ where !inNode: .other
        case 3 where name == keyField: .key
        case 3 where name == dirField: .dir
        case 5 where name == valueField: .value
        case 5 where name == nodesField: .nodes
        case 13 where name == modifiedIndexField: .modifiedIndex
        default: .other
        }
    }

    // MARK: Numbers and literals

    /// One byte of a number, or the byte after it (not used: read again as structure).
    private mutating func numberByte(_ byte: UInt8, at: Int) throws -> Int {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            number = number &* 10 &+ Int64(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"):
            break
        default:
            mode = .structure
            if field == .modifiedIndex, case .object(isNode: true) = containers.last {
                nodes[nodeDepth - 1].modifiedIndex = number
            }
            valueEnded()
            return at
        }
        return at + 1
    }

    /// One byte of `true`, `false` or `null`, or the byte after it (read again as structure).
    private mutating func literalByte(_ byte: UInt8, at: Int) throws -> Int {
        if (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) {
            guard word.count < 5 else { throw failure(at) }
            word.append(byte)
            return at + 1
        }
        let isTrue = word.elementsEqual("true".utf8)
        guard isTrue || word.elementsEqual("false".utf8) || word.elementsEqual("null".utf8) else {
            throw failure(at)
        }
        mode = .structure
        if field == .dir, case .object(isNode: true) = containers.last { nodes[nodeDepth - 1].isDirectory = isTrue }
        valueEnded()
        return at
    }

    private func failure(_ at: Int) -> Failure { .malformed(at: consumed + at) }
}
