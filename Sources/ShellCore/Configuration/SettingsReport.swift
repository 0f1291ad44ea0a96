import Foundation

/// `--show-config`: each connection setting, its value and where it came from, as aligned columns.
/// Passwords and inline keys are never shown: a password is `(set)`, inline PEM is `(inline PEM)`.
extension ResolvedSettings {
    /// `configFileNote` says how the file was chosen (`flag --config`, `default`, or why none was read).
    public func report(configFileNote: (value: String, source: String)) -> String {
        func pem(_ setting: Sourced<PEMSetting>?) -> (String, String) {
            switch setting?.value {
            case .path(let path)?: return (path, setting!.source.description)
            case .inline?: return ("(inline PEM)", setting!.source.description)
            case nil: return ("(not set)", "")
            }
        }
        let rows: [(String, String, String)] = [
            ("config file", configFileNote.value, configFileNote.source),
            requestedDatastore == nil
                // Detected when connecting: v3 if it holds the prefix, else v2 if that does, else v3.
                ? ("datastore", "detect", "default")
                : ("datastore", datastore.value.rawValue, datastore.source.description),
            ("endpoints", endpoints.value.map(\.description).joined(separator: ","), endpoints.source.description),
            {
                let (value, source) = pem(caCertificate)
                return ("CA certificate", value, source)
            }(),
            {
                let (value, source) = pem(certificate)
                return ("client certificate", value, source)
            }(),
            {
                let (value, source) = pem(key)
                return ("client key", value, source)
            }(),
            (
                "verify server", skipVerify ? "no (insecure)" : "yes",
                skipVerify ? "flag --insecure-skip-tls-verify" : "default"
            ),
            ("user", user?.value ?? "(not set)", user?.source.description ?? ""),
            ("password", password == nil ? "(not set)" : "(set)", password?.source.description ?? ""),
        ]
        let first = max("setting".count, rows.map { $0.0.count }.max() ?? 0)
        let second = max("value".count, rows.map { $0.1.count }.max() ?? 0)
        func line(_ a: String, _ b: String, _ c: String) -> String {
            let text =
                a.padding(toLength: first + 2, withPad: " ", startingAt: 0)
                + b.padding(toLength: second + 2, withPad: " ", startingAt: 0) + c
            return String(text.reversed().drop(while: { $0 == " " }).reversed()) + "\n"
        }
        return line("setting", "value", "source") + rows.map { line($0.0, $0.1, $0.2) }.joined()
    }
}
