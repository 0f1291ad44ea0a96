/// Candidates for the last word of a line, from the grammar and the index: command words, verbs and
/// options, then host names, orchestrators, workload IDs, endpoint IDs and profile names where the
/// grammar expects them. Pure: the same function serves `complete`, TAB and the bash completion file.
public enum Completer {
    public struct Completion: Equatable, Sendable {
        /// Full replacements for the word being typed, sorted.
        public var candidates: [String]
        /// Where the word being typed starts in the line (in characters).
        public var wordStart: Int
        /// How many candidates there are in all (the list may be cut at `limit`).
        public var total: Int
    }

    public static func complete(_ line: String, index: EndpointIndex, limit: Int = 10_000) -> Completion {
        let words = (try? Tokenizer.tokenizeWithOffsets(line, lenient: true)) ?? []
        let endsInBlank = line.last.map { $0 == " " || $0 == "\t" } ?? true
        let current = endsInBlank ? "" : (words.last?.text ?? "")
        let wordStart = endsInBlank ? line.count : (words.last?.start ?? line.count)
        var before = (endsInBlank ? words : Array(words.dropLast())).map(\.text)
        if before.first == "calicoctl" { before.removeFirst() }

        var (candidates, total) = candidatesFor(before: before, current: current, index: index, limit: limit)
        if before.isEmpty && current == "calicoctl" { candidates = ["calicoctl"]; total = 1 }
        return Completion(candidates: candidates, wordStart: wordStart, total: total)
    }

    private static func filtered(_ words: [String], _ prefix: String) -> [String] {
        words.filter { $0.hasPrefix(prefix) }.sorted()
    }

    private static func candidatesFor(before: [String], current: String, index: EndpointIndex, limit: Int) -> ([String], Int) {
        guard let command = before.first else {
            let words = filtered(CommandParser.commandWords + ["calicoctl"], current)
            return (words, words.count)
        }
        let list: [String]
        switch command {
        case "endpoint":
            return endpointCandidates(Array(before.dropFirst()), current: current, index: index, limit: limit)
        case "help":
            list = before.count == 1 ? filtered(CommandParser.commandWords, current) : []
        case "set":
            list = before.count == 1 ? filtered(["output"], current) : before.count == 2 ? filtered(OutputFormat.allCases.map(\.rawValue), current) : []
        default:
            list = []
        }
        return (list, list.count)
    }

    private static func endpointCandidates(_ arguments: [String], current: String, index: EndpointIndex, limit: Int) -> ([String], Int) {
        // Separate the options already typed from the positional words.
        var positionals: [String] = []
        var given = Set<String>()
        var i = 0
        while i < arguments.count {
            let word = arguments[i]
            if word.hasPrefix("--") {
                let name = String(word.split(separator: "=", maxSplits: 1)[0])
                given.insert(name)
                if !word.contains("=") && CommandParser.valueOptions.contains(name) { i += 1 }
            } else {
                positionals.append(word)
            }
            i += 1
        }
        let isShow = positionals.first == "show"

        // `--host <TAB>`: the value of an option given without `=`.
        if let last = arguments.last, CommandParser.valueOptions.contains(last), !current.hasPrefix("-") {
            return values(for: last, prefix: current, index: index, limit: limit, positionals: positionals)
        }
        if current.hasPrefix("-") {
            if let equals = current.firstIndex(of: "=") {
                let option = String(current[..<equals])
                let (values, total) = values(for: option, prefix: String(current[current.index(after: equals)...]), index: index, limit: limit, positionals: positionals)
                return (values.map { option + "=" + $0 }, total)
            }
            var options = ["--host=", "--orchestrator=", "--workload="]
            if positionals.isEmpty || isShow { options += ["--endpoint=", "--detailed"] }
            let list = filtered(options.filter { !given.contains(String($0.split(separator: "=")[0])) }, current)
            return (list, list.count)
        }
        switch positionals.count {
        case 0:
            let ids = index.endpointIDs(withPrefix: current, limit: limit)
            let show = "show".hasPrefix(current) ? ["show"] : []
            return (show + ids, show.count + index.endpointIDCount(withPrefix: current))
        case 1:
            let list = isShow ? [] : filtered(["profile"], current)
            return (list, list.count)
        case 2:
            let list = filtered(CommandParser.profileVerbs, current)
            return (list, list.count)
        default:
            let verb = positionals[2]
            let already = Set(positionals.dropFirst(3))
            var names: [String]
            switch verb {
            case "append", "set":
                names = index.profileNames
                if verb == "append", let own = ownProfiles(of: positionals[0], index: index) { names.removeAll { own.contains($0) } }
            case "remove":
                names = ownProfiles(of: positionals[0], index: index) ?? []
            default:
                names = []
            }
            let list = filtered(names.filter { !already.contains($0) }, current)
            return (list, list.count)
        }
    }

    private static func ownProfiles(of endpoint: String, index: EndpointIndex) -> [String]? {
        let records = index.records(matching: EndpointFilter(endpoint: endpoint))
        guard records.count == 1, let data = try? EndpointData.decode(records[0].value) else { return nil }
        return data.profiles
    }

    private static func values(for option: String, prefix: String, index: EndpointIndex, limit: Int, positionals: [String]) -> ([String], Int) {
        let list: [String]
        switch option {
        case "--host": list = filtered(index.hostNames, prefix)
        case "--orchestrator": list = filtered(index.orchestratorNames, prefix)
        case "--workload": list = filtered(index.workloadIDs(), prefix)
        case "--endpoint":
            return (index.endpointIDs(withPrefix: prefix, limit: limit), index.endpointIDCount(withPrefix: prefix))
        default: list = []
        }
        return (Array(list.prefix(limit)), list.count)
    }
}
