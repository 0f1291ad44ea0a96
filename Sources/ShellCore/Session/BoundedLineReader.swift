#if canImport(Glibc)
import Glibc
#endif

/// Reads lines from a file descriptor, never holding more than `limit` bytes of one line: a line
/// that grows past the limit is read to its end and dropped, and only its length is kept. So a
/// 300 MB line costs one buffer, not 300 MB, and is still refused at its place in the input.
struct BoundedLineReader {
    enum Line: Equatable {
        /// The line's bytes, without the newline.
        case text([UInt8])
        /// Longer than the limit: only its length in bytes was kept, and whether it ends with an
        /// odd number of backslashes (a continuation).
        case overlong(Int, continues: Bool)
        /// `read` failed with this errno (e.g. EISDIR, EIO); the input ends after it.
        case failed(Int32)
    }

    let descriptor: Int32
    let limit: Int
    /// Whether a read may wait for input (a pipe, a terminal, a FIFO; not a regular file): such
    /// reads first wait off the thread until input is there (`InputReadiness`).
    private let mayWait: Bool
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var finished = false

    init(descriptor: Int32, limit: Int, bufferSize: Int = 65_536) {
        self.descriptor = descriptor
        self.limit = limit
        self.buffer = [UInt8](repeating: 0, count: bufferSize)
        self.mayWait = InputReadiness.mayWait(descriptor)
    }

    /// The next line; nil at the end of the input. A last line without a newline is a line.
    mutating func next() async -> Line? {
        var line: [UInt8] = []
        var length = 0
        var trailingBackslashes = 0
        var sawAnything = false
        while true {
            if start == end {
                if finished { break }
                if mayWait { await InputReadiness.wait(for: descriptor) }
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 {
                    if errno == EINTR { continue }
                    finished = true
                    return .failed(errno)
                }
                if count == 0 {
                    finished = true
                    break
                }
                start = 0
                end = count
            }
            sawAnything = true
            let newline = buffer[start..<end].firstIndex(of: 0x0a)
            let chunkEnd = newline ?? end
            let chunkLength = chunkEnd - start
            if length + chunkLength <= limit {
                line.append(contentsOf: buffer[start..<chunkEnd])
            } else if !line.isEmpty {
                line = []  // over the limit: the bytes are dropped, the length still counts
            }
            length += chunkLength
            let chunk = buffer[start..<chunkEnd]
            let backslashes = chunk.reversed().prefix { $0 == UInt8(ascii: "\\") }.count
            trailingBackslashes = backslashes == chunkLength ? trailingBackslashes + backslashes : backslashes
            start = newline.map { $0 + 1 } ?? end
            if newline != nil { break }
        }
        guard sawAnything else { return nil }
        return length > limit ? .overlong(length, continues: trailingBackslashes % 2 == 1) : .text(line)
    }
}
