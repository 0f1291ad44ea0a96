/// The command language, declared once. The parser, the completer, the help text and (through the
/// `complete` builtin) the shell completion scripts all read this; nothing else lists a command
/// word, an option or a verb.
///
///     endpoint show [--host=<HOSTNAME>] [--orchestrator=<ORCHESTRATOR_ID>]
///       [--workload=<WORKLOAD_ID>] [--endpoint=<ENDPOINT_ID>] [--detailed]
///     endpoint <ENDPOINT_ID> profile (append|remove|set) [filters] [<PROFILES>...]
///     endpoint <ENDPOINT_ID> profile show [filters]
///     endpoint watch [filters] [--count=<N>] [--timeout=<SECONDS>]
///
/// Beyond the reference page: the filters `--address`, `--profile`, `--state`, `--mac`,
/// `--interface` (on every form), `fnmatch(3)` patterns in name filters, `--wide`, and `watch`.
///
/// To add an option: one `Option` below (which forms take it, its placeholder, its help line and
/// where completion finds its values), then the field it fills in `EndpointFilter`.
public enum Grammar {
    /// The three shapes of an `endpoint` command; an option says which of them take it.
    public enum EndpointForm: Sendable, CaseIterable {
        /// `endpoint show …`
        case show
        /// `endpoint <ID> profile show …`
        case profileShow
        /// `endpoint <ID> profile (append|remove|set) …`
        case profileEdit
        /// `endpoint watch …`
        case watch

        /// How messages name it.
        public var words: String {
            switch self {
            case .show: return "endpoint show"
            case .profileShow: return "endpoint <ENDPOINT_ID> profile show"
            case .profileEdit: return "endpoint <ENDPOINT_ID> profile (append|remove|set)"
            case .watch: return "endpoint watch"
            }
        }
    }

    /// The forms that filter endpoints: every one.
    static let filtering = Set(EndpointForm.allCases)

    /// Where TAB finds the values of an option: a view of the live index.
    public enum ValueSource: Sendable, Equatable {
        case hostNames, orchestratorNames, workloadIDs, endpointIDs
        /// Profiles that exist or that endpoints carry.
        case profileNames
        /// Addresses and networks of indexed endpoints, by text prefix.
        case addresses
        /// MAC addresses of indexed endpoints.
        case macAddresses
        /// Interface names of indexed endpoints.
        case interfaceNames
        /// A fixed list (`active`, `inactive`), or examples of a number.
        case words([String])
    }

    /// One `--option` of the `endpoint` commands.
    public struct Option: Sendable, Equatable {
        /// `--host`
        public let name: String
        /// `HOSTNAME` in `--host=<HOSTNAME>`; nil for a flag such as `--detailed`.
        public let placeholder: String?
        /// The line `endpoint --help` prints for it (the reference page's words).
        public let summary: String
        public let values: ValueSource?
        public let forms: Set<EndpointForm>

        public var takesValue: Bool { placeholder != nil }
        /// `--host=<HOSTNAME>`, or `--detailed`.
        public var usage: String { placeholder.map { "\(name)=<\($0)>" } ?? name }
        /// What completion inserts for the option itself: `--host=` waits for its value.
        public var completion: String { takesValue ? name + "=" : name }
    }

