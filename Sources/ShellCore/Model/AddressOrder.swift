#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Numeric order of IP networks (`192.168.1.10/32` after `192.168.1.9/32`), IPv4 before IPv6.
/// Unparseable strings keep their text order after the parseable ones of their family.
enum AddressOrder {
    static func sorted(ipv4: [String], ipv6: [String]) -> [String] {
        sortedFamily(ipv4, family: AF_INET, byteCount: 4) + sortedFamily(ipv6, family: AF_INET6, byteCount: 16)
    }

    private static func sortedFamily(_ nets: [String], family: Int32, byteCount: Int) -> [String] {
        if nets.count < 2 { return nets }
        let keyed = nets.map { net -> (key: [UInt8]?, net: String) in
            (sortKey(net, family: family, byteCount: byteCount), net)
        }
        return keyed.sorted { a, b in
            switch (a.key, b.key) {
            case let (x?, y?): return x != y ? x.lexicographicallyPrecedes(y) : a.net < b.net
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return a.net < b.net
            }
        }.map(\.net)
    }

    /// The address bytes followed by the prefix length, so equal addresses order by prefix.
    private static func sortKey(_ net: String, family: Int32, byteCount: Int) -> [UInt8]? {
        let parts = net.split(separator: "/", maxSplits: 1)
        guard let address = parts.first else { return nil }
        var buffer = [UInt8](repeating: 0, count: 16)
        let ok = String(address).withCString { inet_pton(family, $0, &buffer) }
        guard ok == 1 else { return nil }
        let prefix = parts.count > 1 ? UInt8(parts[1]) ?? 255 : 255
        return Array(buffer.prefix(byteCount)) + [prefix]
    }
}
