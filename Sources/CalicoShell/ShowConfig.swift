import ShellCore

/// `calico-shell --show-config`: the connection settings and their sources, without connecting or asking
/// for a password. A configuration that cannot be resolved fails as it would when connecting (status 2).
enum ShowConfig {
    static func run(_ options: CalicoShellOptions, environment: [String: String], output: StandardStreams) -> Int32 {
        do {
            let (settings, choice) = try ConnectionSettings.resolve(from: options, environment: environment)
            output.standardOutput(settings.report(configFileNote: (choice.value, choice.source)))
            return 0
        } catch {
            output.standardError("calico-shell: \(error)\n")
            return 2
        }
    }
}
