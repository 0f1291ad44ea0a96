#if canImport(Glibc)
import Glibc
#endif

/// A name filter's value: `node-*`, `d50c?`, `[ab]*` match as the C library's `fnmatch(3)` does;
/// a value with no pattern character (`*`, `?`, `[`) matches exactly, byte for byte, as before.
public struct NamePattern: Hashable, Sendable {
    public let text: String
    /// Whether `text` holds a pattern character (otherwise it is compared byte for byte).
    public let isPattern: Bool

    public init(_ text: String) {
        self.text = text
        self.isPattern = Self.hasPatternCharacter(text)
    }

    public static func hasPatternCharacter(_ text: String) -> Bool {
        text.utf8.contains { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "[") }
    }

    public func matches(_ name: String) -> Bool {
        guard isPattern else { return KeyText.equal(text, name) }
        // `*` (every endpoint of a bulk edit) matches any name: no C string, no fnmatch call.
        if text == "*" { return true }
        return fnmatch(text, name, 0) == 0
    }

    /// The part before the first pattern character: every match starts with it (for binary searches).
    public var literalPrefix: String {
        guard isPattern else { return text }
        let bytes = Array(text.utf8)
        let end =
            bytes.firstIndex { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "[") }
            ?? bytes.count
        // A backslash escapes in fnmatch: stop before one too, so the prefix is literal.
        let literalEnd = bytes[..<end].firstIndex(of: UInt8(ascii: "\\")) ?? end
        return String(decoding: bytes[..<literalEnd], as: UTF8.self)
    }
}
