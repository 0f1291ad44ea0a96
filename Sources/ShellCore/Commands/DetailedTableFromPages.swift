import Synchronization

/// `endpoint show --detailed`'s table made from the index's first load as its pages arrive, for
/// the command that starts the load (a piped shell's first): each page's rows are laid out and
/// measured while etcd reads the next one, and the answer is drawn as soon as the last page is
/// laid out; the index takes in the pages the load held for it after (`answerMade`). Waiting for
/// the whole index put indexing the last page, sorting, and laying out every row after etcd's last
/// byte (a third of a first answer at 100,000 endpoints, perf).
///
/// The answer is as fresh as a loaded index's: every page is read at the load's one revision,
/// which etcd chose after the command was given. It is given up, and the command answers from the
/// index as any other, when the keys do not come in the table's order (a name continuing with a
/// byte below `/`: etcd's order puts `node-1-a/…` before `node-1/…`) or a key is not ASCII.
final class DetailedTableFromPages: LoadObserver {
    private let filter: EndpointFilter
    private let wide: Bool
    private let layout: KeyLayout

    /// The table's headers (`--wide` adds the interface name).
    private var headers: [String] { ShowEndpoints.detailedHeaders + (wide ? ["Interface"] : []) }

    /// For `command`, when it is `endpoint show --detailed` printed as a table with nothing staged
    /// to show on top; nil for any other.
    init?(_ command: EndpointCommand, _ context: CommandContext, layout: KeyLayout) {
        guard case .showEndpoints(let filter, detailed: true, let wide) = command, context.format == .table,
            context.staged?.isEmpty ?? true
        else { return nil }
        self.filter = filter
        self.wide = wide
        self.layout = layout
    }

    private enum Outcome: Sendable {
        case table([TableRenderer.MeasuredTable], warnings: [String])
        case givenUp
        case failed(any Error)
    }

    private struct State {
        var parts: [TableRenderer.MeasuredTable] = []
        var unreadable: [String] = []
        var malformedKeys: [String] = []
        /// The last endpoint key so far: the next page's first must come after it.
        var last: OrderedKey?
        var outcome: Outcome?
        var waiter: CheckedContinuation<Outcome, Never>?
        /// Whether the answer is made (drawn, or given up), and who waits for that.
        var made = false
        var madeWaiters: [CheckedContinuation<Void, Never>] = []

        mutating func end(_ outcome: Outcome) {
            guard self.outcome == nil else { return }
            self.outcome = outcome
            parts = []
            waiter?.resume(returning: outcome)
            waiter = nil
            if case .table = outcome { return }
            madeNow()
        }

        /// Nothing more to draw: the load may take the cores back.
        mutating func madeNow() {
            made = true
            for waiter in madeWaiters { waiter.resume() }
            madeWaiters = []
        }
    }

    private let state = Mutex(State())

    // MARK: The command's side

