/// Warnings about data that does not fit the Calico layout: reported, never fatal, never a crash.
enum MalformedData {
    static func warning(key: String, reason: String) -> String {
        "warning: skipping \(Validation.printable(key)): \(reason)"
    }

    /// An endpoint shown without data because its value cannot be read.
    static func unreadable(key: String, reason: String) -> String {
        "warning: \(Validation.printable(key)): \(reason)"
    }

    /// Keys under a host's workloads that are not endpoint keys, for the hosts the filter covers.
    static func warnings(for index: EndpointIndex, filter: EndpointFilter) -> [String] {
        warnings(malformedKeys: index.malformedKeys, layout: index.layout, filter: filter)
    }

    /// `warnings(for:filter:)` for the keys `malformedKeys`.
    static func warnings(
        malformedKeys: some Collection<String>,
        layout: KeyLayout,
        filter: EndpointFilter
    ) -> [String] {
        malformedKeys.sorted().compactMap { key in
            if let host = filter.host, !key.hasPrefix(layout.hostsPrefix + host + "/") { return nil }
            return warning(key: key, reason: "not an endpoint key of the Calico v1 layout")
        }
    }
}
