import ArgumentParser

/// swift-argument-parser runs `validate()` before it looks for unknown options, so in
/// `calico-shell --datastor etcdv2 -c "endpoint show"` the stray `etcdv2`, taken for SCRIPT, made
/// validation fail with `Give either a script or -c commands, not both.` and the typo went unnamed.
/// When validation fails, parsing again with validation off lets the parser report the unknown option in
/// its own words, with its nearest-name suggestion (`Did you mean '--datastore'?`).
extension CalicoShellOptions {
    nonisolated(unsafe) static var onlyLookingForUnknownOptions = false

    /// Parses the command line; on a validation failure, an unknown option's error wins over it.
    static func parseReportingUnknownOptionsFirst(_ arguments: [String]? = nil) throws -> CalicoShellOptions {
        do {
            return try parse(arguments)
        } catch {
            guard exitCode(for: error) != .success else { throw error }
            onlyLookingForUnknownOptions = true
            defer { onlyLookingForUnknownOptions = false }
            _ = try parse(arguments)  // throws the unknown option's error, if there is one
            throw error
        }
    }
}
