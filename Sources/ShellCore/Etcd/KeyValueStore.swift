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
    /// How many operations one transaction may hold, when the store knows it for sure (etcd's v2
    /// API: one). Nil: as many as the server takes (etcd v3's `--max-txn-ops`, learnt from its refusal).
    var maximumTransactionOperations: Int? { get }
    /// Every key under `prefix`, handed to `onPage` a page at a time in key order (see `scan`). The
    /// default pages through `range`; etcd's v2 store reads a directory child by child.
    func scanRange(
        prefix: String,
        revision: Int64,
        pageSize: Int64,
        keysOnly: Bool,
        onPage: (RangePage) throws -> Void
    ) async throws -> Int64
}

extension KeyValueStore {
    public var readsWholeRanges: Bool { false }
    public var maximumTransactionOperations: Int? { nil }

    /// The current revision, probing a key outside any data (for clients that may read everything).
    public func currentRevision() async throws -> Int64 {
        try await position(readingKey: "\u{0}").revision
    }

    /// Every key under `prefix` at one revision (0: the current one), handed to `onPage` one page at
    /// a time in key order (nothing is kept here). Returns the revision read at. A page that
    /// `startsOver` drops every page before it.
    @discardableResult
    public func scan(
        prefix: String,
        revision: Int64 = 0,
        pageSize: Int64 = 5_000,
        keysOnly: Bool = false,
        onPage: (RangePage) throws -> Void
    ) async throws -> Int64 {
        try await scanRange(prefix: prefix, revision: revision, pageSize: pageSize, keysOnly: keysOnly, onPage: onPage)
    }

    public func scanRange(
        prefix: String,
        revision: Int64,
        pageSize: Int64,
        keysOnly: Bool,
        onPage: (RangePage) throws -> Void
    ) async throws -> Int64 {
        try await pagedScan(prefix: prefix, revision: revision, pageSize: pageSize, keysOnly: keysOnly, onPage: onPage)
    }

    /// The scan through `range`: pages of at least `pageSize` (see `ScanPaging` for why they grow with
    /// the range). The next page is asked for as soon as a page arrives, before `onPage` sees it: etcd
    /// reads and sends it while the caller indexes this one, instead of the two waiting for each other.
    ///
    /// `pageSize` 0 reads the range in one page: etcd 3.4 walks a range's whole index for every page
    /// (see `ScanPaging`), so one page is the least work for etcd. A page whose answer is too large for
    /// the client is asked for again with fewer keys (`pageFitting`).
    public func pagedScan(
        prefix: String,
        revision: Int64,
        pageSize: Int64,
        keysOnly: Bool,
        onPage: (RangePage) throws -> Void
    ) async throws -> Int64 {
        let end = KeyRange.prefixEnd(prefix)
        let limit = readsWholeRanges ? 0 : pageSize
        var (page, asked) = try await pageFitting(
            from: prefix,
            to: end,
            revision: revision,
            limit: limit,
            keysOnly: keysOnly
        )
        let revision = revision == 0 ? page.revision : revision
        var nextLimit = asked
        while page.more, let last = page.lastKey {
            if asked > 0 {
                nextLimit = (keysOnly ? ScanPaging.keysOnly : .values).nextLimit(
                    minimum: max(asked, nextLimit),
                    remaining: page.remaining,
                    returned: Int64(page.count)
                )
            }
            let (start, pageLimit) = (last + "\u{0}", nextLimit)
            // Structured: cancelled and awaited if `onPage` throws.
            async let next = pageFitting(from: start, to: end, revision: revision, limit: pageLimit, keysOnly: keysOnly)
            try onPage(page)
            (page, nextLimit) = try await next
            // A page that had to shrink keeps the later ones that small.
            asked = min(asked, nextLimit)
        }
        try onPage(page)
        return revision
    }

    /// One page of at most `limit` keys (0: all), with fewer keys when etcd's answer is too large for
    /// the client (`EtcdError.answerTooLarge`): all -> `ScanPaging.fallbackPageSize` -> halves, down to
    /// one key. Returns the page and the limit it was read with.
    func pageFitting(
        from start: String,
        to end: String,
        revision: Int64,
        limit: Int64,
        keysOnly: Bool
    ) async throws -> (RangePage, Int64) {
        var limit = limit
        while true {
            do {
                return (
                    try await range(from: start, to: end, revision: revision, limit: limit, keysOnly: keysOnly), limit
                )
            } catch EtcdError.answerTooLarge where limit != 1 {
                limit = limit == 0 ? ScanPaging.fallbackPageSize : limit / 2
            }
        }
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
            if page.startsOver { pairs.removeAll() }
            pairs.append(contentsOf: page.pairs)
            try onPage(page)
        }
        return (pairs, revision)
    }
}
