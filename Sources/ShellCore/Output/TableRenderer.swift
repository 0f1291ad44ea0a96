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
    /// Every cell's lines, row after row and cell after cell, in one array: a million-row
    /// `--detailed` held as an array per row and per cell took about 500 MB and most of the time
    /// spent freeing the table (perf).
    private var lines: [String] = []
    /// How many lines each cell has (usually one; none for a cell a row did not give), `headers.count`
    /// cells a row.
    private var lineCounts: [UInt32] = []

    public init(headers: [String], rows: [[[String]]] = []) {
        self.headers = headers
        for row in rows { appendMultiline(row) }
    }

    /// How many rows the table has.
    public var rowCount: Int { headers.isEmpty ? 0 : lineCounts.count / headers.count }

    /// Room for `count` more rows of one line per cell.
    public mutating func reserve(rows count: Int) {
        lines.reserveCapacity(lines.count + count * headers.count)
        lineCounts.reserveCapacity(lineCounts.count + count * headers.count)
    }

    public mutating func append(_ cells: [String]) {
        for column in headers.indices {
            if column < cells.count {
                lines.append(cells[column])
                lineCounts.append(1)
            } else {
                lineCounts.append(0)
            }
        }
    }

    /// A row whose cells may hold several lines. Cells past the headers are dropped; missing ones
    /// are blank.
    public mutating func appendMultiline(_ cells: [[String]]) {
        for column in headers.indices {
            let cell = column < cells.count ? cells[column] : []
            lines.append(contentsOf: cell)
            lineCounts.append(UInt32(cell.count))
        }
    }

    /// The rows of `other`, a table of the same columns, after this one's.
    public mutating func append(contentsOf other: Table) {
        lines.append(contentsOf: other.lines)
        lineCounts.append(contentsOf: other.lineCounts)
    }

    /// Calls `body` for each row with its cells' line counts and the lines, in order.
    func forEachRow(_ body: (_ counts: ArraySlice<UInt32>, _ lines: ArraySlice<String>) -> Void) {
        forEachRow(in: 0..<rowCount, body)
    }

    /// `forEachRow` for the rows in `rows` only.
    func forEachRow(in rows: Range<Int>, _ body: (_ counts: ArraySlice<UInt32>, _ lines: ArraySlice<String>) -> Void) {
        let columns = headers.count
        guard columns > 0, !rows.isEmpty else { return }
        var next = 0
        for count in lineCounts[0..<rows.lowerBound * columns] { next += Int(count) }
        var cell = rows.lowerBound * columns
        let end = rows.upperBound * columns
        while cell < end {
            let counts = lineCounts[cell..<cell + columns]
            var total = 0
            for count in counts { total += Int(count) }
            body(counts, lines[next..<next + total])
            next += total
            cell += columns
        }
    }
}

public enum TableRenderer {
    /// Two passes over the cells: widths first, then every line's bytes appended to a buffer
    /// (a million-row `--detailed` is about 170 MB of text). Printable ASCII, nearly every cell, is
    /// copied as it is; anything else goes through `DisplayEscaping`. A large table's rows are
    /// measured and drawn in parts at once (`ParallelParts`), then joined into one string.
    public static func render(_ table: Table) -> String {
        render(table, partsFrom: ParallelParts.minimumCount)
    }

