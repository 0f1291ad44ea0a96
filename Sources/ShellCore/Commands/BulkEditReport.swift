/// What a bulk edit prints: one summary line (`Profile(s) WEB appended to 212 endpoints; 3 already
/// had it.`), after a table with a row per selected endpoint (its profiles now, and whether this
/// command changed it) with `--detailed`; or with `-o json` one object per selected endpoint. Pure.
enum BulkEditReport {
    static func summary(edit: ProfileEdit, changed: Int, unchanged: Int) -> String {
        let names = edit.names.joined(separator: ",")
        switch edit.action {
        case .append:
            return "Profile(s) \(names) appended to \(changed) endpoint(s); \(unchanged) already had it."
        case .remove:
            return "Profile(s) \(names) removed from \(changed) endpoint(s); \(unchanged) did not have it."
        case .set:
            if edit.names.isEmpty { return "Profile(s) cleared on \(changed) endpoint(s); \(unchanged) had none." }
            return "Profile(s) \(names) set on \(changed) endpoint(s); \(unchanged) already had exactly them."
        }
    }

    /// One selected endpoint: its data as the edit leaves it, and whether this command changed it.
    struct Row: Sendable {
        var record: EndpointIndex.Record
        var data: EndpointData
        var changed: Bool
    }

    /// `rows` in any order: the table and JSON list them by host, orchestrator, workload, endpoint.
    static func render(
        edit: ProfileEdit,
        rows: [Row],
        format: OutputFormat,
        detailed: Bool = false
    ) -> CommandResult {
        let changed = rows.reduce(0) { $0 + ($1.changed ? 1 : 0) }
        let line = summary(edit: edit, changed: changed, unchanged: rows.count - changed) + "\n"
        if format == .table && !detailed { return CommandResult(output: line) }
        let ordered = rows.sorted { $0.record.key < $1.record.key }
        switch format {
        case .table:
            var table = Table(headers: [
                "Hostname", "Orchestrator ID", "Workload ID", "Endpoint ID", "Profiles", "Changed",
            ])
            for row in ordered {
                let key = row.record.key
                table.appendMultiline(
                    [[key.host], [key.orchestrator], [key.workload], [key.endpoint]]
                        + [row.data.profiles.isEmpty ? [""] : row.data.profiles, [row.changed ? "yes" : "no"]]
                )
            }
            return CommandResult(output: TableRenderer.render(table) + line)
        case .json:
            let objects = ordered.map { row in
                JSONValue.object([
                    ("hostname", .string(row.record.key.host)),
                    ("orchestrator_id", .string(row.record.key.orchestrator)),
                    ("workload_id", .string(row.record.key.workload)),
                    ("endpoint_id", .string(row.record.key.endpoint)),
                    ("profiles", .strings(row.data.profiles)),
                    ("changed", .bool(row.changed)),
                ])
            }
            return CommandResult(output: JSONValue.array(objects).rendered + "\n")
        }
    }
}
