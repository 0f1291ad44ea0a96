/// An IPv4 or IPv6 network (`10.65.0.2/32`, `fd00::/64`), or one address (a network of the full
/// prefix length), parsed without the C library so that every spelling rule is ours:
/// - IPv4 is four decimal octets; a leading zero (`010.0.0.1`) is refused, as it reads as octal
///   to some tools and as decimal to others.
/// - IPv6 takes `::` compression and a trailing dotted IPv4 part; `::ffff:a.b.c.d` (IPv4-mapped)
///   is the IPv4 address `a.b.c.d`, so both spellings find the same endpoints.
/// - Bits past the prefix length are cleared (`10.0.0.5/24` is the network `10.0.0.0/24`).
///
/// Addresses are 128-bit numbers in two halves; an IPv4 address uses the low 32 bits of `low`.
public struct IPNetwork: Hashable, Comparable, Sendable, CustomStringConvertible {
    public enum Family: Int, Sendable {
        case v4 = 4
        case v6 = 6
    }

    // Stored halves first and the length as one byte: 24 bytes a network (the address index holds
    // one per endpoint network).
    public let high: UInt64
    public let low: UInt64
    public let family: Family
    private let storedPrefixLength: UInt8
    public var prefixLength: Int { Int(storedPrefixLength) }

    public var width: Int { family == .v4 ? 32 : 128 }
    /// Whether it names one address (`10.0.0.1` or `10.0.0.1/32`).
    public var isAddress: Bool { prefixLength == width }

    init(family: Family, high: UInt64, low: UInt64, prefixLength: Int) {
        self.family = family
        self.storedPrefixLength = UInt8(prefixLength)
        let (h, l) = Self.mask(high, low, family: family, keeping: prefixLength)
        self.high = h
        self.low = l
    }

    /// Why a spelling is not an address or network (worded in `ErrorMessages.swift`).
    public enum ParseError: Error, Equatable, Sendable {
        case prefixLengthNotNumber
        case prefixLengthLeadingZero
        case prefixLengthTooLong(maximum: Int)
        case mappedPrefixTooShort
        case ipv4Shape
        case ipv4Part
        case leadingZero(String)
        case ipv6
    }

    public static func parse(_ text: String) throws(ParseError) -> IPNetwork {
        if let network = plainIPv4(text) { return network }
        return try parseAnySpelling(text)
    }

    /// `a.b.c.d` or `a.b.c.d/n` exactly as `parseAnySpelling` accepts it, read from the bytes in one
    /// pass; nil for anything else, which `parseAnySpelling` then reads (and words the error of). Every
    /// endpoint's nets are parsed when an index is loaded: the general parser's `Substring`s and
    /// `split` were a tenth of a piped `--detailed` at 100,000 endpoints (perf).
    static func plainIPv4(_ text: String) -> IPNetwork? {
        let parsed = text.utf8.withContiguousStorageIfAvailable { bytes -> IPNetwork? in
            var position = 0
            /// 1–3 digits, no leading zero, at most `maximum`.
            func number(maximum: UInt32) -> UInt32? {
                let start = position
                var value: UInt32 = 0
                while position < bytes.count, position - start < 3, bytes[position] &- 0x30 < 10 {
                    value = value * 10 + UInt32(bytes[position] &- 0x30)
                    position += 1
                }
                let digits = position - start
                guard digits > 0, digits == 1 || bytes[start] != UInt8(ascii: "0"), value <= maximum else { return nil }
                return value
            }
            var address: UInt32 = 0
            for part in 0..<4 {
                if part > 0 {
                    guard position < bytes.count, bytes[position] == UInt8(ascii: ".") else { return nil }
                    position += 1
                }
                guard let octet = number(maximum: 255) else { return nil }
                address = address << 8 | octet
            }
            var length: UInt32 = 32
            if position < bytes.count {
                guard bytes[position] == UInt8(ascii: "/") else { return nil }
                position += 1
                guard let given = number(maximum: 32) else { return nil }
                length = given
            }
            guard position == bytes.count else { return nil }
            return IPNetwork(family: .v4, high: 0, low: UInt64(address), prefixLength: Int(length))
        }
        return parsed ?? nil
    }

    /// Any spelling: IPv4, IPv6, IPv4-mapped IPv6, with or without a prefix length.
    static func parseAnySpelling(_ text: String) throws(ParseError) -> IPNetwork {
        var address = Substring(text)
        var prefix: Int?
        if let slash = text.firstIndex(of: "/") {
            address = text[..<slash]
            let digits = text[text.index(after: slash)...]
            guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy(\.isASCIIDigit), let value = Int(digits) else {
                throw .prefixLengthNotNumber
            }
            guard digits.count == 1 || digits.first != "0" else {
                throw .prefixLengthLeadingZero
            }
            prefix = value
        }
        let parsed: IPNetwork
        if address.utf8.contains(UInt8(ascii: ":")) {
            parsed = try parseIPv6(address)
        } else {
            let value = try parseIPv4(address)
            parsed = IPNetwork(family: .v4, high: 0, low: UInt64(value), prefixLength: 32)
        }
        guard let prefix else { return parsed }
        // A mapped IPv4 address with an IPv6 prefix length: 96 of its bits are the mapping.
        var length = prefix
        if parsed.family == .v4 && address.utf8.contains(UInt8(ascii: ":")) {
            guard prefix >= 96 else { throw .mappedPrefixTooShort }
            length = prefix - 96
        }
        guard length <= parsed.width else {
            throw .prefixLengthTooLong(maximum: address.utf8.contains(UInt8(ascii: ":")) ? 128 : 32)
        }
        return IPNetwork(family: parsed.family, high: parsed.high, low: parsed.low, prefixLength: length)
    }

