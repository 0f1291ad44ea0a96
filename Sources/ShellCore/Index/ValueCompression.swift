#if canImport(Glibc)
import Glibc
#endif

/// How the index stores endpoint values in its arena: the JSON with its common fragments (member
/// names and the punctuation around them, as Calico writes them) replaced by one byte each.
///
/// A Calico endpoint value is about 150 bytes, of which about 95 are member names and punctuation
/// that every value repeats (`{"state":"active","name":"`, `","mac":"`, `"],"ipv4_nets":["`, …).
/// At 1,000,000 endpoints those repeats were 90 MB of the index. The codes are bytes below 0x20
/// that valid JSON never holds outside a string's escapes (tab, newline and carriage return
/// excepted, which are not codes); a value that holds one anyway (not JSON, or binary) is stored
/// as it is, and `decode(encode(x)) == x` for every input.
enum ValueCompression {
    /// The fragments, longest first where one starts another; a fragment's code is the
    /// `index`-th byte of `codes`.
    static let fragments: [[UInt8]] = [
        #"{"state":"active","name":""#,
        #"],"ipv6_nets":[],"labels":{}}"#,
        #"","profile_ids":[""#,
        #""],"ipv4_nets":[""#,
        #""],"ipv6_nets":[""#,
        #"","mac":""#,
        #""state":"active""#,
        #""profile_ids":["#,
        #""ipv4_nets":["#,
        #""ipv6_nets":["#,
        #""labels":{"#,
        #""name":""#,
        #""mac":""#,
        #""active_instance_id":""#,
        #""ipv4_gateway":""#,
        #""ipv6_gateway":""#,
        #"/128""#,
        #"/32""#,
        #""],""#,
        #"",""#,
    ].map { Array($0.utf8) }

    /// Control bytes other than tab (9), newline (10) and carriage return (13).
    static let codes: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]

    /// For each byte, the fragments that start with it (longest first), as indexes.
    private static let candidates: [[Int]] = {
        var table = [[Int]](repeating: [], count: 256)
        for (index, fragment) in fragments.enumerated() { table[Int(fragment[0])].append(index) }
        for byte in table.indices {
            table[byte].sort { fragments[$0].count > fragments[$1].count }
        }
        return table
    }()

    /// For each byte, its fragment's index if it is a code, else -1.
    private static let fragmentOfCode: [Int] = {
        var table = [Int](repeating: -1, count: 256)
        for (index, code) in codes.enumerated() { table[Int(code)] = index }
        return table
    }()

    /// The stored form of `value`, or nil when it must be stored as it is (it holds a code byte, or
    /// nothing in it shrinks).
    static func encode(_ value: UnsafeRawBufferPointer) -> [UInt8]? {
        guard value.count >= 8 else { return nil }
        var encoded: [UInt8] = []
        encoded.reserveCapacity(value.count)
        var position = 0
        while position < value.count {
            let byte = value[position]
            if fragmentOfCode[Int(byte)] >= 0 { return nil }
            var matched = false
            for index in candidates[Int(byte)] {
                let fragment = fragments[index]
                if fragment.count <= value.count - position,
                    fragment.withUnsafeBytes({ memcmp($0.baseAddress!, value.baseAddress! + position, $0.count) == 0 })
                {
                    encoded.append(codes[index])
                    position += fragment.count
                    matched = true
                    break
                }
            }
            if !matched {
                encoded.append(byte)
                position += 1
            }
        }
        return encoded.count < value.count ? encoded : nil
    }

    /// The value `encode` was given.
    static func decode(_ stored: UnsafeRawBufferPointer) -> [UInt8] {
        var value: [UInt8] = []
        value.reserveCapacity(stored.count * 3)
        for byte in stored {
            let index = fragmentOfCode[Int(byte)]
            if index >= 0 { value.append(contentsOf: fragments[index]) } else { value.append(byte) }
        }
        return value
    }
}
