#if canImport(Glibc)
import Glibc
#endif

/// The fields of an endpoint value that the secondary indexes need (profiles and networks), read
/// from the raw JSON bytes at load and on every watch event. A full `JSONDecoder` pass for each of
/// 100,000 endpoints would add seconds to a load, so this reads only the top-level members it needs,
/// and hands anything unusual (an escape in a name, a non-string element) to `EndpointData.decode`,
/// so both agree on every value. As Calico's readers do, a repeated member counts by its last copy.
struct IndexedFields: Equatable, Sendable {
    var profiles: [String] = []
    /// The stored nets as text; parsed only when asked (`networks`), so that a change that leaves
    /// them alone (a retag) costs no address parsing.
    var netTexts: [String] = []

    /// A stored net that is not an address or network is in no address index (it is still shown).
    var networks: [IPNetwork] { netTexts.compactMap { try? IPNetwork.parse($0) } }

    /// Nil when the value cannot be read at all (it is then in no secondary index, and shown with
    /// its warning by the commands that read it).
    static func read(_ bytes: [UInt8]) -> IndexedFields? {
        guard !bytes.isEmpty else { return nil }
        var scan = FastScan(bytes: bytes)
        if let fields = scan.fields() { return fields }
        guard let data = try? EndpointData.decode(bytes) else { return nil }
        return IndexedFields(profiles: data.profiles, nets: data.ipv4Nets + data.ipv6Nets)
    }

    /// Where the profiles and nets of a value of the common shape lie in its bytes (nil for any
    /// other value): a changed value is compared by these bytes before any string is made.
    struct FieldRanges: Sendable {
        var profiles: [Range<Int>] = []
        var nets: [Range<Int>] = []
    }

    static func ranges(_ bytes: [UInt8]) -> FieldRanges? {
        var scan = FastScan(bytes: bytes)
        return scan.ranges()
    }

