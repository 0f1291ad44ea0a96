import Foundation

/// An endpoint's JSON value as a whole, for read-modify-write: only `profile_ids` changes, every other
/// field — including ones calico-shell does not know — is written back as it was.
public enum EndpointDocument {
    /// Returns `value` with its profile list replaced by `profiles` (and the old single `profile_id`
    /// folded into `profile_ids`, as Calico itself does on write).
    public static func replacingProfiles(
        in value: [UInt8],
        with profiles: [String]
    ) throws(EndpointDecodingError) -> [UInt8] {
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
}
