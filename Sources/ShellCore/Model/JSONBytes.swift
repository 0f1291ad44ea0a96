/// The byte classes the small JSON walkers share (`RepeatedJSONFields`, `EndpointDocument`):
/// JSON's four blanks, and what ends a number or a literal.
enum JSONBytes {
    static func isBlank(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// A blank, `,`, `}` or `]`: where a number or a literal (`true`, `null`) ends.
    static func endsScalar(_ byte: UInt8) -> Bool {
        isBlank(byte) || byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]")
    }

    static func skipBlanks(_ bytes: [UInt8], from position: inout Int) {
        while position < bytes.count, isBlank(bytes[position]) { position += 1 }
    }

    /// Skips a string whose opening quote is at `position` (left just after its closing quote):
    /// whether it holds escapes; nil when it does not end.
    static func skipString(_ bytes: [UInt8], from position: inout Int) -> Bool? {
        position += 1
        var escaped = false
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "\\"):
                escaped = true
                position += 2
            case UInt8(ascii: "\""):
                position += 1
                return escaped
            default:
                position += 1
            }
        }
        return nil
    }
}
