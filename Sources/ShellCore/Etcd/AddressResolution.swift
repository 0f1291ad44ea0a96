import GRPCNIOTransportCore

#if canImport(Glibc)
import Glibc
#endif

/// Turns the configured endpoints into one gRPC target holding every member's address, so the
/// channel can balance and fail over between them. Host names are resolved once, at start.
enum AddressResolution {
    static func target(for endpoints: [EtcdConfiguration.Endpoint]) throws(EtcdError) -> any ResolvableTarget {
        var ipv4: [(host: String, port: Int)] = []
        var ipv6: [(host: String, port: Int)] = []
        for endpoint in endpoints {
            let addresses = resolve(endpoint.host)
            guard !addresses.isEmpty else {
                throw .configuration("cannot resolve etcd host '\(endpoint.host)' of \(endpoint)")
            }
            // One address per member: several would make one member look like many to the balancer.
            if let v4 = addresses.first(where: { !$0.isIPv6 }) {
                ipv4.append((v4.text, endpoint.port))
            } else if let v6 = addresses.first {
                ipv6.append((v6.text, endpoint.port))
            }
        }
        if ipv6.isEmpty { return .ipv4(pairs: ipv4) }
        if ipv4.isEmpty { return .ipv6(pairs: ipv6) }
        throw .configuration("etcd endpoints mix IPv4 and IPv6 members; give them all in one family")
    }

    private struct Address {
        var text: String
        var isIPv6: Bool
    }

    private static func resolve(_ host: String) -> [Address] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [Address] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(
                info.pointee.ai_addr,
                info.pointee.ai_addrlen,
                &buffer,
                socklen_t(buffer.count),
                nil,
                0,
                NI_NUMERICHOST
            ) == 0 {
                let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                addresses.append(Address(text: text, isIPv6: info.pointee.ai_family == AF_INET6))
            }
            cursor = info.pointee.ai_next
        }
        return addresses
    }
}
