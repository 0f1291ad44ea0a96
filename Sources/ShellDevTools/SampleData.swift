import ShellCore

/// Data for the demo and the benchmarks, in the Calico v1 layout.
public enum SampleData {
    /// The five endpoints of the reference page's example (host `calico`, orchestrator `docker`).
    public static let referenceEndpoints:
        [(workload: String, endpoint: String, address: String, mac: String, profiles: [String])] = [
            (
                "0d01b3f020fcadfd0090fcbbbbef9658acb26f71c1cb812827afafc625c5ae1a", "d79123c4784511e5bd1a080027f532f6",
                "192.168.1.4/32", "d6:43:59:f7:93:d3", []
            ),
            (
                "26d5636108f8e46b0b9d663522c26f05e52acecf11bb10104dfbd9047ad502b6", "d50c35bc784511e5bd1a080027f532f6",
                "192.168.1.3/32", "0e:61:2a:84:30:51", ["PROF"]
            ),
            (
                "838a52d2809845a1092c9cb0f8ff5a09437339cbd39b597924eaefacbf50b4ae", "d0bd03d8784511e5bd1a080027f532f6",
                "192.168.0.1/32", "b6:bc:87:55:54:a0", ["PROF"]
            ),
            (
                "b75d50055975385f0f26ecfc545e91c10a911dbfff4894a03510a617c4b232fc", "d2b58ef8784511e5bd1a080027f532f6",
                "192.168.1.2/32", "f2:42:82:f6:1f:a4", ["PROF"]
            ),
            (
                "ccc8d2e81b8ef7d4eeb8634e61ed515da47f7d5d7803f40408af21c002f379db", "d9d6c3a0784511e5bd1a080027f532f6",
                "192.168.1.5/32", "f6:ed:d8:c5:dd:ac", []
            ),
        ]

    public static let referenceProfiles = ["PROF", "WEB"]

    /// An endpoint's JSON value as Calico writes it.
    public static func endpointValue(
        name: String,
        mac: String?,
        profiles: [String],
        ipv4: [String],
        ipv6: [String] = [],
        state: String = "active"
    ) -> [UInt8] {
        let json = JSONValue.object([
            ("state", .string(state)), ("name", .string(name)), ("mac", .optional(mac)),
            ("profile_ids", .strings(profiles)), ("ipv4_nets", .strings(ipv4)), ("ipv6_nets", .strings(ipv6)),
            ("labels", .object([])),
        ])
        return Array(json.rendered.utf8)
    }

    /// A profile's keys: `rules` and `tags`, as calicoctl creates them.
    public static func profilePairs(_ name: String, layout: KeyLayout) -> [(key: String, value: [UInt8])] {
        [
            (
                layout.profilesPrefix + name + "/rules",
                Array(
                    (#"{"inbound_rules":[{"action":"allow","src_tag":"\#(name)"}],"#
                        + #""outbound_rules":[{"action":"allow"}]}"#).utf8
                )
            ),
            (layout.profilesPrefix + name + "/tags", Array(#"["\#(name)"]"#.utf8)),
        ]
    }

    /// The reference page's data: its five endpoints and the profiles PROF and WEB.
    public static func reference(layout: KeyLayout) -> [(key: String, value: [UInt8])] {
        var pairs = referenceProfiles.flatMap { profilePairs($0, layout: layout) }
        for item in referenceEndpoints {
            let key = EndpointKey(
                host: "calico",
                orchestrator: "docker",
                workload: item.workload,
                endpoint: item.endpoint
            )
            pairs.append(
                (
                    key.path(in: layout),
                    endpointValue(
                        name: "cali\(item.endpoint.prefix(11))",
                        mac: item.mac,
                        profiles: item.profiles,
                        ipv4: [item.address]
                    )
                )
            )
        }
        return pairs
    }

    /// What `scripts/demo` loads: the reference page's data, and a few hundred more endpoints over
    /// six hosts so that filters and completion have something to choose from.
    public static func demo(layout: KeyLayout) -> [(key: String, value: [UInt8])] {
        reference(layout: layout) + synthetic(count: 300, hosts: 6, layout: layout)
    }

    /// `count` synthetic endpoints over `hosts` hosts and two orchestrators, one or two endpoints per
    /// workload, with a few profiles: deterministic, so runs compare.
    public static func synthetic(count: Int, hosts: Int, layout: KeyLayout) -> [(key: String, value: [UInt8])] {
        var pairs = syntheticProfiles.flatMap { profilePairs($0, layout: layout) }
        pairs.reserveCapacity(count + pairs.count)
        for n in 0..<count { pairs.append(syntheticEndpoint(n, hosts: hosts, layout: layout)) }
        return pairs
    }

    /// The profiles the synthetic endpoints carry (each endpoint one of them).
    public static let syntheticProfiles = ["web", "db", "cache", "frontend", "backend"]

    /// Synthetic endpoint number `n` (of `synthetic`), its profile rotated by `profileShift`: churn
    /// and bursts rewrite existing endpoints with another profile, so every write is a real change.
    public static func syntheticEndpoint(
        _ n: Int,
        hosts: Int,
        layout: KeyLayout,
        profileShift: Int = 0
    ) -> (key: String, value: [UInt8]) {
        let host = "node-\(padded(String(n % max(hosts, 1)), to: 3))"
        let orchestrator = n % 5 == 0 ? "k8s" : "docker"
        let workload = "wl-" + hex(UInt64(n / 2), width: 16)
        // 32 hex digits, like Calico's own endpoint IDs (no common prefix).
        let endpoint = hex(UInt64(n) &* 0x9E37_79B9_7F4A_7C15, width: 16) + hex(UInt64(n), width: 16)
        let key = EndpointKey(host: host, orchestrator: orchestrator, workload: workload, endpoint: endpoint)
        let address = "10.\((n >> 16) & 0xff).\((n >> 8) & 0xff).\(n & 0xff)/32"
        let mac = "ee:ee:" + [24, 16, 8, 0].map { hex(UInt64((n >> $0) & 0xff), width: 2) }.joined(separator: ":")
        let profiles = syntheticProfiles
        let value = endpointValue(
            name: "cali" + endpoint.prefix(11),
            mac: mac,
            profiles: [profiles[(n + profileShift) % profiles.count]],
            ipv4: [address]
        )
        return (key.path(in: layout), value)
    }

    private static func hex(_ value: UInt64, width: Int) -> String {
        String(padded(String(value, radix: 16), to: width).suffix(width))
    }

    private static func padded(_ text: String, to width: Int) -> String {
        String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
