import Foundation

/// An endpoint's JSON value as a whole, for read-modify-write: only `profile_ids` changes, every other
/// field — including ones calico-shell does not know — is written back as it was.
public enum EndpointDocument {
    /// Returns `value` with its profile list replaced by `profiles` (and the old single `profile_id`
    /// folded into `profile_ids`, as Calico itself does on write).
    ///
    /// The usual value (an object with `profile_ids`, no `profile_id`, no name repeated or escaped)
    /// keeps every byte but those of the list (`splicingProfiles`): a bulk edit of 10,000 endpoints
    /// spent a quarter of its time re-encoding whole documents through Foundation. Anything else
    /// goes through `JSONSerialization` and comes back with sorted keys.
    public static func replacingProfiles(
        in value: [UInt8],
        with profiles: [String]
    ) throws(EndpointDecodingError) -> [UInt8] {
        if let spliced = splicingProfiles(in: value, with: profiles) { return spliced }
        let value = RepeatedJSONFields.keepingLast(value)  // a repeated field's last value counts, as in Calico
        guard var object = (try? JSONSerialization.jsonObject(with: Data(value))) as? [String: Any] else {
            throw EndpointDecodingError(reason: "not a JSON object")
        }
        object["profile_ids"] = profiles
        object.removeValue(forKey: "profile_id")
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: object,
                options: [.sortedKeys, .withoutEscapingSlashes]
            )
        else {
            throw EndpointDecodingError(reason: "cannot be re-encoded")
        }
        return Array(data)
    }

    /// `value` with the bytes of its `profile_ids` value replaced by `profiles` as a JSON array;
    /// nil unless `value` is a JSON object whose member names are unescaped and distinct, that has
    /// `profile_ids` and no `profile_id`.
    static func splicingProfiles(in value: [UInt8], with profiles: [String]) -> [UInt8]? {
        guard let list = profileList(in: value) else { return nil }
        var result: [UInt8] = []
        result.reserveCapacity(value.count + profiles.reduce(0) { $0 + $1.utf8.count + 3 })
        result.append(contentsOf: value[..<list.lowerBound])
        result.append(UInt8(ascii: "["))
        for (index, profile) in profiles.enumerated() {
            if index > 0 { result.append(UInt8(ascii: ",")) }
            appendJSONString(profile, to: &result)
        }
        result.append(UInt8(ascii: "]"))
        result.append(contentsOf: value[list.upperBound...])
        return result
    }

    /// Where the value of `profile_ids` lies in `value`, when `splicingProfiles` can replace it; nil
    /// when it cannot (then `replacingProfiles` re-encodes the whole document). A plan asks this
    /// instead of making every new value only to drop it.
    static func profileList(in value: [UInt8]) -> Range<Int>? {
        guard let members = TopLevelMembers.scan(value) else { return nil }
        // Names compared by their bytes in place (a generic comparison of slices was a fifth of this).
        let list: Range<Int>?? = value.withUnsafeBufferPointer { bytes in
            func same(_ x: Range<Int>, _ y: Range<Int>) -> Bool {
                x.count == y.count
                    && memcmp(bytes.baseAddress! + x.lowerBound, bytes.baseAddress! + y.lowerBound, x.count) == 0
            }
            func named(_ range: Range<Int>, _ word: StaticString) -> Bool {
                range.count == word.utf8CodeUnitCount
                    && memcmp(bytes.baseAddress! + range.lowerBound, word.utf8Start, range.count) == 0
            }
            var list: Range<Int>?
            for (index, member) in members.enumerated() {
                if named(member.name, "\"profile_id\"") { return .none }
                if named(member.name, "\"profile_ids\"") { list = member.value }
                for other in members[(index + 1)...] where same(other.name, member.name) { return .none }
            }
            return .some(list)
        }
        guard let found = list, let list = found else { return nil }
        return list
    }

    /// A JSON string as `JSONSerialization` writes it with `.withoutEscapingSlashes`: `"` and `\`
    /// escaped, control characters as `\uXXXX` (or their short forms), everything else as UTF-8.
    static func appendJSONString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += Array("\\\"".utf8)
            case UInt8(ascii: "\\"): out += Array("\\\\".utf8)
            case 0x0A: out += Array("\\n".utf8)
            case 0x0D: out += Array("\\r".utf8)
            case 0x09: out += Array("\\t".utf8)
            case 0x08: out += Array("\\b".utf8)
            case 0x0C: out += Array("\\f".utf8)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Where each member of a top-level JSON object is: its quoted name and its value. Nil for
    /// anything but an object, an escaped name, or bytes that do not scan. Values are skipped, not
    /// validated: callers have decoded the value already.
    private struct TopLevelMembers {
        let bytes: [UInt8]
        var position = 0

        static func scan(_ bytes: [UInt8]) -> [(name: Range<Int>, value: Range<Int>)]? {
            var scanner = TopLevelMembers(bytes: bytes)
            return scanner.object()
        }

        private mutating func object() -> [(name: Range<Int>, value: Range<Int>)]? {
            skipBlanks()
            guard next(is: "{") else { return nil }
            var members: [(name: Range<Int>, value: Range<Int>)] = []
            skipBlanks()
            if next(is: "}") { return trailingBlanksOnly() ? members : nil }
            while true {
                skipBlanks()
                let nameStart = position
                guard let escaped = skipString(), !escaped else { return nil }
                let name = nameStart..<position
                skipBlanks()
                guard next(is: ":") else { return nil }
                skipBlanks()
                let valueStart = position
                guard skipValue() else { return nil }
                members.append((name, valueStart..<position))
                skipBlanks()
                if next(is: ",") { continue }
                guard next(is: "}") else { return nil }
                return trailingBlanksOnly() ? members : nil
            }
        }

        /// A string, a number, a literal, or a nested array or object (by depth, strings skipped).
        private mutating func skipValue() -> Bool {
            guard position < bytes.count else { return false }
            let first = bytes[position]
            if first == UInt8(ascii: "\"") { return skipString() != nil }
            if first == UInt8(ascii: "[") || first == UInt8(ascii: "{") {
                var depth = 0
                while position < bytes.count {
                    switch bytes[position] {
                    case UInt8(ascii: "\""):
                        guard skipString() != nil else { return false }
                        continue
                    case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1
                    case UInt8(ascii: "]"), UInt8(ascii: "}"):
                        depth -= 1
                        if depth == 0 {
                            position += 1
                            return true
                        }
                    default: break
                    }
                    position += 1
                }
                return false
            }
            let start = position
            while position < bytes.count, !JSONBytes.endsScalar(bytes[position]) { position += 1 }
            return position > start
        }

        /// Skips a string from its opening quote; whether it had escapes, nil if it does not end.
        private mutating func skipString() -> Bool? {
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { return nil }
            return JSONBytes.skipString(bytes, from: &position)
        }

        private mutating func next(is character: Unicode.Scalar) -> Bool {
            guard position < bytes.count, bytes[position] == UInt8(ascii: character) else { return false }
            position += 1
            return true
        }

        private mutating func trailingBlanksOnly() -> Bool {
            skipBlanks()
            return position == bytes.count
        }

        private mutating func skipBlanks() { JSONBytes.skipBlanks(bytes, from: &position) }
    }
}