    /// `render`, in parts from `minimum` rows on (tests compare the two ways).
    static func render(_ table: Table, partsFrom minimum: Int) -> String {
        let headers = table.headers.map(Cell.init)
        let parts = ParallelParts.ranges(table.rowCount, minimum: minimum)
        let columns = headers.count
        let partWidths = ParallelParts.map(parts) { rows in
            var widths = [Int](repeating: 0, count: columns)
            table.forEachRow(in: rows) { counts, lines in
                var line = lines.startIndex
                for (column, count) in counts.enumerated() {
                    for _ in 0..<count {
                        widths[column] = max(widths[column], Cell.width(of: lines[line]))
                        line += 1
                    }
                }
            }
            return widths
        }
        var widths = headers.map(\.width)
        for part in partWidths {
            for column in widths.indices { widths[column] = max(widths[column], part[column]) }
        }
        var rule: [UInt8] = [UInt8(ascii: "+")]
        for width in widths {
            rule += [UInt8](repeating: UInt8(ascii: "-"), count: width + 2)
            rule.append(UInt8(ascii: "+"))
        }
        rule.append(UInt8(ascii: "\n"))
        let spaces = [UInt8](repeating: UInt8(ascii: " "), count: (widths.max() ?? 0) + 2)

        var head: [UInt8] = []
        head += rule
        append(headers, widths: widths, spaces: spaces, to: &head)
        head += rule
        let finalWidths = widths
        let lineBytes = rule.count
        let bodies = ParallelParts.map(parts) { rows in
            drawRows(rows, of: table, widths: finalWidths, spaces: spaces, lineBytes: lineBytes)
        }
        let pieces = [head] + bodies + [rule]
        let total = pieces.reduce(0) { $0 + $1.count }
        return String(unsafeUninitializedCapacity: total) { buffer in
            var offset = 0
            for piece in pieces {
                _ = UnsafeMutableBufferPointer(rebasing: buffer[offset..<offset + piece.count]).initialize(from: piece)
                offset += piece.count
            }
            return total
        }
    }

    /// The lines of `rows`, cells centred in `widths`.
    private static func drawRows(
        _ rows: Range<Int>,
        of table: Table,
        widths: [Int],
        spaces: [UInt8],
        lineBytes: Int
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(lineBytes * rows.count)
        let blank = Cell("")
        var texts: [Cell] = []
        texts.reserveCapacity(widths.count)
        var starts: [Int] = []
        starts.reserveCapacity(widths.count)
        table.forEachRow(in: rows) { counts, lines in
            var height = 1
            starts.removeAll(keepingCapacity: true)
            var start = lines.startIndex
            for count in counts {
                height = max(height, Int(count))
                starts.append(start)
                start += Int(count)
            }
            for lineNumber in 0..<height {
                texts.removeAll(keepingCapacity: true)
                for (column, count) in counts.enumerated() {
                    texts.append(lineNumber < count ? Cell(lines[starts[column] + lineNumber]) : blank)
                }
                append(texts, widths: widths, spaces: spaces, to: &out)
            }
        }
        return out
    }

    /// One line of a cell: its text made visible, and how many columns that takes.
    struct Cell {
        var text: String
        var width: Int

        init(_ raw: String) {
            if let width = Self.plainWidth(raw) {
                text = raw
                self.width = width
            } else {
                text = DisplayEscaping.visible(raw)
                width = DisplayWidth.columns(text)
            }
        }

        static func width(of raw: String) -> Int {
            plainWidth(raw) ?? DisplayWidth.columns(DisplayEscaping.visible(raw))
        }

        /// Printable ASCII (nearly every cell) is shown as it is, a column a byte: one look at the
        /// bytes instead of one for escaping and one for the width. Nil for any other text.
        static func plainWidth(_ raw: String) -> Int? {
            let plain = raw.utf8.withContiguousStorageIfAvailable { bytes in
                bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7f }
            }
            return plain == true ? raw.utf8.count : nil
        }
    }

    /// One line of the table: every cell centred in its column, as `center` does.
    private static func append(_ cells: [Cell], widths: [Int], spaces: [UInt8], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "|"))
        for (cell, width) in zip(cells, widths) {
            let free = max(width - cell.width, 0)
            let left = free / 2 + (free & width & 1)
            out.append(contentsOf: spaces[0..<(left + 1)])
            var text = cell.text
            text.withUTF8 { out.append(contentsOf: $0) }
            out.append(contentsOf: spaces[0..<(free - left + 1)])
            out.append(UInt8(ascii: "|"))
        }
        out.append(UInt8(ascii: "\n"))
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
