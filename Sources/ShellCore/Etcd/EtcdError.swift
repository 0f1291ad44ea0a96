/// What can go wrong talking to etcd, each with a one-line message for an operator.
public enum EtcdError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No configured member answered within the dial timeout.
    case unreachable(endpoints: [String], seconds: Double)
    /// A call was sent but not answered in time.
    case timeout(operation: String)
    case permissionDenied(operation: String)
    case authenticationFailed(user: String)
    /// Compare-and-swap kept losing against other writers for `seconds` (callers retry until then).
    case contended(key: String, seconds: Double)
    /// The history a read or watch needed was compacted away (the index reloads): everything before
    /// `revision` is gone. From a watch, `revision` is etcd's compact revision; from a read at a
    /// revision etcd names none, so it is the first one after the revision that was asked for.
    case compacted(revision: Int64)
    /// etcd answered with an error not listed above.
    case server(operation: String, message: String)
    /// The call was cut off while in flight (cancelled by the client or the server): a write sent
    /// this way may or may not have been applied.
    case interrupted(operation: String, message: String)
    /// Bad `--endpoints`, `ETCD_*` variables, TLS files or credentials.
    case configuration(String)
    /// The watch stream ended; the synchronizer resumes it.
    case watchEnded(String)
    /// The TLS handshake with a member failed (untrusted certificate, client certificate wanted).
    case tlsRefused(endpoint: String, reason: String)
    /// etcd's answer was larger than the client takes (`EtcdConfiguration.maximumAnswerBytes`): a
    /// read of everything in one page falls back to pages.
    case answerTooLarge(operation: String)

    /// Whether a write that failed this way may still have been applied (the connection broke
    /// while it was in flight): the caller must re-read to know.
    public var outcomeUnknown: Bool {
        switch self {
        case .unreachable, .timeout, .interrupted: return true
        case .permissionDenied, .authenticationFailed, .contended, .compacted, .server, .configuration,
            .watchEnded, .tlsRefused, .answerTooLarge:
            return false
        }
    }

    public var description: String {
        switch self {
        case .unreachable(let endpoints, let seconds):
            return
                "cannot reach etcd at \(endpoints.joined(separator: ", ")) (no answer within \(Self.format(seconds)) s)"
        case .timeout(let operation):
            return "etcd did not answer \(operation) in time"
        case .permissionDenied(let operation):
            return "permission denied for \(operation): the etcd user's roles do not allow it"
        case .authenticationFailed(let user):
            return "etcd authentication failed for user '\(user)': wrong user name or password"
        case .contended(let key, let seconds):
            return "\(key) kept being changed by other writers for \(Self.format(seconds)) s; nothing was written"
        case .compacted(let revision):
            return "etcd history before revision \(revision) was compacted"
        case .server(let operation, let message), .interrupted(let operation, let message):
            // The wording an interrupted call always had, kept so that scripts see the same line.
            return "etcd refused \(operation): \(message)"
        case .configuration(let message):
            return message
        case .watchEnded(let message):
            return "etcd watch ended: \(message)"
        case .tlsRefused(let endpoint, let reason):
            return "TLS handshake with \(endpoint) failed: \(reason)"
        case .answerTooLarge(let operation):
            return "etcd's answer to \(operation) is larger than this client takes"
        }
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}
