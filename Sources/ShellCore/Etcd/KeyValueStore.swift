/// What calico-shell needs from its datastore, as a small protocol: `GRPCEtcdClient` talks to a real
/// etcd (v3 API); an in-memory double (in the ShellTesting target) serves unit tests of the logic
/// above it. Keys and values are bytes on the wire; keys are UTF-8 strings here because every
/// Calico key is.
///
/// Written so that a store without etcd v3's every feature can implement it: revisions are the
/// store's change counter (etcd v2's index), a range at a past revision may be refused with
/// `EtcdError.compacted`, and a store without multi-key transactions may refuse a transaction of
/// several operations. Errors are `EtcdError`s, so that callers can tell an unknown outcome
/// (`outcomeUnknown`) from a refusal.
public protocol KeyValueStore: Sendable {
    /// One page of `[start, end)` at `revision` (0: the current one), at most `limit` keys (0: all);
    /// with `keysOnly` the values come back empty.
    func range(
        from start: String,
        to end: String,
        revision: Int64,
        limit: Int64,
        keysOnly: Bool
    ) async throws
        -> RangePage
    /// One key, linearizable.
    func get(_ key: String) async throws -> KeyValue?
    /// The cluster's identity and current revision, learnt with one cheap linearizable request that
    /// reads only `key` (so a user allowed to read just the Calico prefix can make it).
    func position(readingKey key: String) async throws -> StorePosition
    /// Applies `operations` if every compare holds; one revision for all of them.
    func commit(_ transaction: Transaction) async throws -> TransactionResult
    /// Events under `prefix` from `startRevision` on, in revision order, until cancelled.
    /// The stream ends with `EtcdError.compacted` when that revision is gone.
    func watch(prefix: String, startRevision: Int64) -> WatchSubscription
    /// The server's version and the current revision, for the interactive banner.
    func status() async throws -> StoreStatus
    /// Closes the store's connections; calls still running get a short grace, then fail. Nothing may
    /// be called after it.
    func shutdown() async
    /// Whether a range is read whole whatever the limit, so that paging it only repeats the work
    /// (etcd's v2 API has no paging). Added for the v2 store; defaults to false.
    var readsWholeRanges: Bool { get }
}

/// What the interactive banner says about the store: `etcd 3.4.23 at …`.
public struct StoreStatus: Equatable, Sendable {
    /// The server's version as it reports it (`3.4.23`).
    public var version: String
    public var revision: Int64

    public init(version: String, revision: Int64) {
        self.version = version
        self.revision = revision
    }
}

public struct KeyValue: Equatable, Sendable {
    public var key: String
    public var value: [UInt8]
    public var modRevision: Int64

    public init(key: String, value: [UInt8], modRevision: Int64) {
        self.key = key
        self.value = value
        self.modRevision = modRevision
    }
}

/// Which history a store answers from, and how far it has got. etcd puts both in every response
/// header: a cluster ID that changes, or a revision that goes back, means etcd was replaced (wiped,
/// restored from a snapshot, or another cluster behind the same URL) and every cached fact is void.
public struct StorePosition: Equatable, Sendable {
    public var clusterID: UInt64
    public var revision: Int64

    public init(clusterID: UInt64, revision: Int64) {
        self.clusterID = clusterID
        self.revision = revision
    }
}

public struct RangePage: Equatable, Sendable {
    public var pairs: [KeyValue]
    public var more: Bool
    /// The store revision the page was read at.
    public var revision: Int64
    /// How many keys the whole range holds from this page's start on (etcd's `count`).
    public var remaining: Int64
    public var clusterID: UInt64

    public init(pairs: [KeyValue], more: Bool, revision: Int64, remaining: Int64 = 0, clusterID: UInt64 = 0) {
        self.pairs = pairs
        self.more = more
        self.revision = revision
        self.remaining = remaining
        self.clusterID = clusterID
    }
}

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

