import GRPCCore

/// Turns gRPC failures into `EtcdError`s an operator can act on.
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

    static func map(_ error: any Error, operation: String, configuration: EtcdConfiguration) -> Mapped {
        if let error = error as? EtcdError { return .error(error) }
        guard let rpc = error as? RPCError else {
            return .error(.server(operation: operation, message: String(describing: error)))
        }
        let message = rpc.message.replacingOccurrences(of: "etcdserver: ", with: "")
        let unreachable = EtcdError.unreachable(
            endpoints: configuration.endpoints.map(\.description),
            seconds: Double(configuration.dialTimeout.components.seconds) + Double(configuration.dialTimeout.components.attoseconds) / 1e18)
        switch rpc.code {
        case .unavailable, .deadlineExceeded:
            return .error(unreachable)
        case .permissionDenied:
            return .error(.permissionDenied(operation: operation))
        case .unauthenticated where message.contains("invalid auth token"):
            return .tokenExpired
        case .outOfRange where message.contains("compacted"):
            return .error(.compacted(revision: 0))
        case .invalidArgument where message.contains("user name is empty"):
            return .error(.configuration("etcd requires authentication: give --user (or set ETCD_USERNAME)"))
        case .cancelled:
            return .error(.server(operation: operation, message: "cancelled"))
        default:
            return .error(.server(operation: operation, message: message))
        }
    }
}
