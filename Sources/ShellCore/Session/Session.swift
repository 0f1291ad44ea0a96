import Synchronization

/// The shell's one connection to etcd and its index, made on first use: `help` and `echo` work with
/// no etcd at all, and everything else shares one gRPC client and one watch for the whole run.
public actor Session {
    public let configuration: EtcdConfiguration
    public let layout: KeyLayout
    private let showProgress: Bool
    /// Only summary commands will run: load keys without values (see `IndexSynchronizer.start`).
    private let keysOnly: Bool
    private let pageSize: Int64
    private let output: any OutputWriter
    private let makeStore: @Sendable (EtcdConfiguration) throws -> any KeyValueStore
    private var store: (any KeyValueStore)?
    private var started: Executor?
    /// The load in progress, if any.
    private var loading: Task<Void, Never>?
    /// Commands waiting for the load, by a number of their own (so Ctrl-C can stop one wait).
    private var waiters: [Int: CheckedContinuation<Executor, any Error>] = [:]
    private var waitingID = 0
    /// How many commands wait, readable from the loading task (for the progress line).
    private let waiting = WaitCount()
    private var publishes = false
    private nonisolated let loadingSynchronizer = Mutex<IndexSynchronizer?>(nil)

    public init(
        configuration: EtcdConfiguration,
        layout: KeyLayout,
        showProgress: Bool,
        output: any OutputWriter,
        keysOnly: Bool = false,
        pageSize: Int64 = 10_000,
        makeStore: @escaping @Sendable (EtcdConfiguration) throws -> any KeyValueStore = {
            try DatastoreDetection.makeStore($0.datastore ?? .etcdv3, configuration: $0)
        }
    ) {
        self.configuration = configuration
        self.layout = layout
        self.showProgress = showProgress
        self.keysOnly = keysOnly
        self.pageSize = pageSize
        self.output = output
        self.makeStore = makeStore
    }

    /// The etcd client, connecting on first use.
    public func connection() throws -> any KeyValueStore {
        if let store { return store }
        let made = try makeStore(configuration)
        store = made
        return made
    }

    /// Starts loading the index without waiting for it (the interactive shell shows its prompt at
    /// once and loads behind it). With `publishingSnapshots`, `indexSnapshot` follows the index.
    public func startLoading(publishingSnapshots: Bool = false) throws {
        try startLoading(publishingSnapshots: publishingSnapshots, observer: nil)
    }

    private func startLoading(publishingSnapshots: Bool, observer: (any LoadObserver)?) throws {
        if publishingSnapshots { publishes = true }
        guard started == nil, loading == nil else { return }
        let store = try connection()
        let output = self.output
        let address = configuration.endpoints.map(\.description).joined(separator: ",")
        let synchronizer = IndexSynchronizer(
            store: store,
            layout: layout,
            catchUpTimeout: configuration.dialTimeout,
            pageSize: pageSize,
            onNotice: { output.standardError("calico-shell: etcd at \(address) \($0)\n") }
        )
        // Progress shows only while a command waits for the index: printed while the user types at
        // the prompt, it would garble the line being edited.
        let waiting = self.waiting
        let reporter = ProgressReporter(enabled: showProgress, output: output, wanted: { waiting.isPositive })
        let keysOnly = self.keysOnly
        let publishes = self.publishes
        loading = Task(executorPreference: LoadExecutor.shared) {
            let result: Result<Executor, any Error>
            do {
                try await synchronizer.start(
                    keysOnly: keysOnly,
                    progress: { reporter.report($0) },
                    observer: observer
                )
                if publishes { await synchronizer.publishSnapshots() }
                result = .success(Executor(synchronizer: synchronizer))
            } catch {
                await synchronizer.stop()
                result = .failure(error)
            }
            reporter.finish()
            await self.finishLoading(result, synchronizer: synchronizer)
        }
        loadingSynchronizer.withLock { $0 = synchronizer }
    }

    /// The executor, with its index loaded and watching; starts the load if nobody has. Waiting can
    /// be cancelled (Ctrl-C): the load goes on for the next command. Loading shows progress on
    /// stderr when interactive and slower than about a second.
    public func executor() async throws -> Executor {
        if let started { return started }
        try startLoading()
        waitingID += 1
        let id = waitingID
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Executor, any Error>) in
                if let started {
                    continuation.resume(returning: started)
                } else if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters[id] = continuation
                    waiting.add(1)
                }
            }
        } onCancel: {
            Task { await self.stopWaiting(id) }
        }
    }

    /// The answer to `command`, made from the load's pages as they come, when `command` is the one
    /// that starts the load and its answer can be made that way (`AnswerFromPages`); nil
    /// otherwise, and the caller runs it as any other. Waiting can be cancelled like `executor()`'s.
    public func answerWhileLoading(_ command: EndpointCommand, _ context: CommandContext) async throws -> CommandResult?
    {
        guard started == nil, loading == nil, !keysOnly,
            let observer = answerFromPages(for: command, context, layout: layout)
        else { return nil }
        try startLoading(publishingSnapshots: false, observer: observer)
        waiting.add(1)
        defer { waiting.add(-1) }
        return try await observer.answer()
    }

    /// The executor if the index is loaded within `timeout`, else nil (the load goes on).
    public func executor(within timeout: Duration) async -> Executor? {
        let waiter = Task { try? await self.executor() }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            waiter.cancel()
        }
        defer { timer.cancel() }
        return await waiter.value
    }

    private func stopWaiting(_ id: Int) {
        guard let continuation = waiters.removeValue(forKey: id) else { return }
        waiting.add(-1)
        continuation.resume(throwing: CancellationError())
    }

    private func finishLoading(_ result: Result<Executor, any Error>, synchronizer: IndexSynchronizer) {
        loading = nil
        if case .success(let executor) = result {
            started = executor
        } else {
            // The next command tries again (etcd may answer by then).
            loadingSynchronizer.withLock { $0 = nil }
        }
        let resumed = waiters.values
        waiters = [:]
        waiting.add(-resumed.count)
        for continuation in resumed { continuation.resume(with: result) }
    }

    /// The index as the watch keeps it, without waiting (TAB completion while the shell runs, or
    /// loads); nil until loading has started with `publishingSnapshots`.
    public nonisolated var indexSnapshot: EndpointIndex? {
        loadingSynchronizer.withLock { $0 }?.snapshot
    }

    /// Endpoints known to the index right now (for the banner), or nil before it is loaded.
    public func indexedCount() async -> Int? {
        guard let started else { return nil }
        return await started.synchronizer.currentIndex().count
    }

    public func close() async {
        loading?.cancel()
        if let synchronizer = loadingSynchronizer.withLock({ $0 }) { await synchronizer.stop() }
        await store?.shutdown()
    }
}

/// A count shared between the session and the task that loads its index.
private final class WaitCount: Sendable {
    private let count = Mutex(0)

    var value: Int { count.withLock { $0 } }
    var isPositive: Bool { value > 0 }
    func add(_ change: Int) { count.withLock { $0 += change } }
}
