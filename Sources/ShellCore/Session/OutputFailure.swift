#if canImport(Glibc)
import Glibc
#endif

/// Standard output could not be written: `errno` of the failed `write`.
public struct OutputFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: Int32

    public init(code: Int32) {
        self.code = code
    }

    /// The reader went away (`| head -1`): Unix tools end quietly then.
    public var isClosedPipe: Bool { code == EPIPE }

    public var description: String { "cannot write output: \(String(cString: strerror(code)))" }
}
