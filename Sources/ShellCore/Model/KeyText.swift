#if canImport(Glibc)
import Glibc
#endif

/// etcd keys are bytes; calico-shell handles them as `String`s. Two rules make that exact:
///
/// - **Lossless decoding.** A key that is not valid UTF-8 keeps every byte: each byte of an invalid
///   sequence becomes the private-use scalar U+10FF00 + byte (U+10FF80…U+10FFFF), and encoding turns
///   those scalars back into the bytes. Valid text that itself encodes such a scalar is treated as
///   invalid bytes too, so the mapping stays one-to-one. Display shows them as `\xNN`.
/// - **Byte comparison.** Swift's `==` on strings is canonical equivalence ("café" precomposed
///   equals "cafe" + combining accent), and its `<` orders by normalized scalars. etcd compares
///   bytes, so every comparison of key parts goes through `KeyText.equal` and `KeyText.less`.
public enum KeyText {
    static let escapeBase: UInt32 = 0x10FF00

    /// The string for `bytes`, keeping every byte (see above).
    public static func decode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        // Every key of a load comes through here: work on the contiguous bytes when there are any
        // (etcd's `Data`), where the scan for an escape byte is one memchr.
        let fast = bytes.withContiguousStorageIfAvailable { buffer -> String? in
            guard buffer.isEmpty || memchr(buffer.baseAddress!, 0xF4, buffer.count) == nil else { return nil }
            return String(validating: buffer, as: UTF8.self)
        }
        if let fast, let text = fast { return text }
        if fast == nil, !bytes.contains(0xF4), let text = String(validating: bytes, as: UTF8.self) { return text }
        return decodeSlowly(Array(bytes))
    }

    private static func decodeSlowly(_ bytes: [UInt8]) -> String {
        var scalars = String.UnicodeScalarView()
        var position = 0
        while position < bytes.count {
            if let (scalar, length) = scalar(in: bytes, at: position), scalar.value < escapeBase + 0x80 {
                scalars.append(scalar)
                position += length
            } else {
                scalars.append(Unicode.Scalar(escapeBase + UInt32(bytes[position]))!)
                position += 1
            }
        }
        return String(scalars)
    }

    /// The well-formed UTF-8 scalar starting at `position`, with its length in bytes.
    private static func scalar(in bytes: [UInt8], at position: Int) -> (Unicode.Scalar, Int)? {
        let lead = bytes[position]
        let length: Int
        switch lead {
        case 0x00...0x7F: return (Unicode.Scalar(lead), 1)
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return nil
        }
        guard position + length <= bytes.count,
            let text = String(validating: bytes[position..<(position + length)], as: UTF8.self),
            let scalar = text.unicodeScalars.first
        else { return nil }
        return (scalar, length)
    }

    /// The bytes `text` stands for: its UTF-8, with escaped bytes turned back into themselves.
    public static func encode(_ text: String) -> [UInt8] {
        // Escape scalars are 4 bytes starting F4 8F: text without an F4 byte has none.
        guard text.utf8.contains(0xF4) else { return Array(text.utf8) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if scalar.value >= escapeBase + 0x80 && scalar.value <= escapeBase + 0xFF {
                bytes.append(UInt8(scalar.value - escapeBase))
            } else {
                bytes.append(contentsOf: String(scalar).utf8)
            }
        }
        return bytes
    }

    /// The escaped byte a scalar stands for, or nil for an ordinary scalar.
    public static func escapedByte(_ scalar: Unicode.Scalar) -> UInt8? {
        scalar.value >= escapeBase + 0x80 && scalar.value <= escapeBase + 0xFF ? UInt8(scalar.value - escapeBase) : nil
    }

    /// Whether `a` and `b` have the same bytes.
    @inline(__always)
    public static func equal(_ a: String, _ b: String) -> Bool {
        compare(a, b) == 0
    }

    /// Whether `a` sorts before `b` by bytes (as etcd orders keys).
    @inline(__always)
    public static func less(_ a: String, _ b: String) -> Bool {
        compare(a, b) < 0
    }

    /// Whether `text`'s bytes start with `prefix`'s.
    public static func hasPrefix(_ text: String, _ prefix: String) -> Bool {
        withBytes(text) { whole in
            withBytes(prefix) { start in
                start.count <= whole.count
                    && (start.isEmpty || memcmp(whole.baseAddress!, start.baseAddress!, start.count) == 0)
            }
        }
    }

    /// memcmp order of the two strings' bytes: negative, zero or positive.
    public static func compare(_ a: String, _ b: String) -> Int {
        withBytes(a) { x in
            withBytes(b) { y in compare(UnsafeRawBufferPointer(x), UnsafeRawBufferPointer(y)) }
        }
    }

    /// memcmp order of two byte strings (the index compares names in its arena with this).
    @inline(__always)
    static func compare(_ x: UnsafeRawBufferPointer, _ y: UnsafeRawBufferPointer) -> Int {
        let shared = min(x.count, y.count)
        if shared > 0 {
            let result = memcmp(x.baseAddress!, y.baseAddress!, shared)
            if result != 0 { return Int(result) }
        }
        return x.count - y.count
    }

    /// Runs `body` on `text`'s UTF-8 bytes in place. Not `String.withUTF8`, which is mutating: its
    /// `var` copy retained and released the string on every call, and key comparisons are the
    /// index's inner loop (binary searches, sorting, hashing).
    @inline(__always)
    static func withBytes<Result>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = text
        return copy.withUTF8(body)
    }

    /// Feeds `text`'s bytes to `hasher` (equal bytes, equal hashes; canonically equal text with
    /// other bytes hashes apart).
    public static func hash(_ text: String, into hasher: inout Hasher) {
        withBytes(text) { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        hasher.combine(0xFF as UInt8)  // ends the field: ("ab","c") and ("a","bc") hash apart
    }
}
