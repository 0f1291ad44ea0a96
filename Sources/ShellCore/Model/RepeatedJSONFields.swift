import Foundation

/// A JSON object may name a field twice (`{"profile_ids":["A"],"profile_ids":["B"]}`). Calico's own
/// readers (Go's and Python's JSON decoders) take the last; Foundation's take the first. So values are
/// passed through `keepingLast` first: every member that a later member of the same object overrides
/// is removed, at every depth, and everything else is left byte for byte.
enum RepeatedJSONFields {
    /// `bytes` without overridden members; the same bytes when no object repeats a name, or when
    /// `bytes` is not JSON at all (the decoder then says what is wrong with it).
    static func keepingLast(_ bytes: [UInt8]) -> [UInt8] {
        var scanner = Scanner(bytes: bytes)
        guard (try? scanner.value()) != nil, !scanner.overridden.isEmpty else { return bytes }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var position = 0
        for range in scanner.overridden.sorted(by: { $0.lowerBound < $1.lowerBound }) where range.lowerBound >= position
        {
            result.append(contentsOf: bytes[position..<range.lowerBound])
            position = range.upperBound
        }
        result.append(contentsOf: bytes[position...])
        return result
    }

    private struct Malformed: Error {}

    /// A minimal JSON walker: it finds where each object member starts and whether a later member of
    /// the same object has its name, and validates nothing beyond what that needs.
    private struct Scanner {
        let bytes: [UInt8]
        var position = 0
        /// Byte ranges to drop: an overridden member with the separator and blanks after it.
        var overridden: [Range<Int>] = []

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func value() throws(Malformed) {
            skipBlanks()
            guard position < bytes.count else { throw Malformed() }
            switch bytes[position] {
            case UInt8(ascii: "{"): try object()
            case UInt8(ascii: "["): try array()
            case UInt8(ascii: "\""): _ = try string()
            default:
                // A number or a literal: up to the next delimiter.
                let start = position
                while position < bytes.count, !JSONBytes.endsScalar(bytes[position]) { position += 1 }
                if position == start { throw Malformed() }
            }
        }

        private mutating func object() throws(Malformed) {
            position += 1
            var members: [(name: Range<Int>, escaped: Bool, start: Int)] = []
            skipBlanks()
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                position += 1
                return
            }
            while true {
                skipBlanks()
                let start = position
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw Malformed() }
                let (name, escaped) = try string()
                skipBlanks()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw Malformed() }
                position += 1
                try value()
                members.append((name, escaped, start))
                skipBlanks()
                guard position < bytes.count else { throw Malformed() }
                if bytes[position] == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                guard bytes[position] == UInt8(ascii: "}") else { throw Malformed() }
                position += 1
                break
            }
            // Objects have a handful of members: comparing each pair beats hashing copies of the names.
            // An overridden member is never the last one, so it ends where the next one starts.
            for index in members.indices.dropLast() {
                let name = members[index]
                let later = members[(index + 1)...].contains { other in
                    name.escaped || other.escaped
                        ? decoded(name.name) == decoded(other.name)
                        : bytes[name.name].elementsEqual(bytes[other.name])
                }
                if later { overridden.append(name.start..<members[index + 1].start) }
            }
        }

        private mutating func array() throws(Malformed) {
            position += 1
            skipBlanks()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                position += 1
                return
            }
            while true {
                try value()
                skipBlanks()
                guard position < bytes.count else { throw Malformed() }
                if bytes[position] == UInt8(ascii: ",") {
                    position += 1
                    continue
                }
                guard bytes[position] == UInt8(ascii: "]") else { throw Malformed() }
                position += 1
                return
            }
        }

        /// A string from its opening quote: where it is (quotes included) and whether it has escapes.
        private mutating func string() throws(Malformed) -> (Range<Int>, escaped: Bool) {
            let start = position
            guard let escaped = JSONBytes.skipString(bytes, from: &position) else { throw Malformed() }
            return (start..<position, escaped)
        }

        /// A quoted name with its escapes resolved (`"a"` and `"\u0061"` are one name).
        private func decoded(_ range: Range<Int>) -> String? {
            try? JSONDecoder().decode(String.self, from: Data(bytes[range]))
        }

        private mutating func skipBlanks() { JSONBytes.skipBlanks(bytes, from: &position) }
    }
}
