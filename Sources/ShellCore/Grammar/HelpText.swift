/// Help texts. The `endpoint` one is the reference page's help block, verbatim (its longest example
/// line is continued with a trailing backslash in the source, which joins it back into one line).
public enum HelpText {
    public static let endpoint = """
        Usage:
          calicoctl endpoint show [--host=<HOSTNAME>] [--orchestrator=<ORCHESTRATOR_ID>]
            [--workload=<WORKLOAD_ID>] [--endpoint=<ENDPOINT_ID>] [--detailed]
          calicoctl endpoint <ENDPOINT_ID> profile (append|remove|set) [--host=<HOSTNAME>]
            [--orchestrator=<ORCHESTRATOR_ID>] [--workload=<WORKLOAD_ID>]  [<PROFILES>...]
          calicoctl endpoint <ENDPOINT_ID> profile show [--host=<HOSTNAME>]
            [--orchestrator=<ORCHESTRATOR_ID>] [--workload=<WORKLOAD_ID>]

        Description:
          Configure or show endpoints assigned to existing containers

        Options:
         --detailed                         Show additional information
         --host=<HOSTNAME>                  Filters endpoints on a specific host
         --orchestrator=<ORCHESTRATOR_ID>   Filters endpoints created on a specific orchestrator
         --workload=<WORKLOAD_ID>           Filters endpoints on a specific workload
         --endpoint=<ENDPOINT_ID>           Filters endpoints with a specific endpoint ID

        Examples:
            Show all endpoints belonging to 'host1':
                $ calicoctl endpoint show --host=host1

            Add a profile called 'profile-A' to the endpoint a1b2c3d4:
                $ calicoctl endpoint a1b2c3d4 profile append profile-A

            Add a profile called 'profile-A' to the endpoint a1b2c3d4, but faster,
            by providing more specific filters:
                $ calicoctl endpoint a1b2c3d4 profile append profile-A --host=host1 \
        --orchestrator=docker --workload=f9e8d7e6

        """

    /// What `endpoint --help` prints after the reference page's text: the options calico-shell adds.
    public static let extensions: String = {
        var lines = [
            "", "calico-shell extensions:", "  calicoctl endpoint watch [filters] [--count=<N>] [--timeout=<SECONDS>]",
            "",
        ]
        lines.append(" Options added to the reference page's (filters combine with AND):")
        let added = Grammar.options.filter { !referenceOptions.contains($0.name) }
        for option in added {
            let usage = " " + option.usage
            lines.append(usage + String(repeating: " ", count: max(1, 36 - usage.count)) + option.summary)
        }
        lines += [
            "",
            " --host, --orchestrator, --workload, --endpoint, --interface and the endpoint ID of the",
            " profile commands take shell patterns (*, ?, [...]); other values match exactly.",
            " A pattern as the ID of 'profile append|remove|set' edits every endpoint it selects",
            " (with --detailed, a row per endpoint; at the terminal, more than 10 to change asks first).",
            "",
        ]
        return lines.joined(separator: "\n")
    }()

    /// The options the reference page's help lists.
    static let referenceOptions: Set<String> = ["--detailed", "--host", "--orchestrator", "--workload", "--endpoint"]

    /// What `help` prints: every command, like psql's `\\?`, made from the grammar declaration.
    public static let overview: String = {
        var lines = ["Commands:"]
        for (form, words, trailing, summary) in Grammar.formUsage {
            let parts = [words] + Grammar.optionUsage(for: form) + (trailing.map { [$0] } ?? [])
            lines += wrapped(parts, width: 78, first: "  ", rest: "    ")
            lines.append(String(repeating: " ", count: summaryColumn) + summary)
        }
        lines += ["", "Shell commands:"]
        for command in Grammar.commands where command.name != "endpoint" {
            let usage = "  " + command.usage
            let padding = String(repeating: " ", count: max(1, summaryColumn - usage.count))
            let aliases = command.aliases.isEmpty ? "" : " (also \(command.aliases.joined(separator: ", ")))"
            lines.append(usage + padding + command.summary + aliases)
        }
        lines += [
            "",
            "A leading '\(Grammar.ignoredLeadingWord)' is ignored, so lines from the documentation "
                + "can be pasted as they are.",
            "Type 'endpoint --help' for the endpoint commands' options.", "",
        ]
        return lines.joined(separator: "\n") + "\n"
    }()

    private static let summaryColumn = 32

    /// `parts` joined by spaces into lines of at most `width` columns (a part is never split).
    static func wrapped(_ parts: [String], width: Int, first: String, rest: String) -> [String] {
        var lines: [String] = []
        var line = first
        for part in parts {
            let indent = lines.isEmpty ? first : rest
            if line.count > indent.count && line.count + 1 + part.count > width {
                lines.append(line)
                line = rest
            }
            line += (line == first || line == rest ? "" : " ") + part
        }
        lines.append(line)
        return lines
    }
}
