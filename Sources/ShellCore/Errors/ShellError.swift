/// Every failure a command can end with, as data: each case carries the values involved, and
/// `ErrorMessages.swift` turns them into the one line a user reads. Callers match on cases, never
/// on message text.
public enum ShellError: Error, Equatable, Sendable, CustomStringConvertible {
    // Reading a line
    /// A quote opened and not closed on the line.
    case unterminatedQuote(single: Bool)
    /// A logical line (continuations included) over `maximumLineLength` bytes, refused unread.
    case lineTooLong(bytes: Int)
    /// The input ended right after a continuation backslash.
    case unterminatedContinuation

    /// The words do not fit the grammar.
    case usage(UsageError)

    // Values checked before anything is sent
    /// A host, orchestrator, workload or endpoint ID that cannot be a part of an etcd key.
    case invalidIdentifier(String, kind: IdentifierKind)
    /// A profile name to add that breaks Calico's naming rule.
    case invalidProfileName(String)
    case repeatedProfile(String)
    /// `--address` that is not an IPv4/IPv6 address or network.
    case invalidAddress(String, reason: IPNetwork.ParseError)
    /// `--state` other than active or inactive.
    case invalidState(String)
    /// `--mac` that is not six hex bytes separated by ':' or '-'.
    case invalidMAC(String)
    /// `--count` that is not a positive whole number.
    case invalidCount(String)
    /// `--timeout` that is not a positive number of seconds.
    case invalidTimeout(String)

    // What etcd holds
    case endpointUnknown(String)
    /// Several endpoints match: the first few (`EndpointLookup.namedMatches`) and how many in all.
    case endpointAmbiguous(matches: [EndpointKey], total: Int)
    case profileNotFound(String)
    /// An endpoint's value cannot be read or rewritten; it is left as it is.
    case malformedValue(endpoint: String, key: String, reason: String)

    // Scripts
    /// A script (or `source` target) that cannot be opened or read.
    case cannotRead(path: String, reason: String)
    /// `source` of a script that is already running further up.
    case sourceCycle(path: String, chain: [String])
    /// `--atomic`: the staged edits cannot be committed; nothing was written.
    case atomic(AtomicFailure)
    /// A `source`d script failed and has reported its own `FILE:LINE:` error already.
    case nestedFailure
    /// A bulk edit stopped at a failed chunk after `changed` endpoints were written.
    indirect case bulkStopped(changed: Int, cause: ShellError)

    case etcd(EtcdError)
    /// The command was interrupted (Ctrl-C).
    case cancelled

    /// Which key part an identifier is, for the message.
    public enum IdentifierKind: String, Sendable {
        case hostname = "hostname"
        case orchestrator = "orchestrator ID"
        case workload = "workload ID"
        case endpoint = "endpoint ID"
        case interface = "interface name"
    }
}
