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

    static func render(
        edit: ProfileEdit,
        selection: [(EndpointIndex.Record, EndpointData)],
        changed: Set<EndpointKey>,
        format: OutputFormat,
        detailed: Bool = false
    ) -> CommandResult {
        switch format {
        case .table:
            let unchanged = selection.filter { !changed.contains($0.0.key) }.count
            let line = summary(edit: edit, changed: changed.count, unchanged: unchanged) + "\n"
            guard detailed else { return CommandResult(output: line) }
            var table = Table(headers: [
                "Hostname", "Orchestrator ID", "Workload ID", "Endpoint ID", "Profiles", "Changed",
            ])
            for (record, data) in selection {
                table.appendMultiline(
                    [[record.key.host], [record.key.orchestrator], [record.key.workload], [record.key.endpoint]]
                        + [data.profiles.isEmpty ? [""] : data.profiles, [changed.contains(record.key) ? "yes" : "no"]]
                )
            }
            return CommandResult(output: TableRenderer.render(table) + line)
        case .json:
            let objects = selection.map { record, data in
                JSONValue.object([
                    ("hostname", .string(record.key.host)), ("orchestrator_id", .string(record.key.orchestrator)),
                    ("workload_id", .string(record.key.workload)), ("endpoint_id", .string(record.key.endpoint)),
                    ("profiles", .strings(data.profiles)),
                    ("changed", .bool(changed.contains(record.key))),
                ])
            }
            return CommandResult(output: JSONValue.array(objects).rendered + "\n")
        }
    }
}
