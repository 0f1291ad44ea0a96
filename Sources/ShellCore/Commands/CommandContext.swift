/// What an endpoint command needs to know of the run around it, beyond the command itself.
public struct CommandContext: Sendable {
    public var format: OutputFormat
    public var consistency: ReadConsistency
    /// With `--atomic` or `--dry-run`: edits are staged here instead of written.
    public var staged: StagedEdits?
    /// Plans in colour: the output is a terminal.
    public var colour: Bool
    /// At a terminal: a bulk edit that would change more endpoints than this asks before writing
    /// (unless `--yes`). Nil in scripts and pipes, which never ask.
    public var confirmAbove: Int?
    /// At a terminal: told how many of a bulk edit's endpoints are written, as chunks commit.
    public var progress: (@Sendable (_ written: Int, _ total: Int) -> Void)?

    public init(
        format: OutputFormat = .table,
        consistency: ReadConsistency = .linearizable,
        staged: StagedEdits? = nil,
        colour: Bool = false,
        confirmAbove: Int? = nil,
        progress: (@Sendable (_ written: Int, _ total: Int) -> Void)? = nil
    ) {
        self.format = format
        self.consistency = consistency
        self.staged = staged
        self.colour = colour
        self.confirmAbove = confirmAbove
        self.progress = progress
    }
}
