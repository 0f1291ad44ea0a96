import ArgumentParser
import ShellCore

#if canImport(Glibc)
import Glibc
#endif

/// `calico-shell`'s command line. Parsing only: `ShellMain` runs it. A `ParsableCommand` (not just
/// arguments) so that help and usage take the program's name from `configuration`.
struct CalicoShellOptions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calico-shell",
        abstract: "A fast, scriptable shell for Calico network endpoints stored in etcd.",
        discussion: """
            With no SCRIPT and no -c, commands are read from the terminal (with line editing, history and \
            TAB completion) or, when stdin is not a terminal, from stdin. Try 'help' and 'endpoint --help'.

            Environment: ETCD_ENDPOINTS, ETCD_AUTHORITY and ETCD_SCHEME (calicoctl), ETCD_CA_CERT_FILE, \
            ETCD_CERT_FILE, ETCD_KEY_FILE, ETCD_USERNAME, ETCD_PASSWORD, DATASTORE_TYPE, XDG_STATE_HOME.

            Settings come from flags, then the environment, then calicoctl's config file (--config, default \
            /etc/calico/calicoctl.cfg when it exists), then defaults; --show-config shows which.

            Exit status: 0 when every command succeeded, 1 when a command failed (or output could not be \
            written), 2 for bad arguments. An interactive session ends with 0 (Ctrl-D, quit) or N (exit N).
            """,
        version: ProductVersion.description
    )

    @Argument(help: ArgumentHelp("A script of calico-shell commands to run (also: -f).", valueName: "SCRIPT"))
    var script: String?

    @Option(name: .customShort("f"), help: ArgumentHelp("Run the commands in FILE.", valueName: "FILE"))
    var file: String?

    @Option(
        name: .customShort("c"),
        help: ArgumentHelp("Run COMMAND; may be repeated and runs in order.", valueName: "COMMAND"),
        completion: .custom(CommandTextCompletion.candidates)
    )
    var commands: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp(
            "etcd members, comma-separated (default: $ETCD_ENDPOINTS, else $ETCD_SCHEME://$ETCD_AUTHORITY, "
                + "else http://127.0.0.1:2379).",
            valueName: "URL[,URL...]"
        )
    )
    var endpoints: String?

    @Option(
        name: [.customShort("C"), .long],
        help: ArgumentHelp(
            "calicoctl's config file (default: /etc/calico/calicoctl.cfg when it exists).",
            valueName: "FILE"
        )
    )
    var config: String?

    @Flag(name: .long, help: "Print each connection setting and where it came from (flag, env, file, default); exit.")
    var showConfig = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Which etcd API holds the data: etcdv3 or etcdv2 (or $DATASTORE_TYPE); detected when not given.",
            valueName: "etcdv3|etcdv2"
        )
    )
    var datastore: String?

    @Option(name: .long, help: ArgumentHelp("Key prefix of the Calico data.", valueName: "PREFIX"))
    var prefix: String = "/calico/v1"

    // Numbers are taken as they come (`.unconditional`): `-1` is a bad value, not a missing one.
    @Option(
        name: .long,
        parsing: .unconditional,
        help: ArgumentHelp(
            "Seconds to wait for etcd to answer before giving up (0.001 to 3600).",
            valueName: "SECONDS"
        )
    )
    var dialTimeout: Double = 5

    @Option(
        name: .long,
        parsing: .unconditional,
        help: ArgumentHelp(
            "Keys per etcd Range request while loading the endpoint index with values (1 to 1000000).",
            valueName: "N"
        )
    )
    var pageSize: Int = 50_000

    @Option(
        name: .long,
        help: ArgumentHelp(
            "CA certificate to verify etcd's server certificate (or $ETCD_CA_CERT_FILE).",
            valueName: "FILE"
        )
    )
    var cacert: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Client certificate for mutual TLS (or $ETCD_CERT_FILE).", valueName: "FILE")
    )
    var cert: String?

    @Option(name: .long, help: ArgumentHelp("Client key for mutual TLS (or $ETCD_KEY_FILE).", valueName: "FILE"))
    var key: String?

    @Flag(name: .long, help: "Do not verify etcd's server certificate (insecure; a warning is printed).")
    var insecureSkipTlsVerify = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "etcd user, optionally with its password (or $ETCD_USERNAME); asks for the password when interactive.",
            valueName: "USER[:PASSWORD]"
        )
    )
    var user: String?

    @Option(name: .long, help: ArgumentHelp("Password of the etcd user (or $ETCD_PASSWORD).", valueName: "PASSWORD"))
    var password: String?

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Result format.", valueName: "table|json"))
    var output: OutputFormat = .table

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Read consistency, as etcdctl's: l (linearizable: every read asks etcd where it stands first) or "
                + "s (serializable: reads and completion answer from the watched index, no round trip). "
                + "Edits are linearizable either way.",
            valueName: "l|s"
        )
    )
    var consistency: ReadConsistency = .linearizable

    @Flag(name: .long, help: "Run every command even after one fails (the exit status is still 1).")
    var continueOnError = false

    @Flag(
        name: .long,
        help: ArgumentHelp(
            "All or nothing: stage every edit and commit them at the end as one etcd transaction; "
                + "if any command fails, nothing is written."
        )
    )
    var atomic = false

    @Flag(
        name: .long,
        help: ArgumentHelp(
            "Write nothing: reads run, edits are staged (later lines see them), and the plan is printed at "
                + "the end: each endpoint that would change, its profiles before (-) and after (+), and the totals."
        )
    )
    var dryRun = false

    @Flag(name: .long, help: "Print each command, prefixed with '> ', before its output.")
    var echo = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Where interactive history is kept (default: $XDG_STATE_HOME/calico-shell/history).",
            valueName: "FILE"
        )
    )
    var historyFile: String?

    @Flag(name: .long, help: "Keep no interactive history.")
    var noHistory = false

    @Flag(name: .long, help: "Show progress on stderr (index loading, bulk edits) even when not interactive.")
    var progress = false

    func validate() throws {
        // An unknown option must be reported as such, not as a conflict its stray value caused.
        if Self.onlyLookingForUnknownOptions { return }
        if script != nil && file != nil {
            throw ValidationError("Give the script either as SCRIPT or with -f, not both.")
        }
        if (script != nil || file != nil) && !commands.isEmpty {
            throw ValidationError("Give either a script or -c commands, not both.")
        }
        try NumericOption.check("--dial-timeout", dialTimeout, in: 0.001...3600, unit: "seconds")
        try NumericOption.check("--page-size", pageSize, in: 1...1_000_000)
    }
}

extension OutputFormat: ExpressibleByArgument {}
extension ReadConsistency: ExpressibleByArgument {}
