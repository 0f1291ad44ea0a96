/// Draws tables exactly as calicoctl (prettytable) prints them on the reference page:
///
///     +----------+-----------------+
///     | Hostname | Orchestrator ID |
///     +----------+-----------------+
///     |  calico  |      docker     |
///     +----------+-----------------+
///
/// Each column is as wide as its widest line plus one space on each side, and every cell is centred.
/// Widths are display columns (`DisplayWidth`: a CJK character takes two, a combining mark none), and
/// every cell is shown through `DisplayEscaping`, so no value can break the frame or reach the
/// terminal as a control character. With no rows, the header box is closed by one more rule (four
/// lines), as prettytable prints it.
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
    /// Two passes over the cells and no per-cell arrays: widths first, then every line appended to
    /// one string reserved for the whole table (a million-row `--detailed` is about 170 MB of text;
    /// building a `Cell` array per row and joining each line's pieces was most of the rendering's
    /// cost, perf).
    public static func render(_ table: Table) -> String {
        let headers = table.headers.map(Cell.init)
        var widths = headers.map(\.width)
        for row in table.rows {
            for (column, cell) in row.enumerated() where column < widths.count {
                for line in cell { widths[column] = max(widths[column], Cell(line).width) }
            }
        }
        let rule = "+" + widths.map { String(repeating: "-", count: $0 + 2) + "+" }.joined() + "\n"
        let lineLength = rule.utf8.count
        // Padding of every length a line can need, made once.
        let spaces = (0...(widths.max() ?? 0) + 1).map { String(repeating: " ", count: $0) }

        var out = ""
        out.reserveCapacity(lineLength * (table.rows.count + 4))
        out += rule
        append(headers, widths: widths, spaces: spaces, to: &out)
        out += rule
        let blank = Cell("")
        var texts: [Cell] = []
        texts.reserveCapacity(widths.count)
        for row in table.rows {
            var height = 1
            for cell in row { height = max(height, cell.count) }
            for lineNumber in 0..<height {
                texts.removeAll(keepingCapacity: true)
                for column in widths.indices {
                    if column < row.count, lineNumber < row[column].count {
                        texts.append(Cell(row[column][lineNumber]))
                    } else {
                        texts.append(blank)
                    }
                }
                append(texts, widths: widths, spaces: spaces, to: &out)
            }
        }
        out += rule
        return out
    }

    /// One line of a cell: its text made visible, and how many columns that takes.
    struct Cell {
        var text: String
        var width: Int

        init(_ raw: String) {
            // Printable ASCII (nearly every cell) is shown as it is, a column a byte: one look at
            // the bytes instead of one for escaping and one for the width.
            let plain = raw.utf8.withContiguousStorageIfAvailable { bytes in
                bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7f }
            }
            if plain == true {
                text = raw
                width = raw.utf8.count
            } else {
                text = DisplayEscaping.visible(raw)
                width = DisplayWidth.columns(text)
            }
        }
    }

    /// One line of the table: every cell centred in its column, as `center` does.
    private static func append(_ cells: [Cell], widths: [Int], spaces: [String], to out: inout String) {
        out += "|"
        for (cell, width) in zip(cells, widths) {
            let free = max(width - cell.width, 0)
            let left = free / 2 + (free & width & 1)
            out += spaces[left + 1]
            out += cell.text
            out += spaces[free - left + 1]
            out += "|"
        }
        out += "\n"
    }

    static func center(_ text: String, width: Int) -> String {
        center(text, textWidth: DisplayWidth.columns(text), width: width)
    }

    /// Python's `str.center`: `left = free / 2 + (free & width & 1)`, i.e. an odd free space puts its
    /// extra space on the left exactly when the text's length is even.
    static func center(_ text: String, textWidth: Int, width: Int) -> String {
        let free = width - textWidth
        guard free > 0 else { return text }
        let left = free / 2 + (free & width & 1)
        return String(repeating: " ", count: left) + text + String(repeating: " ", count: free - left)
    }
}