    public static let options: [Option] = [
        Option(
            name: "--host",
            placeholder: "HOSTNAME",
            summary: "Filters endpoints on a specific host",
            values: .hostNames,
            forms: filtering
        ),
        Option(
            name: "--orchestrator",
            placeholder: "ORCHESTRATOR_ID",
            summary: "Filters endpoints created on a specific orchestrator",
            values: .orchestratorNames,
            forms: filtering
        ),
        Option(
            name: "--workload",
            placeholder: "WORKLOAD_ID",
            summary: "Filters endpoints on a specific workload",
            values: .workloadIDs,
            forms: filtering
        ),
        Option(
            name: "--endpoint",
            placeholder: "ENDPOINT_ID",
            summary: "Filters endpoints with a specific endpoint ID",
            values: .endpointIDs,
            forms: [.show, .watch]
        ),
        Option(
            name: "--detailed",
            placeholder: nil,
            summary: "Show additional information",
            values: nil,
            // On a bulk edit: a row per selected endpoint before the summary line.
            forms: [.show, .profileEdit]
        ),
        // The extensions: filters answered from the index's secondary indexes or the values.
        Option(
            name: "--address",
            placeholder: "ADDRESS",
            summary: "Filters endpoints by IP (in their networks) or CIDR",
            values: .addresses,
            forms: filtering
        ),
        Option(
            name: "--profile",
            placeholder: "PROFILE",
            summary: "Filters endpoints that carry a profile",
            values: .profileNames,
            forms: filtering
        ),
        Option(
            name: "--state",
            placeholder: "STATE",
            summary: "Filters endpoints by state: active or inactive",
            values: .words(EndpointState.allCases.map(\.rawValue)),
            forms: filtering
        ),
        Option(
            name: "--mac",
            placeholder: "MAC",
            summary: "Filters endpoints by MAC address (any case, ':' or '-')",
            values: .macAddresses,
            forms: filtering
        ),
        Option(
            name: "--interface",
            placeholder: "INTERFACE",
            summary: "Filters endpoints by interface name (the 'name' field)",
            values: .interfaceNames,
            forms: filtering
        ),
        Option(
            name: "--wide",
            placeholder: nil,
            summary: "With --detailed: adds the Interface column",
            values: nil,
            forms: [.show]
        ),
        Option(
            name: "--dry-run",
            placeholder: nil,
            summary: "Shows what the edit would change (profiles before and after); writes nothing",
            values: nil,
            forms: [.profileEdit]
        ),
        Option(
            name: "--yes",
            placeholder: nil,
            summary: "Applies a bulk edit at the terminal without asking first",
            values: nil,
            forms: [.profileEdit]
        ),
        Option(
            name: "--count",
            placeholder: "N",
            summary: "Ends the watch after N changes",
            values: .words(["1", "10", "100"]),
            forms: [.watch]
        ),
        Option(
            name: "--timeout",
            placeholder: "SECONDS",
            summary: "Ends the watch after SECONDS seconds",
            values: .words(["10", "60", "300"]),
            forms: [.watch]
        ),
    ]

    /// Options that take a name where `fnmatch(3)` patterns (`*`, `?`, `[...]`) work.
    public static let patternOptions: Set<String> = [
        "--host", "--orchestrator", "--workload", "--endpoint", "--interface",
    ]

    /// `--help` (and `-h`) anywhere after `endpoint` prints the help: not a filter, so not in `options`.
    public static let helpFlags = ["--help", "-h"]

    public static let profileVerbs = ["append", "remove", "set", "show"]

    /// Whether the ID of a profile edit selects many endpoints (a bulk edit): a shell pattern
    /// (`'d50c*'`, `'*'`) does; a plain ID still means exactly one endpoint. `profile show` always
    /// means one endpoint (a pattern matching several is the ambiguity error).
    public static func selectsMany(_ id: String) -> Bool { NamePattern.hasPatternCharacter(id) }

    /// The words that stand where an endpoint ID would: `endpoint show`, `endpoint watch`.
    public static let endpointSubcommands = ["show", "watch"]

    /// What a spelling of an option stands for: the full name or an unambiguous prefix of it, as
    /// docopt allows (`--det` for `--detailed`; at least one letter after `--`).
    public enum OptionMatch: Equatable, Sendable {
        case option(Option)
        case help
        case ambiguous([String])
        case unknown
    }

    public static func option(spelled spelling: String) -> OptionMatch {
        if helpFlags.contains(spelling) { return .help }
        if let exact = options.first(where: { $0.name == spelling }) { return .option(exact) }
        guard spelling.hasPrefix("--"), spelling.count > 2 else { return .unknown }
        let named = options.map(\.name) + ["--help"]
        let matches = named.filter { $0.hasPrefix(spelling) }
        switch matches.count {
        case 0: return .unknown
        case 1: return matches[0] == "--help" ? .help : .option(options.first { $0.name == matches[0] }!)
        default: return .ambiguous(matches)
        }
    }

