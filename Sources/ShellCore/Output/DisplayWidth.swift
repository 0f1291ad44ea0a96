import CWidth

#if canImport(Glibc)
import Glibc
#endif

/// How many terminal columns text takes, as prettytable measures it: a CJK character takes 2, a
/// combining mark 0. The C library's `wcwidth` knows the Unicode tables; this only sums it up.
public enum DisplayWidth {
    public static func columns(_ text: String) -> Int {
        // ASCII (the common case, and everything calicoctl itself writes) is one column a byte.
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text.utf8.count }
        _ = characterTypesReady
        var total = 0
        for scalar in text.unicodeScalars {
            // Negative means "not printable": escaped text has no control characters left, so this
            // is only an unassigned code point, which terminals show as one cell.
            let width = cwidth_columns(scalar.value)
            total += width < 0 ? 1 : Int(width)
        }
        return total
    }

    /// `wcwidth` answers by the C locale's character types: under the default "C" locale every
    /// non-ASCII character is unprintable. Switching them to UTF-8 once, on first use, makes it
    /// right in the shell and in tests alike.
    private static let characterTypesReady: Bool = useUTF8CharacterTypes()

    /// Keeps the locale's character types when they already are UTF-8 (the user's `LANG`), and
    /// otherwise selects `C.UTF-8`. Also called by the line editor after its `setlocale(LC_ALL, "")`.
    @discardableResult
    public static func useUTF8CharacterTypes() -> Bool {
        if let codeset = nl_langinfo(nl_item(CODESET)), String(cString: codeset) == "UTF-8" { return true }
        return setlocale(LC_CTYPE, "C.UTF-8") != nil
    }
}
