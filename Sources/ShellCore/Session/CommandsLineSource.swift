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

    public mutating func readLine() async -> SourceLine? {
        while nextLine >= lines.count {
            guard nextCommand() else { return nil }
        }
        return nextLineOfCommand()
    }

    public mutating func readContinuationLine() async -> SourceLine? {
        nextLineOfCommand()
    }

    /// The next line of the current `-c` only.
    private mutating func nextLineOfCommand() -> SourceLine? {
        guard nextLine < lines.count else { return nil }
        nextLine += 1
        let text = lines[nextLine - 1]
        let number = lines.count > 1 ? nextLine : current
        if text.utf8.count > maximumLineLength {
            let continues = ScriptRunner.endsWithContinuation(String(text))
            return SourceLine(
                text: continues ? "\\" : "",
                number: number,
                problem: .lineTooLong(bytes: text.utf8.count)
            )
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
