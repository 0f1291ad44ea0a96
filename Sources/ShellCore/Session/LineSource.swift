#if canImport(Glibc)
import Glibc
#endif

/// One logical line of input and where it came from, for `FILE:LINE:` messages.
public struct SourceLine: Equatable, Sendable {
    public var text: String
    public var number: Int
    /// Set (to the line's length in bytes) when the line was too long to be read as a command.
    public var overlongBytes: Int?

    public init(text: String, number: Int, overlongBytes: Int? = nil) {
        self.text = text
        self.number = number
        self.overlongBytes = overlongBytes
    }
}

/// Where commands come from: a script file, stdin, `-c` arguments or the terminal. One loop
/// (`ScriptRunner`) reads them all; what differs is a property of the source, as in psql.
public protocol LineSource {
    /// The name used in error messages: the script's path, `<stdin>` or `-c`.
    var name: String { get }
    /// The folder `source FILE` is relative to.
    var directory: String { get }
    /// The script file read, if any (for `source` cycle detection).
    var path: String? { get }
    /// The next physical line, without its newline; nil at the end.
    mutating func readLine() -> SourceLine?
}

extension LineSource {
    public var path: String? { nil }
}

/// Lines longer than this are refused (one clear error) rather than parsed.
public let maximumLineLength = 65_536

/// A file or stdin, read one line at a time, so a million-line script runs in constant memory and its
/// first command runs before its last line is read.
public final class StreamLineSource: LineSource {
    public let name: String
    public let directory: String
    public let path: String?
    private let file: UnsafeMutablePointer<FILE>
    private let ownsFile: Bool
    private var lineNumber = 0
    private var buffer: UnsafeMutablePointer<CChar>?
    private var capacity = 0

    /// Opens a script; throws a one-line error if it cannot be read.
    public init(path: String) throws(ShellError) {
        guard let file = fopen(path, "r") else {
            throw .script("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        self.file = file
        self.ownsFile = true
        self.name = path
        self.path = path
        self.directory = StreamLineSource.folder(of: path)
    }

    public init(standardInput: Void = ()) {
        // A FILE of our own on descriptor 0: the C `stdin` global is not concurrency-safe to touch.
        self.file = fdopen(0, "r")
        self.ownsFile = false
        self.name = "<stdin>"
        self.path = nil
        self.directory = "."
    }

    deinit {
        free(buffer)
        if ownsFile { fclose(file) }
    }

    public func readLine() -> SourceLine? {
        let length = getline(&buffer, &capacity, file)
        guard length >= 0, let buffer else { return nil }
        lineNumber += 1
        var count = length
        while count > 0, buffer[count - 1] == 0x0a || buffer[count - 1] == 0x0d { count -= 1 }
        let bytes = UnsafeRawBufferPointer(start: buffer, count: count)
        if count > maximumLineLength {
            return SourceLine(text: "", number: lineNumber, overlongBytes: count)
        }
        return SourceLine(text: String(decoding: bytes, as: UTF8.self), number: lineNumber)
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }
}

/// The `-c` commands, in order; each is "line" N of `-c` in messages.
public struct CommandsLineSource: LineSource {
    public let name = "-c"
    public let directory = "."
    private var commands: [String]
    private var next = 0

    public init(_ commands: [String]) {
        self.commands = commands
    }

    public mutating func readLine() -> SourceLine? {
        guard next < commands.count else { return nil }
        next += 1
        return SourceLine(text: commands[next - 1], number: next)
    }
}
