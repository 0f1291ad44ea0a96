import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The process's own streams, written unbuffered (straight to file descriptors 1 and 2) so that every
/// answer is out before the next command is read, also into a pipe: another program can drive the
/// shell as a coprocess (write a command, read its answer).
public struct StandardStreams: OutputWriter {
    /// One per process, as descriptor 1 is: the first errno a write to it failed with, or 0.
    private static let outputError = Atomic<Int32>(0)

    public init() {}

    public func standardOutput(_ text: String) {
        // After a failure nothing more is written: the run is ending, and a pipe stays closed.
        guard Self.outputError.load(ordering: .relaxed) == 0 else { return }
        if let code = Self.write(text, to: 1) { Self.outputError.store(code, ordering: .relaxed) }
    }

    public func standardError(_ text: String) {
        _ = Self.write(text, to: 2)  // nowhere left to report a failure of stderr itself
    }

    public var failure: OutputFailure? {
        let code = Self.outputError.load(ordering: .relaxed)
        return code == 0 ? nil : OutputFailure(code: code)
    }

    /// Writes all of `text`; returns errno when a write fails.
    static func write(_ text: String, to descriptor: Int32) -> Int32? {
        var text = text
        return text.withUTF8 { bytes -> Int32? in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
    }
}
