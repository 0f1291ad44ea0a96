#if canImport(Glibc)
import Glibc
#endif

/// One logical line of input and where it came from, for `FILE:LINE:` messages.
public struct SourceLine: Equatable, Sendable {
    public var text: String
    public var number: Int
    /// Set when the line cannot be run as a command (too long, unreadable, an unfinished
    /// continuation): it then fails with this error, at its place in the input.
    public var problem: ShellError?

    public init(text: String, number: Int, problem: ShellError? = nil) {
        self.text = text
        self.number = number
        self.problem = problem
    }
}

/// Where commands come from: a script file, stdin, `-c` arguments or the terminal. One loop
/// (`ScriptRunner.run`) reads them all; what differs is a property of the source, as in psql:
/// how it names its lines, whether a person is typing them, how it reads a continued line.
public protocol LineSource {
    /// The name used in error messages: the script's path, `<stdin>` or `-c`.
    var name: String { get }
    /// The folder `source FILE` is relative to.
    var directory: String { get }
    /// The script file read, if any (for `source` cycle detection).
    var path: String? { get }
    /// Whether a person types these lines: an error then prints without `FILE:LINE:` and never
    /// ends the run, and Ctrl-C cancels just the command that runs.
    var isInteractive: Bool { get }
    /// The next physical line, without its newline; nil at the end. Async because input may wait
    /// (a pipe whose writer is silent): a source that waits must not hold the thread while it does
    /// (see `InputReadiness`).
    mutating func readLine() async -> SourceLine?
    /// The line that continues one ending in a backslash; nil where a continuation cannot go on.
    mutating func readContinuationLine() async -> SourceLine?
    /// A person's answer to `question` (`Apply? [y/N] `); nil when nobody can answer (scripts and
    /// pipes never ask) or the answer was abandoned (Ctrl-C, Ctrl-D).
    mutating func answer(_ question: String) async -> String?
}

extension LineSource {
    public var path: String? { nil }
    public var isInteractive: Bool { false }
    public mutating func readContinuationLine() async -> SourceLine? { await readLine() }
    public mutating func answer(_ question: String) async -> String? { nil }
}

/// Lines longer than this are refused (one clear error) rather than parsed.
public let maximumLineLength = 65_536
