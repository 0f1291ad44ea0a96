/// `endpoint <ID> profile show`: the endpoint's profiles, sorted, in a one-column `Name` table.
public enum ShowProfiles {
    public static let noProfilesMessage = "Endpoint has no profiles associated with it."

    public static func run(_ index: EndpointIndex, filter: EndpointFilter, format: OutputFormat) throws(ShellError) -> CommandResult {
        let record = try EndpointLookup.unique(in: index, filter: filter)
        let profiles = try EndpointLookup.decode(record, layout: index.layout).profiles
        return render(endpoint: record.key.endpoint, profiles: profiles.sorted(), format: format)
    }

    static func render(endpoint: String, profiles: [String], format: OutputFormat) -> CommandResult {
        switch format {
        case .json:
            return CommandResult(output: JSONValue.object([("endpoint_id", .string(endpoint)), ("profiles", .strings(profiles))]).rendered + "\n")
        case .table:
            if profiles.isEmpty { return CommandResult(output: noProfilesMessage + "\n") }
            var table = Table(headers: ["Name"])
            for profile in profiles { table.append([profile]) }
            return CommandResult(output: TableRenderer.render(table))
        }
    }
}

/// Finding the one endpoint a profile command is about.
enum EndpointLookup {
    static func unique(in index: EndpointIndex, filter: EndpointFilter) throws(ShellError) -> EndpointIndex.Record {
        let matches = index.records(matching: filter)
        guard let first = matches.first else { throw .endpointUnknown(filter.endpoint ?? "") }
        guard matches.count == 1 else {
            throw .endpointAmbiguous(matches: Array(matches.prefix(namedMatches).map(\.key)), total: matches.count)
        }
        return first
    }

    /// How many matches an ambiguity error names; the rest are counted.
    static let namedMatches = 5

    static func decode(_ record: EndpointIndex.Record, layout: KeyLayout) throws(ShellError) -> EndpointData {
        do {
            return try EndpointData.decode(record.value)
        } catch {
            throw .malformedValue(endpoint: record.key.endpoint, key: record.key.path(in: layout), reason: error.reason)
        }
    }
}
