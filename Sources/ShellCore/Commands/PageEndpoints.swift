/// The endpoints a filter selects among some of a hosts page's pairs, walked in the order the
/// tables list them, for an answer made from a load's pages before the index holds them
/// (`DetailedTableFromPages`, `PlanFromPages`). It keeps what the index would report of the
/// same pairs (the malformed keys) and what the order check between parts needs (`PageOrder`).
///
/// A part stops being `usable` at a key it cannot put in the tables' order: one that is not
/// ASCII, or a name continuing with a byte below `/` (etcd's order puts `node-1-a/…` before
/// `node-1/…`). The answer is then given up, and the command answers from the index.
struct PageEndpoints: Sendable {
    private(set) var first: OrderedKey?
    private(set) var last: OrderedKey?
    /// Keys the index counts as malformed data (see `EndpointIndex.put`), in order.
    private(set) var malformedKeys: [String] = []
    private(set) var usable = true

    /// Walks `range` of `page`, calling `body` with the names and the value of each endpoint
    /// `filter` selects (the value's buffer is reused from one call to the next).
    init(
        _ page: RangePage,
        _ range: Range<Int>,
        filter: EndpointFilter,
        layout: KeyLayout,
        _ body: (DetailedRows.Names, [UInt8]) -> Void
    ) {
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
                body(names, value)
                return true
            }
            guard carryOn else {
                usable = false
                return
            }
        }
    }
}

/// The order check between parts: each part's endpoints must all come after the last one's.
struct PageOrder: Sendable {
    private var last: OrderedKey?

    /// Whether `part` is usable and follows every part before it; it is the last one then.
    mutating func follows(_ part: PageEndpoints) -> Bool {
        guard part.usable else { return false }
        guard let first = part.first else { return true }
        if let last, OrderedKey.compare(last, first) >= 0 { return false }
        last = part.last
        return true
    }
}

/// An endpoint key's bytes and where its names lie in them: what the order check compares.
struct OrderedKey: Sendable {
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
