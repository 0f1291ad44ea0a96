import XCTest

@testable import ShellCore

final class TableRendererTests: XCTestCase {
    func testSummaryMatchesReferencePage() throws {
        let result = ShowEndpoints.run(
            Golden.referenceIndex(),
            filter: EndpointFilter(),
            detailed: false,
            format: .table
        )
        XCTAssertEqual(result.output, try Golden.text("summary.txt"))
        XCTAssertEqual(result.warnings, [])
    }

    func testDetailedMatchesReferencePage() throws {
        var index = Golden.referenceIndex()
        // The page's example shows the endpoint d79123c4… with no profiles.
        XCTAssertEqual(
            ShowEndpoints.run(index, filter: EndpointFilter(), detailed: true, format: .table).output,
            try Golden.text("detailed.txt")
        )
        XCTAssertEqual(
            ShowEndpoints.run(
                index,
                filter: EndpointFilter(endpoint: "d79123c4784511e5bd1a080027f532f6"),
                detailed: true,
                format: .table
            ).output,
            try Golden.text("detailed-one.txt")
        )
        index.load([], revision: 1)
        XCTAssertEqual(
            ShowEndpoints.run(index, filter: EndpointFilter(), detailed: true, format: .table).output.split(
                separator: "\n"
            ).count,
            4,
            "an empty result is prettytable's: top rule, header, rule, closing rule"
        )
    }

    func testProfileShowMatchesReferencePage() throws {
        XCTAssertEqual(
            ShowProfiles.render(endpoint: "x", profiles: ["PROF", "WEB"], format: .table).output,
            try Golden.text("profile-show.txt")
        )
        XCTAssertEqual(
            ShowProfiles.render(endpoint: "x", profiles: [], format: .table).output,
            "Endpoint has no profiles associated with it.\n"
        )
    }

    func testCentringPutsOddSpaceLeftOfEvenText() {
        XCTAssertEqual(TableRenderer.center("docker", width: 15), "     docker    ")
        XCTAssertEqual(TableRenderer.center("WEB", width: 4), "WEB ")
        XCTAssertEqual(TableRenderer.center("ab", width: 5), "  ab ")
        XCTAssertEqual(TableRenderer.center("abc", width: 6), " abc  ")
    }

    func testMultilineCellsTakeSeveralLines() {
        var table = Table(headers: ["A", "Addresses"])
        table.appendMultiline([["x"], ["10.0.0.2/32", "10.0.0.10/32"]])
        XCTAssertEqual(
            TableRenderer.render(table),
            """
            +---+--------------+
            | A |  Addresses   |
            +---+--------------+
            | x | 10.0.0.2/32  |
            |   | 10.0.0.10/32 |
            +---+--------------+

            """
        )
    }

    func testAddressesSortNumericallyIPv4First() {
        let data = EndpointData(
            ipv4Nets: ["10.0.0.10/32", "10.0.0.9/32", "9.1.1.1/32"],
            ipv6Nets: ["fd00::10/128", "fd00::9/128"]
        )
        XCTAssertEqual(
            data.sortedAddresses,
            ["9.1.1.1/32", "10.0.0.9/32", "10.0.0.10/32", "fd00::9/128", "fd00::10/128"]
        )
    }

    func testJSONShapes() {
        let index = Golden.referenceIndex()
        let summary = ShowEndpoints.run(index, filter: EndpointFilter(), detailed: false, format: .json).output
        XCTAssertEqual(
            summary,
            #"[{"hostname":"calico","orchestrator_id":"docker","workloads":5,"endpoints":5}]"# + "\n"
        )
        let one = ShowEndpoints.run(
            index,
            filter: EndpointFilter(endpoint: "d50c35bc784511e5bd1a080027f532f6"),
            detailed: true,
            format: .json
        ).output
        XCTAssertEqual(
            one,
            #"[{"hostname":"calico","orchestrator_id":"docker","#
                + #""workload_id":"26d5636108f8e46b0b9d663522c26f05e52acecf11bb10104dfbd9047ad502b6","#
                + #""endpoint_id":"d50c35bc784511e5bd1a080027f532f6","addresses":["192.168.1.3/32"],"#
                + #""mac":"0e:61:2a:84:30:51","profiles":["PROF"],"state":"active","interface":"calid50c35bc784"}]"#
                + "\n"
        )
    }

