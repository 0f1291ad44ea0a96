public enum KeyRange {
    /// The end of the range holding every key that starts with `prefix`: the prefix with its last
    /// byte incremented (etcd's convention).
    public static func prefixEnd(_ prefix: String) -> String {
        var bytes = KeyText.encode(prefix)
        while let last = bytes.last {
            if last < 0xff {
                bytes[bytes.count - 1] = last + 1
                return KeyText.decode(bytes)
            }
            bytes.removeLast()
        }
        return "\u{0}"
    }
}
