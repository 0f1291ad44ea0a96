// The values the store protocol (`KeyValueStore`) reads and answers with.

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
    /// The page's key-values. A page read from etcd v3 holds them as the message's bytes
    /// (`RawKeyValues`): reading `pairs` then makes every `KeyValue`, so a reader of many pages
    /// uses `count`, `lastKey` and `forEachPair` instead (and the index reads the bytes in place).
    public var pairs: [KeyValue] {
        get { raw?.keyValues ?? storedPairs }
        set {
            storedPairs = newValue
            raw = nil
        }
    }
    private var storedPairs: [KeyValue]
    /// The page as etcd v3 sent it, when it came that way.
    public private(set) var raw: RawKeyValues?
    public var more: Bool
    /// The store revision the page was read at.
    public var revision: Int64
    /// How many keys the whole range holds from this page's start on (etcd's `count`).
    public var remaining: Int64
    public var clusterID: UInt64
    /// Set on a scan's page when the store read the range again from its start: every page before
    /// this one is to be dropped (etcd v2's read child by child, given up under change).
    public var startsOver = false

    public init(pairs: [KeyValue], more: Bool, revision: Int64, remaining: Int64 = 0, clusterID: UInt64 = 0) {
        self.storedPairs = pairs
        self.more = more
        self.revision = revision
        self.remaining = remaining
        self.clusterID = clusterID
    }

    public init(raw: RawKeyValues, more: Bool, revision: Int64, remaining: Int64, clusterID: UInt64) {
        self.init(pairs: [], more: more, revision: revision, remaining: remaining, clusterID: clusterID)
        self.raw = raw
    }

    /// About how many bytes the page holds: its message's, or its keys' and values'.
    public var byteCount: Int {
        raw?.byteCount ?? storedPairs.reduce(0) { $0 + $1.key.utf8.count + $1.value.count }
    }

    /// How many key-values the page holds.
    public var count: Int { raw?.count ?? storedPairs.count }
    public var isEmpty: Bool { count == 0 }

    /// Runs `body` on the key and value bytes of pair `index`, read in place when the page came as
    /// bytes.
    func withPair<Result>(
        at index: Int,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Result
    ) -> Result {
        if let raw { return raw.withPair(at: index) { key, value, _ in body(key, value) } }
        let pair = storedPairs[index]
        return KeyText.withBytes(pair.key) { key in
            pair.value.withUnsafeBytes { value in body(UnsafeRawBufferPointer(key), value) }
        }
    }

    /// The last key of the page (where the next page starts after).
    public var lastKey: String? {
        if let raw { return raw.count == 0 ? nil : raw.key(at: raw.count - 1) }
        return storedPairs.last?.key
    }

    /// The keys, in order.
    public var keys: [String] {
        if let raw { return (0..<raw.count).map(raw.key(at:)) }
        return storedPairs.map(\.key)
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.pairs == b.pairs && a.more == b.more && a.revision == b.revision && a.remaining == b.remaining
            && a.clusterID == b.clusterID && a.startsOver == b.startsOver
    }
}
