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

    /// The fragments and codes as flat tables, made once and never freed: reading `fragments` (an
    /// array of arrays) for every byte of every value retained and released it, a tenth of a load's
    /// CPU at 1,000,000 endpoints (perf).
    private struct Tables: @unchecked Sendable {
        /// Every fragment, back to back; fragment i is `bytes[starts[i]..<starts[i + 1]]`.
        let bytes: UnsafeMutablePointer<UInt8>
        let starts: UnsafeMutablePointer<Int>
        /// For each byte b, `candidates[firstCandidate[b]..<firstCandidate[b + 1]]` are the
        /// fragments that start with it, longest first.
        let firstCandidate: UnsafeMutablePointer<Int>
        let candidates: UnsafeMutablePointer<Int>
        /// For each byte, the index of the fragment it is the code of, or -1.
        let fragmentOfCode: UnsafeMutablePointer<Int>
        /// Each fragment's code (`codes`).
        let codeOfFragment: UnsafeMutablePointer<UInt8>

        init() {
            let all = fragments.flatMap { $0 }
            bytes = .allocate(capacity: all.count)
            bytes.initialize(from: all, count: all.count)
            starts = .allocate(capacity: fragments.count + 1)
            var start = 0
            for (index, fragment) in fragments.enumerated() {
                starts[index] = start
                start += fragment.count
            }
            starts[fragments.count] = start
            var byFirstByte = [[Int]](repeating: [], count: 256)
            for (index, fragment) in fragments.enumerated() { byFirstByte[Int(fragment[0])].append(index) }
            firstCandidate = .allocate(capacity: 257)
            candidates = .allocate(capacity: fragments.count)
            var next = 0
            for byte in 0..<256 {
                firstCandidate[byte] = next
                for index in byFirstByte[byte].sorted(by: { fragments[$0].count > fragments[$1].count }) {
                    candidates[next] = index
                    next += 1
                }
            }
            firstCandidate[256] = next
            fragmentOfCode = .allocate(capacity: 256)
            fragmentOfCode.initialize(repeating: -1, count: 256)
            for (index, code) in codes.enumerated() { fragmentOfCode[Int(code)] = index }
            codeOfFragment = .allocate(capacity: codes.count)
            codeOfFragment.initialize(from: codes, count: codes.count)
        }
    }

    private static let tables = Tables()

    /// The stored form of `value`, or nil when it must be stored as it is (it holds a code byte, or
    /// nothing in it shrinks).
    static func encode(_ value: UnsafeRawBufferPointer) -> [UInt8]? {
        guard value.count >= 8, let base = value.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        let tables = Self.tables
        let count = value.count
        var encoded: [UInt8] = []
        encoded.reserveCapacity(count)
        var position = 0
        while position < count {
            let byte = Int(base[position])
            if tables.fragmentOfCode[byte] >= 0 { return nil }
            var matched = false
            for candidate in tables.firstCandidate[byte]..<tables.firstCandidate[byte + 1] {
                let index = tables.candidates[candidate]
                let start = tables.starts[index]
                let length = tables.starts[index + 1] - start
                if length <= count - position, memcmp(tables.bytes + start, base + position, length) == 0 {
                    encoded.append(tables.codeOfFragment[index])
                    position += length
                    matched = true
                    break
                }
            }
            if !matched {
                encoded.append(UInt8(byte))
                position += 1
            }
        }
        return encoded.count < count ? encoded : nil
    }

    /// The value `encode` was given.
    static func decode(_ stored: UnsafeRawBufferPointer) -> [UInt8] {
        var value: [UInt8] = []
        decode(stored, into: &value)
        return value
    }

    /// `decode` into `value` (emptied first, its storage kept): a scan of every endpoint reuses one
    /// buffer instead of allocating an array per value.
    static func decode(_ stored: UnsafeRawBufferPointer, into value: inout [UInt8]) {
        let tables = Self.tables
        value.removeAll(keepingCapacity: true)
        value.reserveCapacity(stored.count * 3)
        for byte in stored {
            let index = tables.fragmentOfCode[Int(byte)]
            if index >= 0 {
                let start = tables.starts[index]
                value.append(
                    contentsOf: UnsafeBufferPointer(
                        start: tables.bytes + start,
                        count: tables.starts[index + 1] - start
                    )
                )
            } else {
                value.append(byte)
            }
        }
    }
}
