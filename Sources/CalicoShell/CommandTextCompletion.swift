import ArgumentParser

#if canImport(Glibc)
import Glibc
#endif

/// TAB completion of the text of `-c "…"` in bash, zsh and fish. The completion scripts come from
/// swift-argument-parser (`--generate-completion-script`), which calls back into calico-shell for this
/// option; the candidates then come from the shell's own `complete` builtin against the live etcd, run as
/// a child so that it uses the connection options already on the command line.
enum CommandTextCompletion {
    /// Connection options worth passing on to the child, with or without a value.
    static let optionsWithValue: Set<String> = [
        "--endpoints", "--prefix", "--cacert", "--cert", "--key", "--user",
        "--password", "--config", "-C",
    ]
    static let flags: Set<String> = ["--insecure-skip-tls-verify"]

    /// `words` is the command line, `index` the word being completed, `prefix` its text up to the cursor
    /// (with the quote the user opened, in bash and zsh).
    @Sendable static func candidates(words: [String], index: Int, prefix: String) -> [String] {
        // The whole word: zsh's script measures the cursor wrongly inside an unclosed quote with spaces.
        var text = index < words.count ? words[index] : prefix
        var quote = ""
        if let first = text.first, first == "\"" || first == "'" {
            text.removeFirst()
            // bash compares candidates with the word as typed, quote included; zsh without it.
            if getenv("SAP_SHELL").map({ String(cString: $0) }) != "zsh" { quote = String(first) }
        }
        let head = text.lastIndex(of: " ").map { String(text[...$0]) } ?? ""
        var arguments = connectionArguments(Array(words.prefix(index)))
        arguments += ["--dial-timeout", "2", "-c", "complete \(text)"]
        guard let output = runSelf(arguments) else { return [] }
        return output.split(separator: "\n").map { quote + head + $0 }
    }

    static func connectionArguments(_ typed: [String]) -> [String] {
        let words = rejoinedAtWordBreaks(typed)
        var result: [String] = []
        var index = 1
        while index < words.count {
            let word = words[index]
            let name = word.split(separator: "=", maxSplits: 1).first.map(String.init) ?? word
            if optionsWithValue.contains(word), index + 1 < words.count {
                result += [word, words[index + 1]]
                index += 1
            } else if word.contains("="), optionsWithValue.contains(name) || flags.contains(word) {
                result.append(word)
            } else if flags.contains(word) {
                result.append(word)
            }
            index += 1
        }
        return result
    }

    /// bash splits its words at `:` and `=` too (COMP_WORDBREAKS): `http://h:2379` arrives as `http`, `:`,
    /// `//h`, `:`, `2379`. A word that is just `:` or `=` joins its neighbours back into one.
    static func rejoinedAtWordBreaks(_ words: [String]) -> [String] {
        var result: [String] = []
        var joinNext = false
        for word in words {
            if word == ":" || word == "=", !result.isEmpty {
                result[result.count - 1] += word
                joinNext = true
            } else if joinNext {
                result[result.count - 1] += word
                joinNext = false
            } else {
                result.append(word)
            }
        }
        return result
    }

    /// Runs this executable with `arguments`, stdin and stderr on /dev/null; its stdout, or nil.
    private static func runSelf(_ arguments: [String]) -> String? {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { return nil }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
        let executable = "/proc/self/exe"
        let argv = ([CommandLine.arguments.first ?? "calico-shell"] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, executable, &actions, nil, argv, environ)
        close(pipeEnds[1])
        defer { close(pipeEnds[0]) }
        guard spawned == 0 else { return nil }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(pipeEnds[0], &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes += buffer[..<count]
        }
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        return String(decoding: bytes, as: UTF8.self)
    }
}
