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
