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
        if before.first == Grammar.ignoredLeadingWord { before.removeFirst() }

        var (candidates, total) = candidatesFor(before: before, current: current, index: index, limit: limit)
        if before.isEmpty && current == Grammar.ignoredLeadingWord { (candidates, total) = ([current], 1) }
        return Completion(candidates: candidates, wordStart: wordStart, total: total)
    }

    private static func filtered(_ words: [String], _ prefix: String) -> [String] {
        words.filter { $0.hasPrefix(prefix) }.sorted()
    }

    private static func candidatesFor(
        before: [String],
        current: String,
        index: EndpointIndex,
        limit: Int
    ) -> ([String], Int) {
        guard let word = before.first else {
            // Aliases (`\q`) only once their first character is typed: they would crowd every listing.
            let aliases = current.isEmpty ? [] : Grammar.commands.flatMap(\.aliases)
            let words = filtered(Grammar.commandNames + aliases + [Grammar.ignoredLeadingWord], current)
            return (words, words.count)
        }
        guard let command = Grammar.command(named: word) else { return ([], 0) }
        if command.name == "endpoint" {
            return endpointCandidates(Array(before.dropFirst()), current: current, index: index, limit: limit)
        }
        let position = before.count - 1
        guard position < command.arguments.count else { return ([], 0) }
        let list: [String]
        switch command.arguments[position] {
        case .words(let words): list = filtered(words, current)
        case .commandNames: list = filtered(Grammar.commandNames, current)
        case .settingValues: list = filtered(Grammar.settings[before[position]] ?? [], current)
        }
        return (list, list.count)
    }

    private static func endpointCandidates(
        _ arguments: [String],
        current: String,
        index: EndpointIndex,
        limit: Int
    ) -> ([String], Int) {
        // Separate the options already typed (in any spelling the parser takes) from the positional words.
        var positionals: [String] = []
        var given = Set<String>()
        var awaitingValue: Grammar.Option?
        for word in arguments {
            if let option = awaitingValue {
                awaitingValue = nil
                given.insert(option.name)
                continue
            }
            guard word.hasPrefix("-"), word != "-" else {
                positionals.append(word)
                continue
            }
            let spelling = String(word.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)[0])
            guard case .option(let option) = Grammar.option(spelled: spelling) else { continue }
            given.insert(option.name)
            if option.takesValue && !word.contains("=") { awaitingValue = option }
        }

        // `--host <TAB>` (or `--ho <TAB>`): the value of an option given without `=`.
        if let option = awaitingValue, !current.hasPrefix("-") {
            return values(for: option, prefix: current, index: index, limit: limit)
        }
        if current.hasPrefix("-") {
            if let equals = current.firstIndex(of: "=") {
                let spelling = String(current[..<equals])
                guard case .option(let option) = Grammar.option(spelled: spelling) else { return ([], 0) }
                let prefix = String(current[current.index(after: equals)...])
                let (values, total) = values(for: option, prefix: prefix, index: index, limit: limit)
                return (values.map { spelling + "=" + $0 }, total)
            }
            let forms = possibleForms(positionals)
            let offered = Grammar.options.filter { option in
                !given.contains(option.name) && !option.forms.isDisjoint(with: forms)
            }
            let list = filtered(offered.map(\.completion), current)
            return (list, list.count)
        }
        switch positionals.count {
        case 0:
            let (ids, total) = index.endpointIDsAndCount(withPrefix: current, limit: limit)
            let words = filtered(Grammar.endpointSubcommands, current)
            return (words + ids, words.count + total)
        case 1:
            let list = Grammar.endpointSubcommands.contains(positionals[0]) ? [] : filtered(["profile"], current)
            return (list, list.count)
        case 2:
            let list = filtered(Grammar.profileVerbs, current)
            return (list, list.count)
        default:
            let verb = positionals[2]
            let already = Set(positionals.dropFirst(3))
            var names: [String]
            switch verb {
            case "append", "set":
                names = index.profileNames
                if verb == "append", let own = ownProfiles(of: positionals[0], index: index) {
                    names.removeAll { own.contains($0) }
                }
            case "remove":
                names = ownProfiles(of: positionals[0], index: index) ?? []
            default:
                names = []
            }
            let list = filtered(names.filter { !already.contains($0) }, current)
            return (list, list.count)
        }
    }

    /// The forms the line can still become, from the positional words typed so far.
    private static func possibleForms(_ positionals: [String]) -> Set<Grammar.EndpointForm> {
        guard let first = positionals.first else { return Set(Grammar.EndpointForm.allCases) }
        if first == "show" { return [.show] }
        if first == "watch" { return [.watch] }
        if positionals.count >= 3 { return positionals[2] == "show" ? [.profileShow] : [.profileEdit] }
        return [.profileShow, .profileEdit]
    }

    private static func ownProfiles(of endpoint: String, index: EndpointIndex) -> [String]? {
        let records = index.records(matching: EndpointFilter(endpoint: endpoint))
        guard records.count == 1, let data = try? EndpointData.decode(records[0].value) else { return nil }
        return data.profiles
    }

    private static func values(
        for option: Grammar.Option,
        prefix: String,
        index: EndpointIndex,
        limit: Int
    ) -> ([String], Int) {
        // A pattern (`node-0*`) completes to the names it matches, so TAB shows what it selects.
        let pattern = NamePattern.hasPatternCharacter(prefix) ? NamePattern(prefix) : nil
        func chosen(_ names: [String]) -> [String] {
            guard let pattern else { return filtered(names, prefix) }
            return names.filter { pattern.matches($0) }.sorted()
        }
        let list: [String]
        switch option.values {
        case .hostNames?: list = chosen(index.hostNames)
        case .orchestratorNames?: list = chosen(index.orchestratorNames)
        case .workloadIDs?: list = chosen(index.workloadIDs())
        case .endpointIDs?:
            if pattern != nil {
                list = chosen(index.endpointIDs(withPrefix: NamePattern(prefix).literalPrefix))
            } else {
                return index.endpointIDsAndCount(withPrefix: prefix, limit: limit)
            }
        case .profileNames?: list = filtered(index.profileNamesInUse, prefix)
        case .addresses?: list = index.networks(withPrefix: prefix)
        case .macAddresses?: list = filtered(index.valueStrings(\.mac), prefix.lowercased())
        case .interfaceNames?: list = chosen(index.valueStrings(\.name))
        case .words(let words)?: list = filtered(words, prefix)
        case nil: list = []
        }
        return (Array(list.prefix(limit)), list.count)
    }
}
