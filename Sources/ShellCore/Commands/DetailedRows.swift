/// The rows of `endpoint show --detailed`'s table, copied from bytes into the table's: from the
/// index's arena, or from a Range page's message as it arrives (`DetailedTableFromPages`).
///
/// At 100,000 endpoints, rows made of strings (a record per endpoint, its decoded data, a string
/// per cell) took 40% of a first piped `--detailed` answer, most of it retaining and releasing
/// (perf). Here a row's names are copied as they are stored and its data from where they lie
/// in the value's JSON (`IndexedFields.dataRanges`). A value of any other shape (an escape, text
/// that is not ASCII, two addresses of one family to sort, a value that cannot be read) takes the
/// string path, `ShowEndpoints.decoded`, so every way prints the same table.
enum DetailedRows {
    /// The four names of an endpoint's key, as bytes.
    struct Names {
        var host: UnsafeRawBufferPointer
        var orchestrator: UnsafeRawBufferPointer
        var workload: UnsafeRawBufferPointer
        var endpoint: UnsafeRawBufferPointer

        /// The key these names make (strings: for the rare value that takes the string path).
        var key: EndpointKey {
            EndpointKey(
                host: KeyText.decode(host),
                orchestrator: KeyText.decode(orchestrator),
                workload: KeyText.decode(workload),
                endpoint: KeyText.decode(endpoint)
            )
        }
    }

    /// Appends the row of the endpoint in `slot` (the interface name too with `wide`); `value` is
    /// scratch space a scan reuses. Returns why the value cannot be read, if it cannot.
    static func append(
        _ slot: UInt32,
        of index: EndpointIndex,
        wide: Bool,
        to table: inout Table,
        value: inout [UInt8]
    ) -> (reason: String, warning: String)? {
        index.copyValue(slot: slot, into: &value)
        guard let fields = plainFields(value) else {
            return appendDecoded(index.record(slot: slot), layout: index.layout, wide: wide, to: &table)
        }
        index.withNames(slot: slot) { group, workload, endpoint in
            KeyText.withBytes(group.host) { host in
                KeyText.withBytes(group.orchestrator) { orchestrator in
                    let names = Names(
                        host: UnsafeRawBufferPointer(host),
                        orchestrator: UnsafeRawBufferPointer(orchestrator),
                        workload: workload,
                        endpoint: endpoint
                    )
                    appendPlain(names, value: value, fields: fields, wide: wide, to: &table)
                }
            }
        }
        return nil
    }

    /// Appends the row of an endpoint given as bytes: its key's names, and its value in `value`.
    static func append(
        _ names: Names,
        value: [UInt8],
        layout: KeyLayout,
        wide: Bool,
        to table: inout Table
    ) -> (reason: String, warning: String)? {
        guard let fields = plainFields(value) else {
            let record = EndpointIndex.Record(key: names.key, value: value, modRevision: 0)
            return appendDecoded(record, layout: layout, wide: wide, to: &table)
        }
        appendPlain(names, value: value, fields: fields, wide: wide, to: &table)
        return nil
    }

    /// The string path: the record decoded, its cells made of strings.
    private static func appendDecoded(
        _ record: EndpointIndex.Record,
        layout: KeyLayout,
        wide: Bool,
        to table: inout Table
    ) -> (reason: String, warning: String)? {
        let (data, failure) = ShowEndpoints.decoded(record, layout: layout)
        let key = record.key
        table.appendMultiline(
            [
                [key.host], [key.orchestrator], [key.workload], [key.endpoint], data.sortedAddresses,
                [data.mac ?? ""], [data.profiles.joined(separator: ",")], [data.state ?? ""],
            ] + (wide ? [[data.name ?? ""]] : [])
        )
        return failure
    }

    /// The byte path: every cell copied from where it lies.
    private static func appendPlain(
        _ names: Names,
        value: [UInt8],
        fields: IndexedFields.DataRanges,
        wide: Bool,
        to table: inout Table
    ) {
        value.withUnsafeBytes { appendPlain(names, value: $0, fields: fields, wide: wide, to: &table) }
    }

    private static func appendPlain(
        _ names: Names,
        value: UnsafeRawBufferPointer,
        fields: IndexedFields.DataRanges,
        wide: Bool,
        to table: inout Table
    ) {
        for name in [names.host, names.orchestrator, names.workload, names.endpoint] {
            table.appendText(name)
            table.endLine()
            table.closeCell()
        }
        func text(_ range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: value[range]) }
        // One line, empty for a member absent or null.
        func cell(_ range: Range<Int>?) {
            if let range { table.appendText(text(range)) }
            table.endLine()
            table.closeCell()
        }
        // IPv4 first, then IPv6: at most one of each is already in `AddressOrder`'s order.
        for range in fields.ipv4Nets + fields.ipv6Nets {
            table.appendText(text(range))
            table.endLine()
        }
        table.closeCell()
        cell(fields.mac)
        for (number, range) in fields.profiles.enumerated() {
            if number > 0 { table.appendText(UInt8(ascii: ",")) }
            table.appendText(text(range))
        }
        table.endLine()
        table.closeCell()
        cell(fields.state)
        if wide { cell(fields.name) }
    }

    /// The ranges of a value whose cells can be copied as they lie: of the common shape, ASCII
    /// (so every member is its own text), with at most one address of each family.
    private static func plainFields(_ value: [UInt8]) -> IndexedFields.DataRanges? {
        guard value.allSatisfy({ $0 < 0x80 }), let fields = IndexedFields.dataRanges(value),
            fields.ipv4Nets.count < 2, fields.ipv6Nets.count < 2
        else { return nil }
        return fields
    }
}
