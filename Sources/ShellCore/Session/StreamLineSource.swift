#if canImport(Glibc)
import Glibc
#endif

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

    public func readLine() async -> SourceLine? {
        guard let line = await reader.next() else { return nil }
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