    /// Every option name, the help flag included (for "expected one of …" and suggestions).
    public static var optionNames: [String] { options.map(\.name) + ["--help"] }

    /// A builtin or the `endpoint` command: its words, its one-line usage and what it does.
    public struct Command: Sendable {
        public let name: String
        /// Other spellings, psql-style (`\q`), accepted and completed like the name.
        public let aliases: [String]
        /// `source FILE`
        public let usage: String
        public let summary: String
        /// Completion words for each argument position (`set output table|json`).
        public let arguments: [ArgumentWords]
    }

    public enum ArgumentWords: Sendable {
        case words([String])
        /// The names of the commands (`help <TAB>`).
        case commandNames
        /// The values of the setting named by the previous word (`set output <TAB>`).
        case settingValues
    }

    /// What `set NAME VALUE` can change, and the values each takes.
    public static let settings: [String: [String]] = [
        "output": OutputFormat.allCases.map(\.rawValue),
        "consistency": ReadConsistency.allCases.map(\.rawValue),
    ]

    /// In the order error messages list them.
    public static let commands: [Command] = [
        Command(
            name: "endpoint",
            aliases: [],
            usage: "endpoint ...",
            summary: "show or change endpoints (see above)",
            arguments: []
        ),
        Command(
            name: "help",
            aliases: ["\\?", "?"],
            usage: "help [COMMAND]",
            summary: "this text, or the help of COMMAND (e.g. help endpoint)",
            arguments: [.commandNames]
        ),
        Command(
            name: "source",
            aliases: ["\\i"],
            usage: "source FILE",
            summary: "run the commands in FILE (relative to the current script)",
            arguments: []
        ),
        Command(name: "echo", aliases: [], usage: "echo TEXT", summary: "print TEXT", arguments: []),
        Command(
            name: "set",
            aliases: [],
            usage: "set output table|json, set consistency l|s",
            summary: "how results are printed; whether reads ask etcd first (l) or not (s)",
            arguments: [.words(settings.keys.sorted()), .settingValues]
        ),
        Command(
            name: "exit",
            aliases: [],
            usage: "exit [N]",
            summary: "leave the shell (with status N)",
            arguments: []
        ),
        Command(name: "quit", aliases: ["\\q"], usage: "quit", summary: "leave the shell", arguments: []),
        Command(
            name: "complete",
            aliases: [],
            usage: "complete LINE",
            summary: "list the completions for the last word of LINE",
            arguments: []
        ),
    ]

    /// The names of every command, in the order of `commands`.
    public static var commandNames: [String] { commands.map(\.name) }

    /// The command a word names (its name or an alias).
    public static func command(named word: String) -> Command? {
        commands.first { $0.name == word || $0.aliases.contains(word) }
    }

    /// A leading `calicoctl` is ignored, so lines pasted from Calico's documentation work.
    public static let ignoredLeadingWord = "calicoctl"

    /// How each form of `endpoint` reads in the help: its words before the options, what follows
    /// them, and what it does.
    public static let formUsage: [(form: EndpointForm, words: String, trailing: String?, summary: String)] = [
        (.show, "endpoint show", nil, "show endpoints: one row per host, or per endpoint with --detailed"),
        (
            .profileEdit, "endpoint <ENDPOINT_ID> profile (append|remove|set)", "[<PROFILES>...]",
            "change the profiles of an endpoint"
        ),
        (.profileShow, "endpoint <ENDPOINT_ID> profile show", nil, "list the profiles of an endpoint"),
        (.watch, "endpoint watch", nil, "print endpoint changes as they happen (Ctrl-C ends it)"),
    ]

    /// `[--host=<HOSTNAME>] [--orchestrator=<ORCHESTRATOR_ID>] …` for the options of `form`.
    public static func optionUsage(for form: EndpointForm) -> [String] {
        options.filter { $0.forms.contains(form) }.map { "[\($0.usage)]" }
    }
}
