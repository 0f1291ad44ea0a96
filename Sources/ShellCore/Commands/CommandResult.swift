/// What a command printed: its output for stdout and any warnings for stderr (bad data it skipped).
public struct CommandResult: Equatable, Sendable {
    public var output: String
    public var warnings: [String]
    /// Set when the command wrote nothing yet and asks first (a large bulk edit at the terminal):
    /// `output` is the plan's total, this the question; a yes runs the command again with `--yes`.
    public var question: String?

    public init(output: String = "", warnings: [String] = [], question: String? = nil) {
        self.output = output
        self.warnings = warnings
        self.question = question
    }
}
