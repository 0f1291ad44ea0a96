import ShellDevTools
import XCTest

@testable import ShellCore

/// `endpoint show --detailed` copies most rows from the index's bytes (`DetailedRows`); every
/// table must be the one the string path draws: each record decoded by `EndpointData.decode`, its
/// addresses sorted, its cells made of strings. Values of every shape, in parts and whole.
final class DetailedRowsTests: XCTestCase {
    let layout = KeyLayout()

    let values = DetailedValueShapes.all

    /// The table as the string path draws it, and its warnings.
    private func expected(_ index: EndpointIndex, wide: Bool) -> (String, [String]) {
        var table = Table(headers: ShowEndpoints.detailedHeaders + (wide ? ["Interface"] : []))
        var warnings = MalformedData.warnings(for: index, filter: EndpointFilter())
        for record in index.records(matching: EndpointFilter()) {
            let (data, failure) = ShowEndpoints.decoded(record, layout: layout)
            if let failure { warnings.append(failure.warning) }
            let key = record.key
            table.appendMultiline([
                [key.host], [key.orchestrator], [key.workload], [key.endpoint], data.sortedAddresses,
                [data.mac ?? ""], [data.profiles.joined(separator: ",")], [data.state ?? ""], [data.name ?? ""],
            ])
        }
        return (TableRenderer.render(table, partsFrom: .max), warnings)
    }

    /// `endpoint show --detailed`, with and without `--wide`: the string path's table and warnings.
    private func assertDrawnAlike(_ index: EndpointIndex, _ context: String, line: UInt = #line) {
        for wide in [false, true] {
            let result = ShowEndpoints.run(index, filter: EndpointFilter(), detailed: true, wide: wide, format: .table)
            let (table, warnings) = expected(index, wide: wide)
            XCTAssertTrue(result.output == table, "wide \(wide), \(context)", line: line)
            XCTAssertEqual(result.warnings, warnings, "wide \(wide), \(context)", line: line)
        }
    }

    private func index(_ count: Int, random: inout SeededGenerator) -> EndpointIndex {
        var pairs: [KeyValue] = []
        for number in 0..<count {
            let key = EndpointKey(
                host: "host-\(number % 7)",
                orchestrator: number % 3 == 0 ? "k8s" : "docker",
                workload: "w\(number)",
                endpoint: String(format: "%08x", number)
            )
            let value = values.randomElement(using: &random)!
            pairs.append(KeyValue(key: key.path(in: layout), value: Array(value.utf8), modRevision: 2))
        }
        var index = EndpointIndex(layout: layout)
        index.load(pairs.sorted { KeyText.less($0.key, $1.key) }, revision: 2)
        return index
    }

    func testEveryRowIsDrawnAsTheStringPathDrawsIt() {
        let seed = UInt64.random(in: 0..<1_000_000)
        print("DetailedRowsTests seed \(seed)")
        var random = SeededGenerator(seed: seed)
        // 5,000 rows are drawn in parts; 30 in one.
        for count in [0, 1, 30, 5_000] {
            let index = index(count, random: &random)
            assertDrawnAlike(index, "\(count) rows, seed \(seed)")
        }
    }

    /// Every value above on its own, so that a difference names the value.
    func testEachValueAlone() {
        for value in values {
            let key = EndpointKey(host: "h", orchestrator: "k8s", workload: "w", endpoint: "e")
            var index = EndpointIndex(layout: layout)
            index.load([KeyValue(key: key.path(in: layout), value: Array(value.utf8), modRevision: 2)], revision: 2)
            assertDrawnAlike(index, value)
        }
    }
}
