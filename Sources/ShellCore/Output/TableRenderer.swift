/// Draws tables exactly as calicoctl (prettytable) prints them on the reference page:
///
///     +----------+-----------------+
///     | Hostname | Orchestrator ID |
///     +----------+-----------------+
///     |  calico  |      docker     |
///     +----------+-----------------+
///
/// Each column is as wide as its widest line plus one space on each side, and every cell is centred.
/// When the free space is odd, the extra space goes left of text of even length and right of text of
/// odd length (Python's `str.center`, which is how `docker` and `WEB` sit in the page's examples).
/// A cell may hold several lines; the row then takes several lines and other cells are blank below.
public struct Table: Equatable, Sendable {
    public var headers: [String]
    /// Each row has one cell per header; each cell is a list of lines (usually one).
    public var rows: [[[String]]]

    public init(headers: [String], rows: [[[String]]] = []) {
        self.headers = headers
        self.rows = rows
    }

    public mutating func append(_ cells: [String]) {
        rows.append(cells.map { [$0] })
    }

    public mutating func appendMultiline(_ cells: [[String]]) {
        rows.append(cells)
    }
}

public enum TableRenderer {
    public static func render(_ table: Table) -> String {
        var widths = table.headers.map(\.count)
        for row in table.rows {
            for (column, cell) in row.enumerated() where column < widths.count {
                for line in cell { widths[column] = max(widths[column], line.count) }
            }
        }
        let rule = "+" + widths.map { String(repeating: "-", count: $0 + 2) + "+" }.joined() + "\n"

        var out = rule
        out += line(table.headers, widths: widths)
        out += rule
        for row in table.rows {
            let height = max(1, row.map(\.count).max() ?? 1)
            for lineNumber in 0..<height {
                let texts = widths.indices.map { column -> String in
                    guard column < row.count, lineNumber < row[column].count else { return "" }
                    return row[column][lineNumber]
                }
                out += line(texts, widths: widths)
            }
        }
        if !table.rows.isEmpty { out += rule }
        return out
    }

    private static func line(_ texts: [String], widths: [Int]) -> String {
        "|" + zip(texts, widths).map { " " + center($0, width: $1) + " |" }.joined() + "\n"
    }

    /// Python's `str.center`: `left = free / 2 + (free & width & 1)`, i.e. an odd free space puts its
    /// extra space on the left exactly when the text's length is even.
    static func center(_ text: String, width: Int) -> String {
        let free = width - text.count
        guard free > 0 else { return text }
        let left = free / 2 + (free & width & 1)
        return String(repeating: " ", count: left) + text + String(repeating: " ", count: free - left)
    }
}