    /// The answer, once the last page is in; nil when it was given up; throws when the load failed
    /// or the wait is cancelled (Ctrl-C).
    func answer() async throws -> CommandResult? {
        let outcome = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
                state.withLock { state in
                    if Task.isCancelled { state.end(.failed(CancellationError())) }
                    if let outcome = state.outcome {
                        continuation.resume(returning: outcome)
                    } else {
                        state.waiter = continuation
                    }
                }
            }
        } onCancel: {
            state.withLock { $0.end(.failed(CancellationError())) }
        }
        switch outcome {
        case .table(let parts, let warnings):
            defer { state.withLock { $0.madeNow() } }
            return CommandResult(output: TableRenderer.render(joining: parts, headers: headers), warnings: warnings)
        case .givenUp:
            return nil
        case .failed(let error):
            throw error
        }
    }

    // MARK: The load's side

    func sawHostsPage(_ page: RangePage) -> Bool {
        guard state.withLock({ $0.outcome == nil }) else { return false }
        // The last page is on the answer's path: laid out in parts at once. Any other is laid out
        // while etcd reads the next, and one core is enough for that.
        let ranges = page.more ? [0..<page.count] : ParallelParts.ranges(page.count)
        let (filter, wide, layout) = (filter, wide, layout)
        let headers = headers
        let parts = ParallelParts.map(ranges) { range in
            Part(page, range, filter: filter, wide: wide, layout: layout, headers: headers)
        }
        return state.withLock { state in
            if page.startsOver { state = State(waiter: state.waiter) }
            for part in parts {
                if !part.usable { state.end(.givenUp) }
                state.malformedKeys += part.malformedKeys
                guard let first = part.first else { continue }
                if let last = state.last, OrderedKey.compare(last, first) >= 0 { state.end(.givenUp) }
                state.last = part.last
                state.parts += part.tables
                state.unreadable += part.unreadable
            }
            guard state.outcome == nil else { return false }
            guard !page.more else { return true }
            if state.parts.isEmpty { state.parts = [TableRenderer.measured(Table(headers: headers))] }
            let warnings =
                MalformedData.warnings(malformedKeys: state.malformedKeys, layout: layout, filter: filter)
                + state.unreadable
            state.end(.table(state.parts, warnings: warnings))
            return true
        }
    }

    func answerMade() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            state.withLock { state in
                // Asked once the range is read: without its last page there is no answer coming.
                if state.outcome == nil { state.end(.givenUp) }
                if state.made {
                    continuation.resume()
                } else {
                    state.madeWaiters.append(continuation)
                }
            }
        }
    }

    func loadEnded(_ error: (any Error)?) {
        // A load that ends before its hosts range's last page: failed, or never saw it.
        state.withLock { $0.end(error.map { .failed($0) } ?? .givenUp) }
    }

    // MARK: Laying out a page

    /// The rows of some of a page's endpoints, and what the order check needs of them.
    private struct Part: Sendable {
        /// The rows in tables of at most `tableRows`, each measured as it is filled: the answer
        /// only draws them, its work spread over the cores table by table.
        var tables: [TableRenderer.MeasuredTable] = []
        static let tableRows = 8_192
        var unreadable: [String] = []
        var malformedKeys: [String] = []
        var first: OrderedKey?
        var last: OrderedKey?
        /// False when the part met a key it cannot lay out in order (see the type's comment).
        var usable = true

        init(
            _ page: RangePage,
            _ range: Range<Int>,
            filter: EndpointFilter,
            wide: Bool,
            layout: KeyLayout,
            headers: [String]
        ) {
            func newTable() -> Table {
                var table = Table(headers: headers)
                table.reserve(rows: min(range.count, Self.tableRows), bytes: min(range.count, Self.tableRows) * 128)
                return table
            }
            var table = newTable()
            defer { if table.rowCount > 0 { tables.append(TableRenderer.measured(table)) } }
            var keys = KeyMatcher(filter)
            var value: [UInt8] = []
            let start = layout.hostsPrefix.utf8.count
            for index in range {
                let carryOn = page.withPair(at: index) { key, bytes in
                    guard !key.contains(where: { $0 >= 0x80 }) else { return false }
                    let kind = key.withMemoryRebound(to: UInt8.self) { key in
                        key.count > start ? KeyLayout.endpointFields(key, from: start) : .other
                    }
                    guard case .endpoint(let fields) = kind else {
                        // As the index counts them (`EndpointIndex.put`): an endpoint key with an
                        // unusable name, or any other key under a host's workloads.
                        var isMalformed = true
                        if case .other = kind {
                            isMalformed = key.withMemoryRebound(to: UInt8.self) {
                                $0.count >= start && KeyLayout.isUnderWorkloads($0, from: start)
                            }
                        }
                        if isMalformed { malformedKeys.append(KeyText.decode(key)) }
                        return true
                    }
                    if last != nil {
                        guard OrderedKey.compare(last!, key, fields) < 0 else { return false }
                        last!.replace(with: key, fields)
                    } else {
                        first = OrderedKey(key, fields)
                        last = first
                    }
                    let names = OrderedKey.names(in: key, fields)
                    guard
                        keys.matches(
                            host: KeyText.decode(names.host),
                            orchestrator: KeyText.decode(names.orchestrator),
                            workload: KeyText.decode(names.workload),
                            endpoint: KeyText.decode(names.endpoint)
                        )
                    else { return true }
                    value.removeAll(keepingCapacity: true)
                    value.append(contentsOf: bytes)
                    if filter.needsValues {
                        guard let data = try? EndpointData.decode(value), filter.matches(data) else { return true }
                    }
                    if let failure = DetailedRows.append(names, value: value, layout: layout, wide: wide, to: &table) {
                        unreadable.append(failure.warning)
                    }
                    if table.rowCount == Self.tableRows {
                        tables.append(TableRenderer.measured(table))
                        table = newTable()
                    }
                    return true
                }
                guard carryOn else {
                    usable = false
                    return
                }
            }
        }
    }
}

/// An endpoint key's bytes and where its names lie in them: what the order check compares.
private struct OrderedKey: Sendable {
    var bytes: [UInt8]
    var fields: KeyLayout.EndpointFields

    init(_ key: UnsafeRawBufferPointer, _ fields: KeyLayout.EndpointFields) {
        bytes = Array(key)
        self.fields = fields
    }

    /// Becomes `key` (its storage reused: a part replaces its last key for every endpoint).
    mutating func replace(with key: UnsafeRawBufferPointer, _ fields: KeyLayout.EndpointFields) {
        bytes.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: key)
        self.fields = fields
    }

    /// The names of `key`, whose names lie at `fields`.
    static func names(in key: UnsafeRawBufferPointer, _ fields: KeyLayout.EndpointFields) -> DetailedRows.Names {
        DetailedRows.Names(
            host: UnsafeRawBufferPointer(rebasing: key[fields.host]),
            orchestrator: UnsafeRawBufferPointer(rebasing: key[fields.orchestrator]),
            workload: UnsafeRawBufferPointer(rebasing: key[fields.workload]),
            endpoint: UnsafeRawBufferPointer(rebasing: key[fields.endpoint])
        )
    }

    static func compare(_ a: OrderedKey, _ b: OrderedKey) -> Int {
        b.bytes.withUnsafeBytes { compare(a, $0, b.fields) }
    }

    /// The tables' order (`EndpointKey <`) of `a` and `key`: host, orchestrator, workload,
    /// endpoint, each by bytes.
    static func compare(_ a: OrderedKey, _ key: UnsafeRawBufferPointer, _ fields: KeyLayout.EndpointFields) -> Int {
        a.bytes.withUnsafeBytes { bytes in
            let (p, q) = (names(in: bytes, a.fields), names(in: key, fields))
            var order = KeyText.compare(p.host, q.host)
            if order == 0 { order = KeyText.compare(p.orchestrator, q.orchestrator) }
            if order == 0 { order = KeyText.compare(p.workload, q.workload) }
            return order != 0 ? order : KeyText.compare(p.endpoint, q.endpoint)
        }
    }
}
