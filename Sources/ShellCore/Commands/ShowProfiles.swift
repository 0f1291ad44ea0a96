/// `endpoint <ID> profile show`: the endpoint's profiles, sorted, in a one-column `Name` table.
public enum ShowProfiles {
    public static let noProfilesMessage = "Endpoint has no profiles associated with it."

    public static func run(
        _ index: EndpointIndex,
        filter: EndpointFilter,
        format: OutputFormat
    ) throws(ShellError) -> CommandResult {
        let record = try EndpointLookup.unique(in: index, filter: filter)
        let profiles = try EndpointLookup.decode(record, layout: index.layout).profiles
        return render(endpoint: record.key.endpoint, profiles: profiles.sorted(), format: format)
    }

    static func render(endpoint: String, profiles: [String], format: OutputFormat) -> CommandResult {
        switch format {
        case .json:
            return CommandResult(
                output: JSONValue.object([("endpoint_id", .string(endpoint)), ("profiles", .strings(profiles))])
                    .rendered + "\n"
            )
        case .table:
            if profiles.isEmpty { return CommandResult(output: noProfilesMessage + "\n") }
            var table = Table(headers: ["Name"])
            for profile in profiles { table.append([profile]) }
            return CommandResult(output: TableRenderer.render(table))
        }
    }
}
