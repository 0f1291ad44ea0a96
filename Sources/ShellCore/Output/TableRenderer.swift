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
    /// Every cell's lines as UTF-8, row after row and cell after cell, in one byte array: a
    /// million-row `--detailed` held as an array per row and per cell took about 500 MB and most of
    /// the time spent freeing the table, and one `String` per line still spent a third of drawing
    /// it retaining and releasing them (perf).
    private var text: [UInt8] = []
    /// Where each line ends in `text` (the next line starts there).
    private var lineEnds: [Int] = []
    /// How many lines each cell has (usually one; none for a cell a row did not give), `headers.count`
    /// cells a row.
    private var lineCounts: [UInt32] = []
    /// Lines given to the cell being built (`appendLine`, `closeCell`).
    private var openCellLines: UInt32 = 0

    public init(headers: [String], rows: [[[String]]] = []) {
        self.headers = headers
        for row in rows { appendMultiline(row) }
    }

    /// How many rows the table has.
    public var rowCount: Int { headers.isEmpty ? 0 : lineCounts.count / headers.count }

    /// Room for `count` more rows of one line per cell, of about `bytes` bytes in all.
    public mutating func reserve(rows count: Int, bytes: Int = 0) {
        text.reserveCapacity(text.count + bytes)
        lineEnds.reserveCapacity(lineEnds.count + count * headers.count)
        lineCounts.reserveCapacity(lineCounts.count + count * headers.count)
    }

    public mutating func append(_ cells: [String]) {
        for column in headers.indices {
            if column < cells.count { appendLine(cells[column]) }
            closeCell()
        }
    }

    /// A row whose cells may hold several lines. Cells past the headers are dropped; missing ones
    /// are blank.
    public mutating func appendMultiline(_ cells: [[String]]) {
        for column in headers.indices {
            if column < cells.count {
                for line in cells[column] { appendLine(line) }
            }
            closeCell()
        }
    }

    // MARK: Building a row cell by cell, from bytes (a large table's rows: no string per line)

    /// Adds `bytes` to the line being built (ended by `endLine`).
    @inline(__always)
    mutating func appendText(_ bytes: UnsafeRawBufferPointer) {
        text.append(contentsOf: bytes)
    }

    mutating func appendText(_ byte: UInt8) {
        text.append(byte)
    }

    /// Ends the line being built: it is the open cell's next line.
    mutating func endLine() {
        lineEnds.append(text.count)
        openCellLines += 1
    }

    /// Gives the open cell one more line.
    mutating func appendLine(_ line: String) {
        var line = line
        line.withUTF8 { text.append(contentsOf: $0) }
        endLine()
    }

    /// Ends the open cell (with the lines given since the last one; none leaves it blank). A row
    /// is `headers.count` cells.
    mutating func closeCell() {
        lineCounts.append(openCellLines)
        openCellLines = 0
    }

    // MARK: Reading

    /// The table's storage, read in place by the renderer.
    struct Storage {
        let text: UnsafeBufferPointer<UInt8>
        let lineEnds: UnsafeBufferPointer<Int>
        let lineCounts: UnsafeBufferPointer<UInt32>

        /// The bytes of line number `line`.
        @inline(__always)
        func line(_ line: Int) -> UnsafeBufferPointer<UInt8> {
            let start = line == 0 ? 0 : lineEnds[line - 1]
            return UnsafeBufferPointer(rebasing: text[start..<lineEnds[line]])
        }
    }

    func withStorage<Result>(_ body: (Storage) -> Result) -> Result {
        text.withUnsafeBufferPointer { text in
            lineEnds.withUnsafeBufferPointer { lineEnds in
                lineCounts.withUnsafeBufferPointer { lineCounts in
                    body(Storage(text: text, lineEnds: lineEnds, lineCounts: lineCounts))
                }
            }
        }
    }

    /// The number of the first line of row `row`.
    func firstLine(ofRow row: Int) -> Int {
        var line = 0
        for count in lineCounts[0..<row * headers.count] { line += Int(count) }
        return line
    }
}

public enum TableRenderer {
    /// Two passes over the cells, each over parts of the rows at once (`ParallelParts`): the
    /// columns' widths and each part's size in bytes first, then each part drawn straight into its
    /// place in the output (a million-row `--detailed` is about 170 MB of text: one copy of it, not
    /// three). Printable ASCII, nearly every cell, is copied as it is, a column a byte; anything
    /// else goes through `DisplayEscaping`.
    public static func render(_ table: Table) -> String {
        render(table, partsFrom: ParallelParts.minimumCount)
    }

