/// What a command printed: its output for stdout and any warnings for stderr (bad data it skipped).
public struct CommandResult: Equatable, Sendable {
    public var output: String
    public var warnings: [String]

    public init(output: String = "", warnings: [String] = []) {
        self.output = output
        self.warnings = warnings
    }
}
