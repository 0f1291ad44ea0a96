/// Checks made before any key is built or any write is sent.
public enum Validation {
    /// Host, orchestrator, workload and endpoint IDs become path segments of etcd keys: they must be
    /// non-empty, contain no `/`, and not be `.` or `..`.
    public static func isValidIdentifier(_ value: String) -> Bool {
        isValidIdentifier(Substring(value).utf8)
    }

    /// The same check on UTF-8 bytes (every byte of a multi-byte character is >= 0x80, so looking
    /// at single bytes for `/` and control characters is exact).
    static func isValidIdentifier<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        guard !bytes.isEmpty, !bytes.elementsEqual(".".utf8), !bytes.elementsEqual("..".utf8) else { return false }
        return !bytes.contains { $0 == UInt8(ascii: "/") || $0 < 0x20 || $0 == 0x7f }
    }

    /// Calico's profile name rule: `^[a-zA-Z0-9_.-]+$`.
    public static func isValidProfileName(_ name: String) -> Bool {
        !name.isEmpty
            && name.unicodeScalars.allSatisfy { scalar in
                switch scalar {
                case "a"..."z", "A"..."Z", "0"..."9", "_", ".", "-": return true
                default: return false
                }
            }
    }

    /// A value safe to echo in a one-line message: control characters are escaped
    /// (`DisplayEscaping`), and a long value is cut short.
    static func printable(_ value: String) -> String {
        let out = DisplayEscaping.visible(value)
        return out.count > 80 ? String(out.prefix(77)) + "..." : out
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
