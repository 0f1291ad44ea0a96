import Synchronization

/// `endpoint show --detailed`'s table made from the index's first load as its pages arrive
/// (`AnswerFromPages`): each page's rows are laid out and measured while etcd reads the next one,
/// and the answer is drawn as soon as the last page is laid out; the index takes in the pages the
/// load held for it after (`answerMade`). Waiting for the whole index put indexing the last page,
/// sorting, and laying out every row after etcd's last byte (a third of a first answer at 100,000
/// endpoints, perf). Keys the tables cannot list in order give it up (`PageEndpoints`).

final class DetailedTableFromPages: AnswerFromPages {
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

    /// The pages laid out so far.
    private struct Laid {
        var parts: [TableRenderer.MeasuredTable] = []
        var unreadable: [String] = []
        var malformedKeys: [String] = []
        var order = PageOrder()
    }

    /// What the answer draws: the laid-out parts and the warnings.
    private struct LaidTable: Sendable {
        var parts: [TableRenderer.MeasuredTable]
        var warnings: [String]
    }

    private let laid = Mutex(Laid())
    private let waits = PageAnswerWaits<LaidTable>()

    // MARK: The command's side

    func answer() async throws -> CommandResult? {
        try await waits.answer { table in
            CommandResult(
                output: TableRenderer.render(joining: table.parts, headers: headers),
                warnings: table.warnings
            )
        }
    }

    // MARK: The load's side

    func sawHostsPage(_ page: RangePage) -> Bool {
        guard !waits.isEnded else { return waits.isMaking }
        // The last page is on the answer's path: laid out in parts at once. Any other is laid out
        // while etcd reads the next, and one core is enough for that.
        let ranges = page.more ? [0..<page.count] : ParallelParts.ranges(page.count)
        let (filter, wide, layout) = (filter, wide, layout)
        let headers = headers
        let parts = ParallelParts.map(ranges) { range in
            Part(page, range, filter: filter, wide: wide, layout: layout, headers: headers)
        }
        let outcome = laid.withLock { laid -> PageAnswerWaits<LaidTable>.Outcome? in
            if page.startsOver { laid = Laid() }
            for part in parts {
                guard laid.order.follows(part.endpoints) else { return .givenUp }
                laid.malformedKeys += part.endpoints.malformedKeys
                laid.parts += part.tables
                laid.unreadable += part.unreadable
            }
            guard !page.more else { return nil }
            if laid.parts.isEmpty { laid.parts = [TableRenderer.measured(Table(headers: headers))] }
            let warnings =
                MalformedData.warnings(malformedKeys: laid.malformedKeys, layout: layout, filter: filter)
                + laid.unreadable
            return .made(LaidTable(parts: laid.parts, warnings: warnings))
        }
        if let outcome {
            laid.withLock { $0 = Laid() }
            waits.end(outcome)
        }
        return waits.isMaking
    }

    func answerMade() async {
        // Asked once the ranges are read: without its last page there is no answer coming.
        waits.end(.givenUp)
        await waits.untilDrawn()
    }

    func loadEnded(_ error: (any Error)?) {
        // A load that ends before its hosts range's last page: failed, or never saw it.
        waits.end(error.map { .failed($0) } ?? .givenUp)
    }

    // MARK: Laying out a page

    /// The rows of some of a page's endpoints, and what the order check needs of them.
    private struct Part: Sendable {
        /// The rows in tables of at most `tableRows`, each measured as it is filled: the answer
        /// only draws them, its work spread over the cores table by table.
        var tables: [TableRenderer.MeasuredTable] = []
        static let tableRows = 8_192
        var unreadable: [String] = []
        var endpoints: PageEndpoints

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
            var tables: [TableRenderer.MeasuredTable] = []
            var unreadable: [String] = []
            var table = newTable()
            endpoints = PageEndpoints(page, range, filter: filter, layout: layout) { names, value in
                if let failure = DetailedRows.append(names, value: value, layout: layout, wide: wide, to: &table) {
                    unreadable.append(failure.warning)
                }
                if table.rowCount == Self.tableRows {
                    tables.append(TableRenderer.measured(table))
                    table = newTable()
                }
            }
            if table.rowCount > 0 { tables.append(TableRenderer.measured(table)) }
            self.tables = tables
            self.unreadable = unreadable
        }
    }
}
