/// Why an `--atomic` script's edits were not committed (nothing was written in every case).
public enum AtomicFailure: Equatable, Sendable {
    /// More endpoints than etcd applies in one transaction (`--max-txn-ops`).
    case tooManyEndpoints(limit: Int)
    case profileDeleted(String)
    case endpointDeleted(String)
    case malformedValue(endpoint: String, reason: String)
    /// Other writers kept changing the touched endpoints for the whole retry budget.
    case contended(seconds: Double)
}