    /// `render`, in parts from `minimum` rows on (tests compare the two ways).
    static func render(_ table: Table, partsFrom minimum: Int) -> String {
        render(
            ParallelParts.ranges(table.rowCount, minimum: minimum).map { Part(table: table, rows: $0) },
            table.headers
        )
    }

    /// The rows of `tables` (of the same columns, `headers`), one after another, as one table: a
    /// large table built in parts is drawn from its parts, never joined.
    public static func render(joining tables: [Table], headers: [String]) -> String {
        render(tables.map { Part(table: $0, rows: 0..<$0.rowCount) }, headers)
    }

    /// A table measured ahead of drawing (`measured(_:)`): a table built in parts as its rows
    /// arrive is measured part by part while the rest is still coming.
    struct MeasuredTable: Sendable {
        fileprivate var part: Part
        fileprivate var measure: Measure
    }

    static func measured(_ table: Table) -> MeasuredTable {
        let part = Part(table: table, rows: 0..<table.rowCount)
        return MeasuredTable(part: part, measure: measure(part))
    }

    /// `render(joining:headers:)` of tables measured already.
    static func render(joining tables: [MeasuredTable], headers: [String]) -> String {
        render(tables.map(\.part), headers, measured: tables.map(\.measure))
    }

    /// Some rows of a table, measured and drawn as one piece of work.
    fileprivate struct Part: Sendable {
        var table: Table
        var rows: Range<Int>
    }

    /// What drawing a part takes: its columns' widths, its lines, and the bytes its unusual cells
    /// take beyond their columns (a line of plain cells is exactly as many bytes as the rule).
    fileprivate struct Measure: Sendable {
        var widths: [Int]
        var lines = 0
        var extraBytes = 0
    }

    /// Where a part is drawn (each part writes only its own bytes).
    private struct Destination: @unchecked Sendable {
        let base: UnsafeMutablePointer<UInt8>
    }

    /// Draws `parts` under `headers`; `measured`, when given, holds each part's measure.
    private static func render(_ parts: [Part], _ headers: [String], measured: [Measure]? = nil) -> String {
        let columns = headers.count
        guard columns > 0 else { return "+\n|\n+\n+\n" }
        let head = Part(table: Table(headers: headers, rows: [headers.map { [$0] }]), rows: 0..<1)
        let all = [head] + parts
        // Each part on a thread of its own only when the rows came in several: a small table is
        // measured and drawn on this thread (handing it to another cost more than drawing it).
        let groups = parts.count > 1 ? all.indices.map { $0..<$0 + 1 } : [all.indices]
        let measures =
            measured.map { [measure(head)] + $0 }
            ?? Array(ParallelParts.map(groups) { group in group.map { measure(all[$0]) } }.joined())
        var widths = [Int](repeating: 0, count: columns)
        for measure in measures {
            for column in widths.indices { widths[column] = max(widths[column], measure.widths[column]) }
        }
        var rule: [UInt8] = [UInt8(ascii: "+")]
        for width in widths {
            rule += [UInt8](repeating: UInt8(ascii: "-"), count: width + 2)
            rule.append(UInt8(ascii: "+"))
        }
        rule.append(UInt8(ascii: "\n"))
        let lineBytes = rule.count
        // rule, header, rule, the rows, rule.
        var offsets: [Int] = []
        var total = lineBytes
        for (number, measure) in measures.enumerated() {
            offsets.append(total)
            total += measure.lines * lineBytes + measure.extraBytes
            if number == 0 { total += lineBytes }
        }
        total += lineBytes
        let finalWidths = widths
        let starts = offsets
        let text = String(unsafeUninitializedCapacity: total) { buffer in
            let destination = Destination(base: buffer.baseAddress!)
            let afterHeader = offsets[0] + measures[0].lines * lineBytes + measures[0].extraBytes
            rule.withUnsafeBufferPointer { rule in
                for offset in [0, afterHeader, total - lineBytes] {
                    (destination.base + offset).initialize(from: rule.baseAddress!, count: rule.count)
                }
            }
            _ = ParallelParts.map(groups) { group in
                for number in group {
                    let start = destination.base + starts[number]
                    let end = draw(all[number], widths: finalWidths, at: start)
                    let expected = measures[number].lines * lineBytes + measures[number].extraBytes
                    precondition(end - start == expected, "table part drawn to another size")
                }
                return 0
            }
            return total
        }
        return text
    }

