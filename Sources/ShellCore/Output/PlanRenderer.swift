/// Prints an `EditPlan`, as `diff -u` and `terraform plan` do:
///
///     calico/docker/ba0fc2d6…/d50c…
///     - PROF_A
///       PROF_B
///     + WEB
///
///     Plan: 1 endpoint(s) to change, 4 unchanged, 0 failed line(s); nothing was written (--dry-run).
///
/// An endpoint is named by its host, orchestrator, workload and ID, the parts of its key. In colour
/// (`-` red, `+` green, the name bold) only when asked, that is on a terminal: pipes get plain text.
/// `-o json` gives the whole plan as one document. Pure.
public enum PlanRenderer {
    public static func render(_ plan: EditPlan, format: OutputFormat, colour: Bool) -> String {
        switch format {
        case .table: return text(plan, colour: colour)
        case .json: return json(plan).rendered + "\n"
        }
    }

    static func text(_ plan: EditPlan, colour: Bool, partsFrom minimum: Int = ParallelParts.minimumCount) -> String {
        // A large plan's changes are written in parts at once, joined in order.
        let changes = plan.changes
        let parts = ParallelParts.map(ParallelParts.ranges(changes.count, minimum: minimum)) { range in
            var out = ""
            // About a hundred bytes an endpoint: one string grown once, not a temporary per line.
            out.reserveCapacity(range.count * 128)
            for change in changes[range] {
                if colour {
                    out += paint(name(of: change.key), .bold, true)
                } else {
                    // Straight into the text: a name string per endpoint first was a fifth of this.
                    appendName(of: change.key, to: &out)
                }
                out += "\n"
                appendLines(before: change.before, after: change.after, colour: colour, to: &out)
            }
            return out
        }
        return joined(parts, changes: changes.count, unchanged: plan.unchanged, failedLines: plan.failedLines)
    }

    /// The lines of one endpoint's change, under its name.
    static func appendLines(before: [String], after: [String], colour: Bool, to out: inout String) {
        EditPlan.forEachLine(before: before, after: after) { mark, profile in
            let shown = DisplayEscaping.visible(profile)
            switch mark {
            case .removed: out += colour ? paint("- " + shown, .red, true) : "- "
            case .added: out += colour ? paint("+ " + shown, .green, true) : "+ "
            case .kept: out += "  "
            }
            if !colour || mark == .kept { out += shown }
            out += "\n"
        }
    }

    /// The text of the changes, in `parts` (in order), then the totals.
    static func joined(_ parts: [String], changes: Int, unchanged: Int, failedLines: Int) -> String {
        var out = ""
        out.reserveCapacity(parts.reduce(128) { $0 + $1.utf8.count })
        for part in parts { out += part }
        if changes > 0 { out += "\n" }
        return out + total(changes: changes, unchanged: unchanged, failedLines: failedLines)
            + "; nothing was written (--dry-run).\n"
    }

    /// `Plan: 212 endpoint(s) to change, 3 unchanged, 0 failed line(s)`: also what the terminal
    /// shows before asking `Apply? [y/N]`.
    public static func total(_ plan: EditPlan) -> String {
        total(changes: plan.changes.count, unchanged: plan.unchanged, failedLines: plan.failedLines)
    }

    static func total(changes: Int, unchanged: Int, failedLines: Int) -> String {
        "Plan: \(changes) endpoint(s) to change, \(unchanged) unchanged, \(failedLines) failed line(s)"
    }

    static func name(of key: EndpointKey) -> String {
        var name = ""
        appendName(of: key, to: &name)
        return name
    }

    /// `appendName(of:)` from the names' bytes (a key read from etcd), with no string made for a
    /// name that is printable ASCII.
    static func appendName(_ names: DetailedRows.Names, to out: inout String) {
        func append(_ name: UnsafeRawBufferPointer) {
            if name.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) {
                out += String(decoding: name, as: UTF8.self)
            } else {
                out += DisplayEscaping.visible(KeyText.decode(name))
            }
        }
        append(names.host)
        out += "/"
        append(names.orchestrator)
        out += "/"
        append(names.workload)
        out += "/"
        append(names.endpoint)
    }

    static func appendName(of key: EndpointKey, to out: inout String) {
        out += DisplayEscaping.visible(key.host)
        out += "/"
        out += DisplayEscaping.visible(key.orchestrator)
        out += "/"
        out += DisplayEscaping.visible(key.workload)
        out += "/"
        out += DisplayEscaping.visible(key.endpoint)
    }

    static func json(_ plan: EditPlan) -> JSONValue {
        .object([
            (
                "changes",
                .array(
                    plan.changes.map { change in
                        .object([
                            ("hostname", .string(change.key.host)),
                            ("orchestrator_id", .string(change.key.orchestrator)),
                            ("workload_id", .string(change.key.workload)),
                            ("endpoint_id", .string(change.key.endpoint)),
                            ("before", .strings(change.before)),
                            ("after", .strings(change.after)),
                        ])
                    }
                )
            ),
            ("changed", .number(plan.changes.count)),
            ("unchanged", .number(plan.unchanged)),
            ("failed_lines", .number(plan.failedLines)),
            ("written", .bool(false)),
        ])
    }

    enum Colour: String {
        case bold = "1"
        case red = "31"
        case green = "32"
    }

    static func paint(_ text: String, _ colour: Colour, _ enabled: Bool) -> String {
        enabled ? "\u{1B}[\(colour.rawValue)m\(text)\u{1B}[0m" : text
    }
}
