import Foundation
import ShellCore

#if canImport(Glibc)
import Glibc
#endif

/// The private interactive history: one entry per line, appended (O_APPEND) after each command so
/// two shells at once both keep theirs; created with mode 0600; capped at `capacity` entries.
/// Adjacent duplicates are not written again.
final class HistoryFile {
    static let capacity = 1_000
    let path: String
    private var last: String?

    init(path: String) {
        self.path = path
    }

    /// `$XDG_STATE_HOME/calico-shell/history`, else `~/.local/state/calico-shell/history`.
    static func defaultPath(environment: [String: String]) -> String? {
        if let state = environment["XDG_STATE_HOME"], !state.isEmpty { return state + "/calico-shell/history" }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.local/state/calico-shell/history"
    }

    /// The saved entries, oldest first; trims the file to `capacity` entries.
    func load() -> [String] {
        makeFolder()
        guard let file = fopen(path, "r") else { return [] }
        var lines: [String] = []
        var buffer: UnsafeMutablePointer<CChar>?
        var size = 0
        while getline(&buffer, &size, file) >= 0, let buffer {
            var line = String(cString: buffer)
            if line.hasSuffix("\n") { line.removeLast() }
            if !line.isEmpty { lines.append(Self.decode(line)) }
        }
        free(buffer)
        fclose(file)
        if lines.count > Self.capacity {
            lines = Array(lines.suffix(Self.capacity))
            rewrite(lines)
        }
        last = lines.last
        return lines
    }

    func append(_ entry: String) {
        guard entry != last else { return }
        last = entry
        makeFolder()
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        fchmod(fd, 0o600)
        let line = Self.encode(entry) + "\n"
        _ = line.withCString { write(fd, $0, strlen($0)) }
    }

    private func rewrite(_ lines: [String]) {
        let temporary = path + ".tmp.\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { return }
        let text = lines.map { Self.encode($0) + "\n" }.joined()
        _ = text.withCString { write(fd, $0, strlen($0)) }
        close(fd)
        rename(temporary, path)
    }

    private func makeFolder() {
        var folder = ""
        for part in path.split(separator: "/").dropLast() {
            folder += "/" + part
            mkdir(folder, 0o700)
        }
    }

    /// Entries are single lines; a backslash and a newline are escaped so any entry round-trips.
    static func encode(_ entry: String) -> String {
        entry.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func decode(_ line: String) -> String {
        var out = ""
        var escaping = false
        for character in line {
            if escaping {
                out.append(character == "n" ? "\n" : character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                out.append(character)
            }
        }
        return out
    }
}
