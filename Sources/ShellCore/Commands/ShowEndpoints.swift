/// `endpoint show`: the per-host summary, or one row per endpoint with `--detailed`. Pure: reads an index.
///
/// Both count the same endpoints: every key of the endpoint shape. An endpoint whose value cannot
/// be read is still a row of `--detailed`, with its data cells empty, and a warning names its key
/// and what is wrong (the summary is built from keys alone and cannot tell).
public enum ShowEndpoints {
    static let summaryHeaders = ["Hostname", "Orchestrator ID", "Number of Workloads", "Number of Endpoints"]
    static let detailedHeaders = [
        "Hostname", "Orchestrator ID", "Workload ID", "Endpoint ID", "Addresses", "MAC", "Profiles", "State",
    ]

    public static func run(
        _ index: EndpointIndex,
        filter: EndpointFilter,
        detailed: Bool,
        wide: Bool = false,
        format: OutputFormat
    ) -> CommandResult {
        detailed
            ? runDetailed(index, filter: filter, wide: wide, format: format)
            : runSummary(index, filter: filter, format: format)
    }

    private static func runSummary(
        _ index: EndpointIndex,
        filter: EndpointFilter,
        format: OutputFormat
    ) -> CommandResult {
        let rows = index.summary(matching: filter)
        let warnings = MalformedData.warnings(for: index, filter: filter)
        switch format {
        case .table:
            var table = Table(headers: summaryHeaders)
            for row in rows {
                table.append([row.host, row.orchestrator, String(row.workloads), String(row.endpoints)])
            }
            return CommandResult(output: TableRenderer.render(table), warnings: warnings)
        case .json:
            let json = JSONValue.array(
                rows.map { row in
                    .object([
                        ("hostname", .string(row.host)), ("orchestrator_id", .string(row.orchestrator)),
                        ("workloads", .number(row.workloads)), ("endpoints", .number(row.endpoints)),
                    ])
                }
            )
            return CommandResult(output: json.rendered + "\n", warnings: warnings)
        }
    }

    /// A record's data, or (with empty data) why it cannot be read: the reason, and the warning
    /// that names its key. Such a record is still a row, its data cells empty.
    static func decoded(
        _ record: EndpointIndex.Record,
        layout: KeyLayout
    ) -> (EndpointData, failure: (reason: String, warning: String)?) {
        do throws(EndpointDecodingError) {
            return (try EndpointData.decode(record.value), nil)
        } catch {
            let warning = MalformedData.unreadable(key: record.key.path(in: layout), reason: error.reason)
            return (EndpointData(), (error.reason, warning))
        }
    }

    private static func runDetailed(
        _ index: EndpointIndex,
        filter: EndpointFilter,
        wide: Bool,
        format: OutputFormat
    ) -> CommandResult {
        var warnings = MalformedData.warnings(for: index, filter: filter)
        let layout = index.layout
        switch format {
        case .table:
            // `--wide` adds the interface name as a last column; every other column stays as it is.
            // Without it the table has no column for the name, and drops that cell.
            let headers = detailedHeaders + (wide ? ["Interface"] : [])
            let slots = index.slotNumbers(matching: filter)
            // Rows are copied out in parts at once; the parts join in order.
            let parts = ParallelParts.map(ParallelParts.ranges(slots.count)) {
                (range: Range<Int>) -> (Table, [String]) in
                var table = Table(headers: headers)
                table.reserve(rows: range.count, bytes: range.count * 128)
                var unreadable: [String] = []
                var value: [UInt8] = []
                for slot in slots[range] {
                    if let failure = DetailedRows.append(slot, of: index, wide: wide, to: &table, value: &value) {
                        unreadable.append(failure.warning)
                    }
                }
                return (table, unreadable)
            }
            for part in parts { warnings += part.1 }
            return CommandResult(
                output: TableRenderer.render(joining: parts.map(\.0), headers: headers),
                warnings: warnings
            )
        case .json:
            let shown = index.records(matching: filter).map { record in
                let (data, failure) = decoded(record, layout: layout)
                if let failure { warnings.append(failure.warning) }
                return (record.key, data, unreadable: failure?.reason)
            }
            let json = JSONValue.array(
                shown.map { key, data, unreadable in
                    .object(
                        [
                            ("hostname", .string(key.host)), ("orchestrator_id", .string(key.orchestrator)),
                            ("workload_id", .string(key.workload)), ("endpoint_id", .string(key.endpoint)),
                            ("addresses", .strings(data.sortedAddresses)), ("mac", .optional(data.mac)),
                            ("profiles", .strings(data.profiles)), ("state", .optional(data.state)),
                            ("interface", .optional(data.name)),
                        ]
                            + (unreadable.map { [("unreadable", JSONValue.string($0))] } ?? [])
                    )
                }
            )
            return CommandResult(output: json.rendered + "\n", warnings: warnings)
        }
    }
}
