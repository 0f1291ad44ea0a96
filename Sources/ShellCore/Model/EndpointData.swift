import Foundation

/// The fields of an endpoint's JSON value that calico-shell shows. Decoding is strict about types so
/// that bad data is reported (naming the key) instead of shown wrongly.
public struct EndpointData: Equatable, Sendable {
    public var state: String?
    public var name: String?
    public var mac: String?
    public var profiles: [String]
    public var ipv4Nets: [String]
    public var ipv6Nets: [String]

    public init(
        state: String? = nil,
        name: String? = nil,
        mac: String? = nil,
        profiles: [String] = [],
        ipv4Nets: [String] = [],
        ipv6Nets: [String] = []
    ) {
        self.state = state
        self.name = name
        self.mac = mac
        self.profiles = profiles
        self.ipv4Nets = ipv4Nets
        self.ipv6Nets = ipv6Nets
    }

    /// IPv4 networks in numeric order, then IPv6 ones: the order of the Addresses cell.
    public var sortedAddresses: [String] {
        AddressOrder.sorted(ipv4: ipv4Nets, ipv6: ipv6Nets)
    }

    public static func decode(_ bytes: [UInt8]) throws(EndpointDecodingError) -> EndpointData {
        if let data = IndexedFields.endpointData(bytes) { return data }
        do {
            return try JSONDecoder().decode(Wire.self, from: Data(RepeatedJSONFields.keepingLast(bytes))).data
        } catch let error as DecodingError {
            throw EndpointDecodingError(reason: Self.describe(error))
        } catch {
            throw EndpointDecodingError(reason: "not valid JSON")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let field = context.codingPath.first?.stringValue ?? "value"
            return context.codingPath.isEmpty ? "not a JSON object" : "field '\(field)' has the wrong type"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "not valid JSON" : "field '\(context.codingPath[0].stringValue)' is invalid"
        case .keyNotFound(let key, _):
            return "field '\(key.stringValue)' is missing"
        @unknown default:
            return "not valid JSON"
        }
    }

    /// The JSON shape in etcd. `profile_id` is the older single-profile form.
    private struct Wire: Decodable {
        let data: EndpointData

        enum Keys: String, CodingKey {
            case state, name, mac, profile_ids, profile_id, ipv4_nets, ipv6_nets
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            var profiles = try container.decodeIfPresent([String].self, forKey: .profile_ids)
            if profiles == nil, let single = try container.decodeIfPresent(String.self, forKey: .profile_id) {
                profiles = [single]
            }
            data = EndpointData(
                state: try container.decodeIfPresent(String.self, forKey: .state),
                name: try container.decodeIfPresent(String.self, forKey: .name),
                mac: try container.decodeIfPresent(String.self, forKey: .mac),
                profiles: profiles ?? [],
                ipv4Nets: try container.decodeIfPresent([String].self, forKey: .ipv4_nets) ?? [],
                ipv6Nets: try container.decodeIfPresent([String].self, forKey: .ipv6_nets) ?? []
            )
        }
    }
}

public struct EndpointDecodingError: Error, Equatable, Sendable {
    public var reason: String
}
