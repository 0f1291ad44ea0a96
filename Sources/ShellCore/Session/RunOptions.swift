/// How a run behaves, from the command line.
public struct RunOptions: Sendable {
    /// Go on after a failing command (the run still exits 1). Off by default: a script stops at its
    /// first error, as `psql -v ON_ERROR_STOP=1` and `sqlite3 -bail` do.
    public var continueOnError = false
    /// Print each command (prefixed with `> `) before its output, for logs.
    public var echo = false
    public var format = OutputFormat.table
    /// Stage every edit and commit them all at the end in one transaction, or nothing.
    public var atomic = false
    /// Whether reads ask etcd where it stands first (`--consistency`, `set consistency`).
    public var consistency = ReadConsistency.linearizable
    /// `--dry-run`: stage every edit (later lines see it), write nothing, print the plan at the end.
    public var dryRun = false
    /// Plans in colour: standard output is a terminal (and `NO_COLOR` is not set).
    public var colour = false
    /// A bulk edit's progress bar on stderr also in scripts (stderr is a terminal, or `--progress`);
    /// typed at the terminal it always shows.
    public var progress = false

    public init(
        continueOnError: Bool = false,
        echo: Bool = false,
        format: OutputFormat = .table,
        atomic: Bool = false,
        consistency: ReadConsistency = .linearizable,
        dryRun: Bool = false,
        colour: Bool = false,
        progress: Bool = false
    ) {
        self.continueOnError = continueOnError
        self.echo = echo
        self.format = format
        self.atomic = atomic
        self.consistency = consistency
        self.dryRun = dryRun
        self.colour = colour
        self.progress = progress
    }
}
