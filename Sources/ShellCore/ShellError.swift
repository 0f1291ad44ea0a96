/// Every failure a command can end with, each with a one-line message for a human.
///
/// The messages that the reference page prints (`Endpoint X is unknown to Calico.`) are reproduced
/// exactly; everything else says what went wrong and, where it helps, what to do.
public enum ShellError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The line could not be split into words (an unterminated quote).
    case syntax(String)
    /// A logical line (continuations included) over `maximumLineLength` bytes, refused unread.
    case lineTooLong(bytes: Int)
    /// The input ended right after a continuation backslash.
    case unterminatedContinuation
    /// The words do not fit the grammar; the message says what was expected.
    case usage(String)
    /// A value that cannot be used to build an etcd key or a profile list.
    case invalidValue(String)
    case endpointUnknown(String)
    /// Several endpoints match: the first few (`EndpointLookup.namedMatches`) and how many in all.
    case endpointAmbiguous(matches: [EndpointKey], total: Int)
    case profileNotFound(String)
    /// A script-level failure: `source` cycles, unreadable files, `--atomic` limits.
    case script(String)
    case etcd(EtcdError)
    /// The command was interrupted (Ctrl-C).
    case cancelled
    /// A `source`d script failed and has reported its own `FILE:LINE:` error already.
    case nestedFailure

    public var description: String {
        switch self {
        case .syntax(let message): return "syntax error: \(message)"
        case .lineTooLong(let bytes):
            return "syntax error: line is \(bytes) bytes long; the limit is \(maximumLineLength)"
        case .unterminatedContinuation:
            return "syntax error: unterminated continuation: the input ends with a backslash"
        case .usage(let message): return message
        case .invalidValue(let message): return message
        case .endpointUnknown(let id): return "Endpoint \(DisplayEscaping.visible(id)) is unknown to Calico."
        case .endpointAmbiguous(let matches, let total):
            // calicoctl's sentence, then which endpoints matched, so the user sees which filter to add.
            let named = matches.map { key in
                "--host=\(DisplayEscaping.visible(key.host)) "
                    + "--orchestrator=\(DisplayEscaping.visible(key.orchestrator)) "
                    + "--workload=\(DisplayEscaping.visible(key.workload))"
            }
            let more = total > matches.count ? "; and \(total - matches.count) more" : ""
            return "More than 1 endpoint matches the provided criteria. Please provide additional parameters to "
                + "refine the search. It matches \(named.joined(separator: "; "))\(more)."
        case .profileNotFound(let name): return "Profile with name \(DisplayEscaping.visible(name)) was not found."
        case .script(let message): return message
        case .etcd(let error): return error.description
        case .cancelled: return "cancelled"
        case .nestedFailure: return "the sourced script failed"
        }
    }
}
