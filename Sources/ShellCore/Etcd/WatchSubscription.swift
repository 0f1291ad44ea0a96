// What a watch delivers: its subscription, its batches and their events.

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
