/// Makes text from etcd (or typed by a user) safe to put on a terminal: no byte of it can act as a
/// control character, so a value holding `\n` cannot forge table rows and an ESC sequence in a key
/// cannot recolour, move or retitle the user's terminal.
///
///     "a\nb"        → `a\nb`
///     "\u{1b}[31m"  → `\x1b[31m`
///     "\u{85}"      → `\x85`      (C1 controls: U+0080–U+009F)
///
/// `\n`, `\r` and `\t` get their usual short forms; every other control character (C0, DEL, C1)
/// is `\x` and two lowercase hex digits of its code point. A byte of a key that is not UTF-8
/// (kept by `KeyText` as an escape scalar) is `\x` and the byte's two hex digits: `bad\xffhost`.
/// Backslashes themselves are left as they are, so ordinary data never changes and escaped text
/// stays the same when escaped again.
/// This is the one place that decides how such characters look.
public enum DisplayEscaping {
    public static func visible(_ text: String) -> String {
        // Fast path, taken for nearly every table cell: printable ASCII needs no work.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) { return text }
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            if let byte = KeyText.escapedByte(scalar) {
                out += "\\x" + String(byte, radix: 16)
                continue
            }
            guard isControl(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                let hex = String(scalar.value, radix: 16)
                out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
            }
        }
        return out
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        isControl(scalar) || KeyText.escapedByte(scalar) != nil
    }

    /// C0 (U+0000–U+001F), DEL (U+007F) and C1 (U+0080–U+009F).
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value)
    }
}