    func testUnreadableValueIsARowAndAWarningNotACrash() {
        var index = Golden.referenceIndex()
        let key = EndpointKey(host: "h", orchestrator: "o", workload: "w", endpoint: "bad")
        index.put(KeyValue(key: key.path(in: index.layout), value: Array("not json".utf8), modRevision: 99))
        index.put(KeyValue(key: "/calico/v1/host/h/workload/o/w/endpoint/e/extra", value: [], modRevision: 100))
        let result = ShowEndpoints.run(index, filter: EndpointFilter(), detailed: true, format: .table)
        // The unreadable endpoint is a row with empty data cells, as the summary counts it.
        XCTAssertEqual(result.output.split(separator: "\n").count, 4 + 6)
        XCTAssertTrue(result.output.split(separator: "\n").contains { $0.contains(" bad ") }, result.output)
        XCTAssertEqual(result.warnings.count, 2)
        XCTAssertTrue(
            result.warnings.contains {
                $0.contains("/calico/v1/host/h/workload/o/w/endpoint/bad") && $0.contains("not valid JSON")
            }
        )
        XCTAssertTrue(result.warnings.contains { $0.contains("endpoint/e/extra") })
    }

    /// prettytable with no rows: the top rule, the header, the rule under it and a closing rule.
    func testEmptyTablesAreFourLinesAsPrettytablePrintsThem() {
        XCTAssertEqual(TableRenderer.render(Table(headers: ["Name"])), "+------+\n| Name |\n+------+\n+------+\n")
        let summary = ShowEndpoints.run(
            Golden.referenceIndex(),
            filter: EndpointFilter(host: "no-such-host"),
            detailed: false,
            format: .table
        )
        XCTAssertEqual(
            summary.output,
            """
            +----------+-----------------+---------------------+---------------------+
            | Hostname | Orchestrator ID | Number of Workloads | Number of Endpoints |
            +----------+-----------------+---------------------+---------------------+
            +----------+-----------------+---------------------+---------------------+

            """
        )
    }

    /// A value holding a newline or an escape sequence must neither forge rows nor reach the
    /// terminal: control characters are shown escaped and the frame stays intact.
    func testControlCharactersInCellsAreShownEscaped() {
        var table = Table(headers: ["Hostname", "State"])
        table.append(["a\nb", "\u{1b}[31mred\u{7f}\u{85}\t"])
        table.appendMultiline([["x\ry"], ["\u{0}", "\u{9b}2J"]])
        let rendered = TableRenderer.render(table)
        XCTAssertEqual(
            rendered,
            """
            +----------+-----------------------+
            | Hostname |         State         |
            +----------+-----------------------+
            |   a\\nb   | \\x1b[31mred\\x7f\\x85\\t |
            |   x\\ry   |          \\x00         |
            |          |         \\x9b2J        |
            +----------+-----------------------+

            """
        )
        XCTAssertFalse(
            rendered.unicodeScalars.contains { $0 != "\n" && ($0.value < 0x20 || (0x7f...0x9f).contains($0.value)) }
        )
    }

    /// prettytable pads by display width: a CJK character takes two columns, a combining mark none.
    func testWidthIsDisplayColumns() {
        var table = Table(headers: ["Hostname"])
        table.append(["日本"])
        table.append(["e\u{301}"])
        table.append(["日本語のホスト"])
        XCTAssertEqual(
            TableRenderer.render(table),
            """
            +----------------+
            |    Hostname    |
            +----------------+
            |      日本      |
            |       é        |
            | 日本語のホスト |
            +----------------+

            """
        )
    }

    /// A large table is measured and drawn in parts at once: the same bytes as in one part, with
    /// the widest cells in any part, multi-line cells, wide and control characters. Seeded.
    func testPartsDrawTheSameTable() {
        let seed = UInt64.random(in: 0..<1_000_000)
        print("TableRendererTests parts seed \(seed)")
        var random = SeededGenerator(seed: seed)
        let pieces = ["a", "node-1", "é", "日本", "\u{1b}[31m", "x y", "", "10.0.0.1/32", "\u{301}"]
        for rows in [0, 1, 2, 3, 101] {
            var table = Table(headers: ["Hostname", "Orchestrator ID", "Addresses"])
            for _ in 0..<rows {
                table.appendMultiline(
                    (0..<3).map { _ in
                        (0..<Int.random(in: 0...2, using: &random)).map { _ in
                            (0..<Int.random(in: 0...3, using: &random)).map { _ in pieces.randomElement(using: &random)!
                            }
                            .joined()
                        }
                    }
                )
            }
            XCTAssertEqual(
                TableRenderer.render(table, partsFrom: 1),
                TableRenderer.render(table, partsFrom: .max),
                "\(rows) rows, seed \(seed)"
            )
        }
    }
}
