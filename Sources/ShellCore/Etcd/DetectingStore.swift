import Synchronization

/// The store of a session whose settings name no datastore: it detects the API on its first call (see
/// `DatastoreDetection`) and forwards every call to the store it picked. Detecting on first use keeps
/// `help` and `echo` free of etcd, as they are with a datastore chosen.
public final class DetectingStore: KeyValueStore {
    private let configuration: EtcdConfiguration
    private let prefix: String
    private let detection = Mutex<Task<(choice: DatastoreDetection.Choice, answer: RangePage?), any Error>?>(nil)
    private let chosen = Mutex<DatastoreDetection.Choice?>(nil)

    public init(configuration: EtcdConfiguration, prefix: String) throws(EtcdError) {
        // What configuration alone rejects fails here, before any command runs.
        try configuration.validate()
        _ = try AddressResolution.target(for: configuration.endpoints)
        self.configuration = configuration
        self.prefix = prefix
    }

    /// The detected store (detecting it on the first call; every caller shares that one detection).
    public func choice() async throws -> DatastoreDetection.Choice {
        try await choice(firstRead: nil).choice
    }

    /// The detected store, and, for the caller whose read started the detection, that read's answer
    /// when the read was the v3 probe (see `DatastoreDetection.choose`).
    private func choice(
        firstRead: DatastoreDetection.FirstRead?
    ) async throws -> (choice: DatastoreDetection.Choice, answer: RangePage?) {
        if let chosen = chosen.withLock({ $0 }) { return (chosen, nil) }
        let (task, started) = detection.withLock { task in
            if let task { return (task, false) }
            let made = Task { [configuration, prefix] in
                try await DatastoreDetection.choose(configuration: configuration, prefix: prefix, firstRead: firstRead)
            }
            task = made
            return (made, true)
        }
        let detected = try await task.value
        chosen.withLock { $0 = detected.choice }
        return (detected.choice, started ? detected.answer : nil)
    }

    /// The store, once detected; nil before.
    public var detected: DatastoreDetection.Choice? { chosen.withLock { $0 } }

    public var readsWholeRanges: Bool { detected?.store.readsWholeRanges ?? false }
    public var maximumTransactionOperations: Int? { detected?.store.maximumTransactionOperations }

    public func range(
        from start: String,
        to end: String,
        revision: Int64,
        limit: Int64,
        keysOnly: Bool
    ) async throws -> RangePage {
        let read = DatastoreDetection.FirstRead(
            start: start,
            end: end,
            revision: revision,
            limit: limit,
            keysOnly: keysOnly
        )
        let (choice, answer) = try await choice(firstRead: read)
        if let answer { return answer }
        let store = choice.store
        // A store that reads whole ranges would only repeat its work for each page.
        let limit = store.readsWholeRanges ? 0 : limit
        return try await store.range(from: start, to: end, revision: revision, limit: limit, keysOnly: keysOnly)
    }

    public func scanRange(
        prefix: String,
        revision: Int64,
        pageSize: Int64,
        keysOnly: Bool,
        onPage: (RangePage) throws -> Void
    ) async throws -> Int64 {
        // Before detection, through `range`: its first read is the detection's probe.
        if let store = detected?.store {
            return try await store.scanRange(
                prefix: prefix,
                revision: revision,
                pageSize: pageSize,
                keysOnly: keysOnly,
                onPage: onPage
            )
        }
        return try await pagedScan(
            prefix: prefix,
            revision: revision,
            pageSize: pageSize,
            keysOnly: keysOnly,
            onPage: onPage
        )
    }

    public func get(_ key: String) async throws -> KeyValue? {
        try await choice().store.get(key)
    }

    public func position(readingKey key: String) async throws -> StorePosition {
        try await choice().store.position(readingKey: key)
    }

    public func commit(_ transaction: Transaction) async throws -> TransactionResult {
        try await choice().store.commit(transaction)
    }

    public func watch(prefix: String, startRevision: Int64) -> WatchSubscription {
        if let store = detected?.store { return store.watch(prefix: prefix, startRevision: startRevision) }
        // Not detected yet (callers load before they watch, so this is rare): detect, then forward.
        let (batches, sink) = AsyncThrowingStream<WatchBatch, any Error>.makeStream()
        let inner = Mutex<WatchSubscription?>(nil)
        let task = Task {
            do {
                let subscription = try await self.choice().store.watch(prefix: prefix, startRevision: startRevision)
                inner.withLock { $0 = subscription }
                for try await batch in subscription.batches { sink.yield(batch) }
                sink.finish()
            } catch {
                sink.finish(throwing: error)
            }
        }
        sink.onTermination = { _ in task.cancel() }
        return WatchSubscription(
            batches: batches,
            requestProgress: { inner.withLock { $0 }?.requestProgress() },
            cancel: {
                inner.withLock { $0 }?.cancel()
                task.cancel()
            }
        )
    }

    public func status() async throws -> StoreStatus {
        try await choice().store.status()
    }

    public func shutdown() async {
        if let task = detection.withLock({ $0 }), let detected = try? await task.value {
            await detected.choice.store.shutdown()
        }
    }
}