public struct WatchEvent: Equatable, Sendable {
    public enum Kind: Equatable, Sendable { case put, delete }
    public var kind: Kind
    public var pair: KeyValue

    public init(kind: Kind, pair: KeyValue) {
        self.kind = kind
        self.pair = pair
    }
}

/// A running watch: its batches, and a way to ask etcd where the watch stands now (answered by a
/// batch with no events), which is how a quiet watch proves it is current.
public struct WatchSubscription: Sendable {
    public var batches: AsyncThrowingStream<WatchBatch, any Error>
    public var requestProgress: @Sendable () -> Void
    public var cancel: @Sendable () -> Void

    public init(
        batches: AsyncThrowingStream<WatchBatch, any Error>,
        requestProgress: @escaping @Sendable () -> Void,
        cancel: @escaping @Sendable () -> Void
    ) {
        self.batches = batches
        self.requestProgress = requestProgress
        self.cancel = cancel
    }
}

/// Events from one watch response, and the revision the watch has reached with them: every change up
/// to `revision` under the watched prefixes has been delivered (a progress report has no events).
public struct WatchBatch: Equatable, Sendable {
    public var events: [WatchEvent]
    public var revision: Int64
    /// The answer to the watch's creation: `revision` is then the store's revision at that moment,
    /// not how far the watch has got (a watch started in the past is still catching up).
    public var isCreation: Bool
    /// The cluster that sent the batch (see `StorePosition`).
    public var clusterID: UInt64

    public init(events: [WatchEvent], revision: Int64, isCreation: Bool = false, clusterID: UInt64 = 0) {
        self.events = events
        self.revision = revision
        self.isCreation = isCreation
        self.clusterID = clusterID
    }
}

extension KeyValueStore {
    public var readsWholeRanges: Bool { false }

    /// The current revision, probing a key outside any data (for clients that may read everything).
    public func currentRevision() async throws -> Int64 {
        try await position(readingKey: "\u{0}").revision
    }

    /// Every key under `prefix` at one revision (0: the current one), in pages of `pageSize`,
    /// handed to `onPage` one page at a time (nothing is kept here). Returns the revision read at.
    @discardableResult
    public func scan(
        prefix: String,
        revision: Int64 = 0,
        pageSize: Int64 = 5_000,
        keysOnly: Bool = false,
        onPage: (RangePage) throws -> Void
    ) async throws -> Int64 {
        var start = prefix
        let end = KeyRange.prefixEnd(prefix)
        var revision = revision
        while true {
            let limit = readsWholeRanges ? 0 : pageSize
            let page = try await range(from: start, to: end, revision: revision, limit: limit, keysOnly: keysOnly)
            if revision == 0 { revision = page.revision }
            try onPage(page)
            guard page.more, let last = page.pairs.last else { break }
            start = last.key + "\u{0}"
        }
        return revision
    }

    /// Every key under `prefix` at one revision (0: the current one).
    public func rangeAll(
        prefix: String,
        revision: Int64 = 0,
        pageSize: Int64 = 5_000,
        onPage: (RangePage) throws -> Void = { _ in }
    ) async throws -> (pairs: [KeyValue], revision: Int64) {
        var pairs: [KeyValue] = []
        let revision = try await scan(prefix: prefix, revision: revision, pageSize: pageSize) { page in
            pairs.append(contentsOf: page.pairs)
            try onPage(page)
        }
        return (pairs, revision)
    }
}

public enum KeyRange {
    /// The end of the range holding every key that starts with `prefix`: the prefix with its last
    /// byte incremented (etcd's convention).
    public static func prefixEnd(_ prefix: String) -> String {
        var bytes = KeyText.encode(prefix)
        while let last = bytes.last {
            if last < 0xff {
                bytes[bytes.count - 1] = last + 1
                return KeyText.decode(bytes)
            }
            bytes.removeLast()
        }
        return "\u{0}"
    }
}
