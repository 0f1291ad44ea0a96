#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Where results (stdout) and errors and warnings (stderr) go.
public protocol OutputWriter: Sendable {
    func standardOutput(_ text: String)
    func standardError(_ text: String)
}

/// The process's own streams, written unbuffered (straight to file descriptors 1 and 2) so that every
/// answer is out before the next command is read, also into a pipe: another program can drive the
/// shell as a coprocess (write a command, read its answer).
public struct StandardStreams: OutputWriter {
    public init() {}

    public func standardOutput(_ text: String) { Self.write(text, to: 1) }
    public func standardError(_ text: String) { Self.write(text, to: 2) }

    static func write(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return  // A closed pipe: nothing more can be said there.
                }
                offset += written
            }
        }
    }
}

/// Collects output in memory, for tests.
public final class CapturedOutput: OutputWriter {
    private let state = Mutex<(out: String, err: String)>(("", ""))

    public init() {}

    public var output: String { state.withLock { $0.out } }
    public var errors: String { state.withLock { $0.err } }

    public func standardOutput(_ text: String) { state.withLock { $0.out += text } }
    public func standardError(_ text: String) { state.withLock { $0.err += text } }
}
