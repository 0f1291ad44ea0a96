/// The parsed form of one line: what the executor runs. Every value in it has been validated, so no etcd
/// key is ever built from unchecked input.
public enum Command: Equatable, Sendable {
    /// The reference page's commands, run by the `Executor`.
    case endpoint(EndpointCommand)
    /// `help [TOPIC]`, `endpoint --help`
    case help(topic: String?)
    /// `source FILE`: run another script, relative to the folder of the one that says it.
    case source(path: String)
    /// `exit [N]` / `quit`
    case exit(status: Int32)
    /// `echo TEXT...`
    case echo(String)
    /// `set output table|json`
    case setOutput(OutputFormat)
    /// `set consistency l|s`
    case setConsistency(ReadConsistency)
    /// `complete LINE`: the completion candidates for the last word of LINE, one per line.
    case complete(line: String)
    /// A blank line or a comment.
    case nothing
}

/// `endpoint …`: what the `Executor` runs against the index and etcd.
public enum EndpointCommand: Equatable, Sendable {
    /// `endpoint show [filters] [--detailed [--wide]]`
    case showEndpoints(EndpointFilter, detailed: Bool, wide: Bool = false)
    /// `endpoint watch [filters] [--count=N] [--timeout=SECONDS]`
    case watch(EndpointFilter, limits: WatchLimits)
    /// `endpoint <ID> profile show [filters]` (the filter's `endpoint` is the ID)
    case showProfiles(EndpointFilter)
    /// `endpoint <ID> profile (append|remove|set) [filters] [<PROFILES>...]`
    case editProfiles(EndpointFilter, ProfileAction, [String], EditFlags = EditFlags())
    /// `endpoint '<PATTERN>' profile (append|remove|set) [filters] [<PROFILES>...]`: every match.
    case bulkEditProfiles(EndpointFilter, ProfileAction, [String], EditFlags = EditFlags())
}

/// The flags of a profile edit.
public struct EditFlags: Equatable, Sendable {
    /// `--dry-run`: print the plan, write nothing.
    public var dryRun = false
    /// `--yes`: a bulk edit at the terminal applies without asking.
    public var yes = false
    /// `--detailed`: a bulk edit prints a row per selected endpoint.
    public var detailed = false

    public init(dryRun: Bool = false, yes: Bool = false, detailed: Bool = false) {
        self.dryRun = dryRun
        self.yes = yes
        self.detailed = detailed
    }
}

extension Command {
    public static func showEndpoints(_ filter: EndpointFilter, detailed: Bool, wide: Bool = false) -> Command {
        .endpoint(.showEndpoints(filter, detailed: detailed, wide: wide))
    }

    public static func showProfiles(_ filter: EndpointFilter) -> Command { .endpoint(.showProfiles(filter)) }

    public static func editProfiles(_ filter: EndpointFilter, _ action: ProfileAction, _ names: [String]) -> Command {
        .endpoint(.editProfiles(filter, action, names))
    }
}
