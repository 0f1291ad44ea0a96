import GRPCCore

/// Turns gRPC failures into `EtcdError`s an operator can act on. This is the one place that decides
/// what a failure means (unreachable, interrupted, compacted…); callers look at the cases, never at
/// the text.
enum ErrorMapping {
    enum Mapped {
        case error(EtcdError)
        /// etcd's simple tokens expire (300 s by default): authenticate again and retry once.
        case tokenExpired

        var error: EtcdError {
            switch self {
            case .error(let error): return error
            case .tokenExpired: return .server(operation: "the call", message: "the auth token expired")
            }
        }
    }

    /// `revision` is the one the failed call asked for (0: none, or the current one): etcd's
    /// "required revision has been compacted" names no revision, so a compaction reports the
    /// first revision known to be still there.
    static func map(
        _ error: any Error,
        operation: String,
        revision: Int64 = 0,
        configuration: EtcdConfiguration
    ) -> Mapped {
        if let error = error as? EtcdError { return .error(error) }
        guard let rpc = error as? RPCError else {
            return .error(.server(operation: operation, message: String(describing: error)))
        }
        let message = rpc.message.replacingOccurrences(of: "etcdserver: ", with: "")
        let timeout = configuration.dialTimeout.components
        let unreachable = EtcdError.unreachable(
            endpoints: configuration.endpoints.map(\.description),
            seconds: Double(timeout.seconds) + Double(timeout.attoseconds) / 1e18
        )
        // gRPC's own refusal of a message over the call's limit (`maximumAnswerBytes`): the transport
        // reports it while decoding ("Failed to decode message resourceExhausted: Message has exceeded
        // the configured maximum payload size ...") under whichever code its decoding failure has.
        if rpc.code == .resourceExhausted || message.contains("exceeded the configured maximum payload size") {
            return .error(.answerTooLarge(operation: operation))
        }
        switch rpc.code {
        case .unavailable, .deadlineExceeded:
            return .error(unreachable)
        case .permissionDenied:
            return .error(.permissionDenied(operation: operation))
        case .unauthenticated where message.contains("invalid auth token"):
            return .tokenExpired
        case .outOfRange where message.contains("compacted"):
            // The revision asked for is gone, so history up to it at least was compacted.
            return .error(.compacted(revision: max(revision, 0) + 1))
        case .invalidArgument where message.contains("user name is empty"):
            return .error(.configuration("etcd requires authentication: give --user (or set ETCD_USERNAME)"))
        case .cancelled:
            // Cut off in flight (by us or by the server): a write may or may not have been applied.
            return .error(.interrupted(operation: operation, message: "cancelled"))
        default:
            return .error(.server(operation: operation, message: message))
        }
    }
}
