/// A compare-and-swap over any number of keys.
public struct Transaction: Equatable, Sendable {
    public enum Compare: Equatable, Sendable {
        /// The key's `mod_revision` equals this (0: the key does not exist).
        case modRevision(key: String, equals: Int64)
        /// At least one key starts with `prefix` (a profile exists while it has any key).
        case exists(prefix: String)
    }

    public enum Operation: Equatable, Sendable {
        case put(key: String, value: [UInt8])
        case delete(key: String)

        public var key: String {
            switch self {
            case .put(let key, _), .delete(let key): return key
            }
        }
    }

    public var compares: [Compare]
    public var operations: [Operation]

    public init(compares: [Compare] = [], operations: [Operation]) {
        self.compares = compares
        self.operations = operations
    }
}

public struct TransactionResult: Equatable, Sendable {
    public var succeeded: Bool
    public var revision: Int64

    public init(succeeded: Bool, revision: Int64) {
        self.succeeded = succeeded
        self.revision = revision
    }
}