    /// Whether every range of `ranges` is UTF-8 (then `read` gives exactly their strings).
    static func allUTF8(_ ranges: FieldRanges, in bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            (ranges.profiles + ranges.nets).allSatisfy { range in
                let slice = UnsafeBufferPointer(rebasing: buffer[range])
                return slice.allSatisfy { $0 < 0x80 } || String(validating: slice, as: UTF8.self) != nil
            }
        }
    }

    /// Whether `a[x]` and `b[y]` are the same bytes.
    static func sameBytes(_ a: [UInt8], _ x: Range<Int>, _ b: [UInt8], _ y: Range<Int>) -> Bool {
        guard x.count == y.count else { return false }
        guard !x.isEmpty else { return true }
        return a.withUnsafeBufferPointer { first in
            b.withUnsafeBufferPointer { second in
                memcmp(first.baseAddress! + x.lowerBound, second.baseAddress! + y.lowerBound, x.count) == 0
            }
        }
    }

    /// `EndpointData` of the common shape without `JSONDecoder` (see `FastScan.endpointData`): at
    /// 10,000 endpoints `JSONDecoder` was 21% of a piped `endpoint show --detailed` (perf).
    static func endpointData(_ bytes: [UInt8]) -> EndpointData? {
        var scan = FastScan(bytes: bytes)
        return scan.endpointData()
    }

    /// Where the members of `EndpointData` lie in a value's bytes (between their quotes), for a value
    /// `endpointData` reads; nil means absent or null.
    struct DataRanges: Sendable {
        var state: Range<Int>?
        var name: Range<Int>?
        var mac: Range<Int>?
        var profiles: [Range<Int>] = []
        var ipv4Nets: [Range<Int>] = []
        var ipv6Nets: [Range<Int>] = []
    }

    /// `endpointData`'s fields as ranges of `bytes`, for a reader that copies them out as bytes
    /// (a whole-index `--detailed`); nil for a value that `EndpointData.decode` must read. The
    /// ranges' bytes are not checked to be UTF-8.
    static func dataRanges(_ bytes: [UInt8]) -> DataRanges? {
        var scan = FastScan(bytes: bytes)
        return scan.dataRanges()
    }

    /// `EndpointData.decode(bytes).profiles` for a value of the common shape (nil for any other,
    /// which the caller decodes in full): the same values are accepted, and only the profiles'
    /// strings are made (a dry run of every endpoint needs nothing else of each).
    static func profiles(_ bytes: [UInt8]) -> [String]? {
        guard let ranges = dataRanges(bytes) else { return nil }
        return bytes.withUnsafeBufferPointer { buffer in
            func text(_ range: Range<Int>) -> String? {
                String(validating: UnsafeBufferPointer(rebasing: buffer[range]), as: UTF8.self)
            }
            // An ASCII value (nearly all) is text throughout; in any other, each string is checked.
            if !buffer.allSatisfy({ $0 < 0x80 }) {
                let scalars = [ranges.state, ranges.name, ranges.mac].compactMap { $0 }
                guard (scalars + ranges.ipv4Nets + ranges.ipv6Nets).allSatisfy({ text($0) != nil }) else { return nil }
            }
            var profiles: [String] = []
            profiles.reserveCapacity(ranges.profiles.count)
            for range in ranges.profiles {
                guard let profile = text(range) else { return nil }
                profiles.append(profile)
            }
            return profiles
        }
    }

    init(profiles: [String] = [], nets: [String] = []) {
        self.profiles = profiles
        self.netTexts = nets
    }

    /// The members `profile_ids`, `profile_id`, `ipv4_nets`, `ipv6_nets` of a flat JSON object.
    private struct FastScan {
        let bytes: [UInt8]
        var position = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func fields() -> IndexedFields? {
            guard let ranges = ranges() else { return nil }
            var fields = IndexedFields()
            for range in ranges.profiles {
                guard let profile = text(range) else { return nil }
                fields.profiles.append(profile)
            }
            for range in ranges.nets {
                guard let net = text(range) else { return nil }
                fields.netTexts.append(net)
            }
            return fields
        }

        /// Where `fields()`'s strings sit in the bytes, not yet checked to be UTF-8.
        mutating func ranges() -> FieldRanges? {
            var profileIDs: [Range<Int>]?
            var profileID: Range<Int>?
            var v4: [Range<Int>] = []
            var v6: [Range<Int>] = []
            skipBlanks()
            guard next() == UInt8(ascii: "{") else { return nil }
            skipBlanks()
            if peek() == UInt8(ascii: "}") { return FieldRanges() }
            while true {
                skipBlanks()
                guard let name = memberName() else { return nil }
                skipBlanks()
                guard next() == UInt8(ascii: ":") else { return nil }
                skipBlanks()
                switch name {
                case .profileIDs:
                    if peek() == UInt8(ascii: "n") {
                        guard literal("null") else { return nil }
                        profileIDs = nil
                    } else {
                        guard let list = rawStrings() else { return nil }
                        profileIDs = list
                    }
                case .profileID:
                    if peek() == UInt8(ascii: "n") {
                        guard literal("null") else { return nil }
                        profileID = nil
                    } else {
                        guard let single = rawString() else { return nil }
                        profileID = single
                    }
                case .ipv4Nets, .ipv6Nets:
                    var list: [Range<Int>] = []
                    if peek() == UInt8(ascii: "n") {
                        guard literal("null") else { return nil }
                    } else {
                        guard let read = rawStrings() else { return nil }
                        list = read
                    }
                    if name == .ipv4Nets { v4 = list } else { v6 = list }
                default:
                    guard skipValue() else { return nil }
                }
                skipBlanks()
                switch next() {
                case UInt8(ascii: ","): continue
                case UInt8(ascii: "}"):
                    skipBlanks()
                    guard position == bytes.count else { return nil }
                    let profiles = profileIDs ?? profileID.map { [$0] } ?? []
                    return FieldRanges(profiles: profiles, nets: v4 + v6)
                default: return nil
                }
            }
        }

        /// The whole `EndpointData` of a value that holds only the members it has (and `labels`, an
        /// object of strings), each of the type it must have, strings without escapes; nil for
        /// anything else, which `EndpointData.decode` then hands to `JSONDecoder`. Strict, unlike
        /// `fields()`: every byte is checked, so both paths agree on which values are valid.
        mutating func endpointData() -> EndpointData? {
            guard let ranges = dataRanges() else { return nil }
            func texts(_ list: [Range<Int>]) -> [String]? {
                var texts: [String] = []
                texts.reserveCapacity(list.count)
                for range in list {
                    guard let item = text(range) else { return nil }
                    texts.append(item)
                }
                return texts
            }
            // Nil when the text is not UTF-8; `.some(nil)` for a member absent or null.
            func optionalText(_ range: Range<Int>?) -> String?? {
                guard let range else { return .some(nil) }
                guard let read = text(range) else { return nil }
                return .some(read)
            }
            guard let state = optionalText(ranges.state), let name = optionalText(ranges.name),
                let mac = optionalText(ranges.mac), let profiles = texts(ranges.profiles),
                let v4 = texts(ranges.ipv4Nets), let v6 = texts(ranges.ipv6Nets)
            else { return nil }
            var data = EndpointData()
            data.state = state
            data.name = name
            data.mac = mac
            data.profiles = profiles
            data.ipv4Nets = v4
            data.ipv6Nets = v6
            return data
        }

        /// Where `endpointData()`'s strings lie (nil exactly when it is nil, but for text that is
        /// not UTF-8, which this does not check).
        mutating func dataRanges() -> DataRanges? {
            var data = DataRanges()
            var profileIDs: [Range<Int>]?
            var profileID: Range<Int>?
            skipBlanks()
            guard next() == UInt8(ascii: "{") else { return nil }
            skipBlanks()
            if peek() != UInt8(ascii: "}") {
                members: while true {
                    skipBlanks()
                    guard let name = memberName() else { return nil }
                    skipBlanks()
                    guard next() == UInt8(ascii: ":") else { return nil }
                    skipBlanks()
                    let isNull = peek() == UInt8(ascii: "n")
                    if isNull && name != .labels {
                        guard literal("null") else { return nil }
                    }
                    switch name {
                    case .state, .name, .mac:
                        var text: Range<Int>?
                        if !isNull {
                            guard let read = rawString() else { return nil }
                            text = read
                        }
                        if name == .state {
                            data.state = text
                        } else if name == .name {
                            data.name = text
                        } else {
                            data.mac = text
                        }
                    case .profileIDs:
                        if isNull {
                            profileIDs = nil
                        } else {
                            guard let list = rawStrings() else { return nil }
                            profileIDs = list
                        }
                    case .profileID:
                        if isNull {
                            profileID = nil
                        } else {
                            guard let single = rawString() else { return nil }
                            profileID = single
                        }
                    case .ipv4Nets, .ipv6Nets:
                        var list: [Range<Int>] = []
                        if !isNull {
                            guard let read = rawStrings() else { return nil }
                            list = read
                        }
                        if name == .ipv4Nets { data.ipv4Nets = list } else { data.ipv6Nets = list }
                    case .labels:
                        guard labels() else { return nil }
                    case .other:
                        return nil
                    }
                    skipBlanks()
                    switch next() {
                    case UInt8(ascii: ","): continue members
                    case UInt8(ascii: "}"): break members
                    default: return nil
                    }
                }
            } else {
                position += 1
            }
            skipBlanks()
            guard position == bytes.count else { return nil }
            data.profiles = profileIDs ?? profileID.map { [$0] } ?? []
            return data
        }

        /// `null`, or an object of strings (Calico's labels), skipped.
        mutating func labels() -> Bool {
            if peek() == UInt8(ascii: "n") { return literal("null") }
            guard next() == UInt8(ascii: "{") else { return false }
            skipBlanks()
            if peek() == UInt8(ascii: "}") {
                position += 1
                return true
            }
            while true {
                skipBlanks()
                guard string() != nil else { return false }
                skipBlanks()
                guard next() == UInt8(ascii: ":") else { return false }
                skipBlanks()
                guard string() != nil else { return false }
                skipBlanks()
                switch next() {
                case UInt8(ascii: ","): continue
                case UInt8(ascii: "}"): return true
                default: return false
                }
            }
        }

        func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func next() -> UInt8? {
            guard position < bytes.count else { return nil }
            position += 1
            return bytes[position - 1]
        }

        mutating func skipBlanks() {
            while let byte = peek(), byte == 0x20 || byte == 0x0a || byte == 0x0d || byte == 0x09 { position += 1 }
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard position + count <= bytes.count else { return false }
            for i in 0..<count where bytes[position + i] != word.utf8Start[i] { return false }
            position += count
            return true
        }

        /// The members these scans know, by name.
        enum Member {
            case state, name, mac, profileIDs, profileID, ipv4Nets, ipv6Nets, labels, other
        }

        /// A member's name (with no escapes), matched by its bytes: making a string of every name
        /// and comparing it was a tenth of reading a value (perf).
        mutating func memberName() -> Member? {
            guard let range = rawString() else { return nil }
            func named(_ word: StaticString) -> Bool {
                range.count == word.utf8CodeUnitCount
                    && bytes.withUnsafeBufferPointer {
                        memcmp($0.baseAddress! + range.lowerBound, word.utf8Start, range.count) == 0
                    }
            }
            // An unknown name must still be text, as it must for `JSONDecoder`.
            var other: Member? { text(range) == nil ? nil : .other }
            switch range.count {
            case 3: return named("mac") ? .mac : other
            case 4: return named("name") ? .name : other
            case 5: return named("state") ? .state : other
            case 6: return named("labels") ? .labels : other
            case 9: return named("ipv4_nets") ? .ipv4Nets : named("ipv6_nets") ? .ipv6Nets : other
            case 10: return named("profile_id") ? .profileID : other
            case 11: return named("profile_ids") ? .profileIDs : other
            default: return other
            }
        }

        /// A string with no escapes (an escape hands the value to the full decoder).
        mutating func string() -> String? {
            guard let range = rawString() else { return nil }
            return text(range)
        }

        /// The UTF-8 text of `range`, nil if it is not UTF-8. Through a buffer pointer: on an array
        /// slice `String(validating:as:)` runs unspecialized, looking up generic metadata for every
        /// string (12% of a first `--detailed` answer at 100,000 endpoints, perf).
        func text(_ range: Range<Int>) -> String? {
            bytes.withUnsafeBufferPointer { buffer in
                let slice = UnsafeBufferPointer(rebasing: buffer[range])
                // ASCII (nearly every name and network) needs no validation.
                if slice.allSatisfy({ $0 < 0x80 }) { return String(decoding: slice, as: UTF8.self) }
                return String(validating: slice, as: UTF8.self)
            }
        }

        /// Where a string with no escapes lies, between its quotes (its bytes unchecked).
        mutating func rawString() -> Range<Int>? {
            guard next() == UInt8(ascii: "\"") else { return nil }
            let start = position
            while let byte = next() {
                if byte == UInt8(ascii: "\"") { return start..<(position - 1) }
                if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            }
            return nil
        }

        mutating func rawStrings() -> [Range<Int>]? {
            guard next() == UInt8(ascii: "[") else { return nil }
            var list: [Range<Int>] = []
            skipBlanks()
            if peek() == UInt8(ascii: "]") {
                position += 1
                return list
            }
            while true {
                skipBlanks()
                guard let item = rawString() else { return nil }
                list.append(item)
                skipBlanks()
                switch next() {
                case UInt8(ascii: ","): continue
                case UInt8(ascii: "]"): return list
                default: return nil
                }
            }
        }

        /// Skips any value; strings may hold escapes here (only their end matters).
        mutating func skipValue() -> Bool {
            var depth = 0
            repeat {
                guard let byte = next() else { return false }
                switch byte {
                case UInt8(ascii: "\""):
                    var escaped = false
                    while true {
                        guard let inner = next() else { return false }
                        if escaped {
                            escaped = false
                        } else if inner == UInt8(ascii: "\\") {
                            escaped = true
                        } else if inner == UInt8(ascii: "\"") {
                            break
                        }
                    }
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth < 0 { return false }
                case UInt8(ascii: ","), UInt8(ascii: ":"):
                    if depth == 0 { return false }
                default:
                    // A number, true, false or null: up to the next separator.
                    if depth == 0 {
                        while let following = peek(),
                            following != UInt8(ascii: ","), following != UInt8(ascii: "}"),
                            following != 0x20, following != 0x0a, following != 0x0d, following != 0x09
                        {
                            position += 1
                        }
                    }
                }
            } while depth > 0
            return true
        }
    }
}
