/// How results are printed: the reference page's tables, or JSON for programs (`-o json`).
public enum OutputFormat: String, Equatable, Sendable, CaseIterable {
    case table, json
}
