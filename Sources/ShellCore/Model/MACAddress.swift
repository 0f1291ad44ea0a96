/// A MAC address in any case, with `:` or `-` between its six bytes (`52:54:00:AB:cd:ef`,
/// `52-54-00-ab-cd-ef`), kept in one spelling (lowercase, colons) so that any two spellings compare equal.
public struct MACAddress: Hashable, Sendable, CustomStringConvertible {
    public let normalized: String

    public init?(_ text: String) {
        let parts = text.split(omittingEmptySubsequences: false) { $0 == ":" || $0 == "-" }
        guard parts.count == 6,
            parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isHexDigit) && $0.allSatisfy(\.isASCII) })
        else { return nil }
        normalized = parts.map { $0.lowercased() }.joined(separator: ":")
    }

    /// Whether a stored MAC is this one (stored values in another spelling included).
    public func matches(_ stored: String) -> Bool {
        MACAddress(stored)?.normalized == normalized
    }

    public var description: String { normalized }
}
