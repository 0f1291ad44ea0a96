/// The rows of `endpoint show --detailed`'s table, copied from the index's bytes into the table's.
///
/// At 100,000 endpoints, rows made of strings (a record per endpoint, its decoded data, a string
/// per cell) took 40% of a first piped `--detailed` answer, most of it retaining and releasing
/// (perf). Here a row's names are copied as the index stores them and its data from where they lie
/// in the value's JSON (`IndexedFields.dataRanges`). A value of any other shape (an escape, text
/// that is not ASCII, two addresses of one family to sort, a value that cannot be read) takes the
/// string path, `ShowEndpoints.decoded`, so both ways print the same table.
enum DetailedRows {
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
            let record = index.record(slot: slot)
            let (data, failure) = ShowEndpoints.decoded(record, layout: index.layout)
            let key = record.key
            table.appendMultiline([
                [key.host], [key.orchestrator], [key.workload], [key.endpoint], data.sortedAddresses,
                [data.mac ?? ""], [data.profiles.joined(separator: ",")], [data.state ?? ""], [data.name ?? ""],
            ])
            return failure
        }
        index.withNames(slot: slot) { group, workload, endpoint in
            table.appendLine(group.host)
            table.closeCell()
            table.appendLine(group.orchestrator)
            table.closeCell()
            table.appendText(workload)
            table.endLine()
            table.closeCell()
            table.appendText(endpoint)
            table.endLine()
            table.closeCell()
        }
        value.withUnsafeBytes { bytes in
            func text(_ range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[range]) }
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
        return nil
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
