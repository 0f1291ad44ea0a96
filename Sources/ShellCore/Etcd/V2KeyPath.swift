/// How a key becomes a v2 URL path: etcd's v2 API addresses keys as paths (`/v2/keys/calico/v1/host/h`),
/// so every byte of a key that is not unreserved in a URL is sent percent-encoded (`%20`, `%C3%A9`),
/// `/` stays the separator. Keys are bytes: an escape scalar of `KeyText` goes out as the byte it stands
/// for, so `%FF` reaches etcd as 0xFF.
enum V2KeyPath {
    /// `/v2/keys` + the key's path, percent-encoded.
    static func url(base: String, key: String) -> String {
        var path = base + "/v2/keys"
        let bytes = KeyText.encode(key)
        if bytes.first != UInt8(ascii: "/") { path.append("/") }
        path.append(percentEncoded(bytes, keepingSlash: true))
        return path
    }

    /// RFC 3986's unreserved characters as they are, every other byte as `%XX`.
    static func percentEncoded(_ bytes: [UInt8], keepingSlash: Bool) -> String {
        var out = ""
        out.reserveCapacity(bytes.count)
        let hex = Array("0123456789ABCDEF".utf8)
        var scalars: [UInt8] = []
        scalars.reserveCapacity(bytes.count * 3)
        for byte in bytes {
            let unreserved =
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "~") || (keepingSlash && byte == UInt8(ascii: "/"))
            if unreserved {
                scalars.append(byte)
            } else {
                scalars.append(UInt8(ascii: "%"))
                scalars.append(hex[Int(byte >> 4)])
                scalars.append(hex[Int(byte & 0x0F)])
            }
        }
        out = String(decoding: scalars, as: UTF8.self)
        return out
    }

    /// A form body or query value (`value=...`): the same encoding, `/` encoded too.
    static func formValue(_ bytes: [UInt8]) -> String {
        percentEncoded(bytes, keepingSlash: false)
    }
}
