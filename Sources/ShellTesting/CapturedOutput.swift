import ShellCore
import Synchronization

/// Collects output in memory, for tests; `failWrites(with:)` makes standard output fail from then on.
public final class CapturedOutput: OutputWriter {
    private let state = Mutex<(out: String, err: String, failure: OutputFailure?)>(("", "", nil))

    public init() {}

    public var output: String { state.withLock { $0.out } }
    public var errors: String { state.withLock { $0.err } }
    public var failure: OutputFailure? { state.withLock { $0.failure } }

    public func failWrites(with code: Int32) { state.withLock { $0.failure = OutputFailure(code: code) } }

    public func standardOutput(_ text: String) {
        state.withLock { if $0.failure == nil { $0.out += text } }
    }

    public func standardError(_ text: String) { state.withLock { $0.err += text } }
}
