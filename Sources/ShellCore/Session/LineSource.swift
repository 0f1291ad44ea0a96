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
    /// The next physical line, without its newline; nil at the end.
    mutating func readLine() -> SourceLine?
    /// The line that continues one ending in a backslash; nil where a continuation cannot go on.
    mutating func readContinuationLine() -> SourceLine?
}

extension LineSource {
    public var path: String? { nil }
    public var isInteractive: Bool { false }
    public mutating func readContinuationLine() -> SourceLine? { readLine() }
}

/// Lines longer than this are refused (one clear error) rather than parsed.
public let maximumLineLength = 65_536

/// A file or stdin, read one line at a time, so a million-line script runs in constant memory and its
/// first command runs before its last line is read. A line is never held beyond the length limit:
/// the rest of an overlong line is read and dropped.
public final class StreamLineSource: LineSource {
    public let name: String
    public let directory: String
    public let path: String?
    private var reader: BoundedLineReader
    private let ownsDescriptor: Bool
    private var lineNumber = 0

    /// Opens a script; throws a one-line error if it cannot be read (missing, a directory, …).
    public init(path: String) throws(ShellError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw .cannotRead(path: path, reason: String(cString: strerror(errno)))
        }
        var status = stat()
        if fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR {
            close(descriptor)
            throw .cannotRead(path: path, reason: String(cString: strerror(EISDIR)))
        }
        self.reader = BoundedLineReader(descriptor: descriptor, limit: maximumLineLength)
        self.ownsDescriptor = true
        self.name = path
        self.path = path
        self.directory = StreamLineSource.folder(of: path)
    }

    /// Standard input (descriptor 0), read directly: the C `stdin` global is not concurrency-safe.
    public init(standardInput: Void = ()) {
        self.reader = BoundedLineReader(descriptor: 0, limit: maximumLineLength)
        self.ownsDescriptor = false
        self.name = "<stdin>"
        self.path = nil
        self.directory = "."
    }

    deinit {
        if ownsDescriptor { close(reader.descriptor) }
    }

    public func readLine() -> SourceLine? {
        guard let line = reader.next() else { return nil }
        lineNumber += 1
        switch line {
        case .text(var bytes):
            if lineNumber == 1, bytes.starts(with: [0xef, 0xbb, 0xbf]) { bytes.removeFirst(3) }  // a UTF-8 BOM
            while let last = bytes.last, last == 0x0d { bytes.removeLast() }
            return SourceLine(text: String(decoding: bytes, as: UTF8.self), number: lineNumber)
        case .overlong(let length, let continues):
            // The text only keeps whether the line continues (see `ScriptRunner.readLogicalLine`).
            return SourceLine(text: continues ? "\\" : "", number: lineNumber, problem: .lineTooLong(bytes: length))
        case .failed(let code):
            let problem = ShellError.cannotRead(path: name, reason: String(cString: strerror(code)))
            return SourceLine(text: "", number: lineNumber, problem: problem)
        }
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }
}

/// The `-c` commands, in order. Each `-c` may hold several lines, each a command as in a script.
/// A one-line `-c` is "line" N of `-c` in messages (`-c:N:`); line L of a `-c` that has several
/// is `-c:N:L:`. A continuation never crosses from one `-c` into the next.
public struct CommandsLineSource: LineSource {
    public let directory = "."
    private let commands: [String]
    private var current = 0
    private var lines: [Substring] = []
    private var nextLine = 0

    public init(_ commands: [String]) {
        self.commands = commands
    }

    public var name: String { lines.count > 1 ? "-c:\(current)" : "-c" }

    public mutating func readLine() -> SourceLine? {
        while nextLine >= lines.count {
            guard nextCommand() else { return nil }
        }
        return readContinuationLine()
    }

    /// The next line of the current `-c` only.
    public mutating func readContinuationLine() -> SourceLine? {
        guard nextLine < lines.count else { return nil }
        nextLine += 1
        let text = lines[nextLine - 1]
        let number = lines.count > 1 ? nextLine : current
        if text.utf8.count > maximumLineLength {
            let continues = ScriptRunner.endsWithContinuation(String(text))
            return SourceLine(text: continues ? "\\" : "", number: number,
                              problem: .lineTooLong(bytes: text.utf8.count))
        }
        return SourceLine(text: String(text), number: number)
    }

    /// Moves on to the next `-c`; false when there is none.
    private mutating func nextCommand() -> Bool {
        guard current < commands.count else { return false }
        current += 1
        // "\r\n" is one Character in Swift: both it and "\n" end a line.
        lines = commands[current - 1].split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        nextLine = 0
        return true
    }
}
