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

    public init(
        continueOnError: Bool = false,
        echo: Bool = false,
        format: OutputFormat = .table,
        atomic: Bool = false,
        consistency: ReadConsistency = .linearizable
    ) {
        self.continueOnError = continueOnError
        self.echo = echo
        self.format = format
        self.atomic = atomic
        self.consistency = consistency
    }
}
