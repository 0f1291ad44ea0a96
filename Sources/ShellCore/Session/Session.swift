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
    private var starting: Task<Executor, any Error>?

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

    /// The executor, with its index loaded and watching. Loading shows progress on stderr when
    /// interactive and slower than about a second.
    public func executor() async throws -> Executor {
        if let started { return started }
        if let starting { return try await starting.value }
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
        let reporter = ProgressReporter(enabled: showProgress, output: output)
        let keysOnly = self.keysOnly
        let task = Task { () throws -> Executor in
            try await synchronizer.start(keysOnly: keysOnly, progress: { reporter.report($0) })
            reporter.finish()
            return Executor(synchronizer: synchronizer)
        }
        starting = task
        do {
            let executor = try await task.value
            started = executor
            starting = nil
            return executor
        } catch {
            starting = nil
            await synchronizer.stop()
            throw error
        }
    }

    /// Endpoints known to the index right now (for the banner), or nil before it is loaded.
    public func indexedCount() async -> Int? {
        guard let started else { return nil }
        return await started.synchronizer.currentIndex().count
    }

    public func close() async {
        if let started { await started.synchronizer.stop() }
        await store?.shutdown()
    }
}

/// `Loading endpoints… 40,000` on stderr, only once loading has taken more than a second: a quick
/// load shows nothing, a long one shows that something is happening.
final class ProgressReporter: Sendable {
    private let enabled: Bool
    private let output: any OutputWriter
    private let start = ContinuousClock.now
    private let delay: Duration
    private let shown = Mutex(false)

    init(enabled: Bool, output: any OutputWriter, after delay: Duration = .seconds(1)) {
        self.enabled = enabled
        self.output = output
        self.delay = delay
    }

    func report(_ count: Int) {
        guard enabled, ContinuousClock.now - start >= delay else { return }
        shown.withLock { $0 = true }
        output.standardError("\rLoading endpoints… \(count.formatted())")
    }

    func finish() {
        if shown.withLock({ $0 }) { output.standardError("\n") }
    }
}

extension Int {
    /// 40000 → "40,000".
    func formatted() -> String {
        let digits = Array(String(self))
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }
}