    private static func parseIPv4(_ text: Substring) throws(ParseError) -> UInt32 {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { throw .ipv4Shape }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCIIDigit), let octet = UInt32(part) else {
                throw .ipv4Part
            }
            guard part.count == 1 || part.first != "0" else {
                throw .leadingZero(String(part))
            }
            guard octet <= 255 else { throw .ipv4Part }
            value = value << 8 | octet
        }
        return value
    }

    private static func parseIPv6(_ text: Substring) throws(ParseError) -> IPNetwork {
        let invalid = ParseError.ipv6
        var groups: [UInt16] = []
        var gap: Int?
        var rest = text
        if rest.hasPrefix("::") {
            gap = 0
            rest = rest.dropFirst(2)
        }
        while !rest.isEmpty {
            let end = rest.firstIndex(of: ":") ?? rest.endIndex
            let group = rest[..<end]
            if group.utf8.contains(UInt8(ascii: ".")) {
                guard end == rest.endIndex else { throw invalid }
                let value = try parseIPv4(group)
                groups += [UInt16(value >> 16), UInt16(value & 0xffff)]
                rest = rest[end...]
                break
            }
            guard !group.isEmpty, group.count <= 4, let value = UInt16(group, radix: 16) else { throw invalid }
            groups.append(value)
            rest = rest[end...]
            if rest.hasPrefix("::") {
                guard gap == nil else { throw invalid }
                gap = groups.count
                rest = rest.dropFirst(2)
            } else if rest.hasPrefix(":") {
                rest = rest.dropFirst()
                if rest.isEmpty { throw invalid }
            }
        }
        if let gap {
            guard groups.count < 8 else { throw invalid }
            groups.insert(contentsOf: [UInt16](repeating: 0, count: 8 - groups.count), at: gap)
        }
        guard groups.count == 8 else { throw invalid }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for group in groups[0..<4] { high = high << 16 | UInt64(group) }
        for group in groups[4..<8] { low = low << 16 | UInt64(group) }
        // ::ffff:a.b.c.d is the IPv4 address a.b.c.d.
        if high == 0 && low >> 32 == 0xffff {
            return IPNetwork(family: .v4, high: 0, low: low & 0xffff_ffff, prefixLength: 32)
        }
        return IPNetwork(family: .v6, high: high, low: low, prefixLength: 128)
    }

    static func mask(_ high: UInt64, _ low: UInt64, family: Family, keeping bits: Int) -> (UInt64, UInt64) {
        if family == .v4 {
            let kept: UInt64 = bits == 0 ? 0 : (0xffff_ffff << UInt64(32 - bits)) & 0xffff_ffff
            return (0, low & kept)
        }
        let highKept: UInt64 = bits >= 64 ? .max : (bits == 0 ? 0 : .max << UInt64(64 - bits))
        let lowKept: UInt64 = bits <= 64 ? 0 : (bits == 128 ? .max : .max << UInt64(128 - bits))
        return (high & highKept, low & lowKept)
    }

    /// This network shortened to `bits` (the network of that length that contains it).
    public func truncated(to bits: Int) -> IPNetwork {
        IPNetwork(family: family, high: high, low: low, prefixLength: min(bits, prefixLength))
    }

    /// Whether `other` lies inside this network (the same one included).
    public func contains(_ other: IPNetwork) -> Bool {
        other.family == family && other.prefixLength >= prefixLength && other.truncated(to: prefixLength) == self
    }

    /// The last address of the network, as (high, low).
    public var end: (high: UInt64, low: UInt64) {
        let (maskHigh, maskLow) = Self.mask(.max, .max, family: family, keeping: prefixLength)
        if family == .v4 { return (0, low | (~maskLow & 0xffff_ffff)) }
        return (high | ~maskHigh, low | ~maskLow)
    }

    public static func < (a: IPNetwork, b: IPNetwork) -> Bool {
        if a.family != b.family { return a.family.rawValue < b.family.rawValue }
        if a.high != b.high { return a.high < b.high }
        if a.low != b.low { return a.low < b.low }
        return a.prefixLength < b.prefixLength
    }

    /// `10.65.0.2` for one address, `10.0.0.0/24` for a network; IPv6 in RFC 5952's form.
    public var description: String {
        let address: String
        if family == .v4 {
            address = (0..<4).map { String((low >> UInt64(24 - 8 * $0)) & 0xff) }.joined(separator: ".")
        } else {
            let groups = (0..<8).map { i -> UInt16 in
                let half = i < 4 ? high : low
                return UInt16((half >> UInt64(48 - 16 * (i % 4))) & 0xffff)
            }
            address = Self.compressed(groups)
        }
        return isAddress ? address : "\(address)/\(prefixLength)"
    }

    private static func compressed(_ groups: [UInt16]) -> String {
        // The longest run of two or more zero groups becomes `::` (the first, if several tie).
        var bestStart = -1
        var bestLength = 1
        var index = 0
        while index < 8 {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            var end = index
            while end < 8 && groups[end] == 0 { end += 1 }
            if end - index > bestLength {
                bestStart = index
                bestLength = end - index
            }
            index = end
        }
        let hex = groups.map { String($0, radix: 16) }
        guard bestStart >= 0 else { return hex.joined(separator: ":") }
        let head = hex[..<bestStart].joined(separator: ":")
        let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