    /// A part's widths, lines and extra bytes (`Measure`).
    private static func measure(_ part: Part) -> Measure {
        let columns = part.table.headers.count
        var measure = Measure(widths: [Int](repeating: 0, count: columns))
        let firstLine = part.table.firstLine(ofRow: part.rows.lowerBound)
        part.table.withStorage { storage in
            measure.widths.withUnsafeMutableBufferPointer { widths in
                var line = firstLine
                var cell = part.rows.lowerBound * columns
                for _ in part.rows {
                    var height = 1
                    for column in 0..<columns {
                        let count = Int(storage.lineCounts[cell])
                        cell += 1
                        height = max(height, count)
                        for _ in 0..<count {
                            let bytes = storage.line(line)
                            line += 1
                            if Cell.isPlain(bytes) {
                                widths[column] = max(widths[column], bytes.count)
                            } else {
                                let shown = Cell(String(decoding: bytes, as: UTF8.self))
                                widths[column] = max(widths[column], shown.width)
                                measure.extraBytes += shown.text.utf8.count - shown.width
                            }
                        }
                    }
                    measure.lines += height
                }
            }
        }
        return measure
    }

    /// Draws a part's lines, cells centred in `widths`, from `start`; returns where it ended.
    private static func draw(
        _ part: Part,
        widths: [Int],
        at start: UnsafeMutablePointer<UInt8>
    ) -> UnsafeMutablePointer<UInt8> {
        let columns = widths.count
        let firstLine = part.table.firstLine(ofRow: part.rows.lowerBound)
        var out = start
        part.table.withStorage { storage in
            widths.withUnsafeBufferPointer { widths in
                var starts = [Int](repeating: 0, count: columns)
                starts.withUnsafeMutableBufferPointer { starts in
                    var line = firstLine
                    var cell = part.rows.lowerBound * columns
                    for _ in part.rows {
                        var height = 1
                        for column in 0..<columns {
                            let count = Int(storage.lineCounts[cell + column])
                            starts[column] = line
                            line += count
                            height = max(height, count)
                        }
                        for lineNumber in 0..<height {
                            out.pointee = UInt8(ascii: "|")
                            out += 1
                            for column in 0..<columns {
                                let width = widths[column]
                                guard lineNumber < Int(storage.lineCounts[cell + column]) else {
                                    write(UnsafeBufferPointer(start: nil, count: 0), width: 0, in: width, to: &out)
                                    continue
                                }
                                let bytes = storage.line(starts[column] + lineNumber)
                                if Cell.isPlain(bytes) {
                                    write(bytes, width: bytes.count, in: width, to: &out)
                                } else {
                                    var shown = Cell(String(decoding: bytes, as: UTF8.self))
                                    shown.text.withUTF8 { write($0, width: shown.width, in: width, to: &out) }
                                }
                            }
                            out.pointee = UInt8(ascii: "\n")
                            out += 1
                        }
                        cell += columns
                    }
                }
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

        /// Printable ASCII (nearly every cell) is shown as it is, a column a byte: one look at the
        /// bytes instead of one for escaping and one for the width.
        @inline(__always)
        static func isPlain(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
            line.allSatisfy { $0 >= 0x20 && $0 < 0x7f }
        }

        /// The width of printable ASCII text; nil for any other text.
        static func plainWidth(_ raw: String) -> Int? {
            let plain = raw.utf8.withContiguousStorageIfAvailable(isPlain)
            return plain == true ? raw.utf8.count : nil
        }
    }

    /// One cell's line (`width` columns wide) centred in a column of `columnWidth`, as `center` does,
    /// and the bar after it.
    @inline(__always)
    private static func write(
        _ text: UnsafeBufferPointer<UInt8>,
        width: Int,
        in columnWidth: Int,
        to out: inout UnsafeMutablePointer<UInt8>
    ) {
        let free = columnWidth - width
        let left = free / 2 + (free & columnWidth & 1)
        out.initialize(repeating: UInt8(ascii: " "), count: left + 1)
        out += left + 1
        if let base = text.baseAddress {
            out.initialize(from: base, count: text.count)
            out += text.count
        }
        out.initialize(repeating: UInt8(ascii: " "), count: free - left + 1)
        out += free - left + 1
        out.pointee = UInt8(ascii: "|")
        out += 1
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
