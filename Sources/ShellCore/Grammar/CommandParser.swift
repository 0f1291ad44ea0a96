/// Turns the words of one line into a `Command`, following the grammar declared in `Grammar`
/// (the reference page's docopt grammar plus the shell's builtins). As in docopt, options may stand
/// anywhere after `endpoint`, as `--host=x` or `--host x`, as any unambiguous prefix (`--det`), and
/// `--` ends the options. A leading `calicoctl` is ignored so lines pasted from the documentation
/// work. All validation that needs no data happens here, before anything runs.
public enum CommandParser {
    public static func parse(_ line: String) throws(ShellError) -> Command {
        // `complete` takes the rest of the line verbatim: a trailing space is meaningful there.
        if let rest = rawArgument(of: "complete", in: line) { return .complete(line: rest) }
        return try parse(words: Tokenizer.tokenize(line))
    }

    public static func parse(words: [String]) throws(ShellError) -> Command {
        var words = words[...]
        if words.first == Grammar.ignoredLeadingWord { words = words.dropFirst() }
        guard let first = words.first else { return .nothing }
        let arguments = Array(words.dropFirst())
        if Grammar.helpFlags.contains(first) { return .help(topic: nil) }
        guard let command = Grammar.command(named: first) else { throw .usage(.unknownCommand(first)) }
        switch command.name {
        case "endpoint":
            return try parseEndpoint(arguments)
        case "help":
            guard arguments.count <= 1 else { throw .usage(.commandUsage(command: "help")) }
            return .help(topic: arguments.first)
        case "source":
            guard arguments.count == 1 else { throw .usage(.commandUsage(command: "source")) }
            return .source(path: arguments[0])
        case "echo":
            return .echo(arguments.joined(separator: " "))
        case "set":
            guard arguments.count == 2, Grammar.settings[arguments[0]] != nil else {
                throw .usage(.commandUsage(command: "set"))
            }
            if arguments[0] == "consistency" {
                guard let consistency = ReadConsistency(rawValue: arguments[1]) else {
                    throw .usage(.unknownSettingValue(setting: "consistency", value: arguments[1]))
                }
                return .setConsistency(consistency)
            }
            guard let format = OutputFormat(rawValue: arguments[1]) else {
                throw .usage(.unknownOutputFormat(arguments[1]))
            }
            return .setOutput(format)
        case "exit", "quit":
            guard arguments.count <= 1 else { throw .usage(.commandUsage(command: "exit")) }
            guard let text = arguments.first else { return .exit(status: 0) }
            guard let status = Int32(text), (0...255).contains(status) else { throw .usage(.invalidExitStatus(text)) }
            return .exit(status: status)
        default:  // "complete" given as words (the raw form is taken above)
            return .complete(line: arguments.joined(separator: " "))
        }
    }

    private static func rawArgument(of word: String, in line: String) -> String? {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        guard trimmed.hasPrefix(word) else { return nil }
        let rest = trimmed.dropFirst(word.count)
        if rest.isEmpty { return "" }
        guard rest.first == " " || rest.first == "\t" else { return nil }
        return String(rest.dropFirst())
    }

    // MARK: endpoint

    /// The words after `endpoint`, options sorted from positionals.
    struct EndpointWords {
        /// Option name (`--host`) → value; flags map to "".
        var options: [String: String] = [:]
        var help = false
        var positionals: [String] = []

        func value(_ option: String) -> String? { options[option] }
        func has(_ option: String) -> Bool { options[option] != nil }
    }

    static func splitOptions(_ arguments: [String]) throws(ShellError) -> EndpointWords {
        var words = EndpointWords()
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if optionsEnded || !word.hasPrefix("-") || word == "-" {
                words.positionals.append(word)
                continue
            }
            if word == "--" {
                optionsEnded = true
                continue
            }
            var spelling = word
            var value: String?
            if let equals = word.firstIndex(of: "=") {
                spelling = String(word[..<equals])
                value = String(word[word.index(after: equals)...])
            }
            let option: Grammar.Option
            switch Grammar.option(spelled: spelling) {
            case .help:
                words.help = true
                continue
            case .ambiguous(let candidates): throw .usage(.ambiguousOption(spelling, candidates: candidates))
            case .unknown: throw .usage(.unknownOption(spelling))
            case .option(let match): option = match
            }
            if !option.takesValue {
                if value != nil { throw .usage(.optionTakesNoValue(option.name)) }
                value = ""
            } else if value == nil {
                guard index < arguments.count else { throw .usage(.optionNeedsValue(option)) }
                value = arguments[index]
                index += 1
            }
            if let previous = words.options[option.name], previous != value {
                throw .usage(.optionGivenTwice(option.name))
            }
            words.options[option.name] = value
        }
        return words
    }

    /// The filter the options give (`id`: the endpoint ID of a profile command).
    private static func filter(from words: EndpointWords, endpoint id: String?) throws(ShellError) -> EndpointFilter {
        var filter = EndpointFilter(
            host: words.value("--host"),
            orchestrator: words.value("--orchestrator"),
            workload: words.value("--workload"),
            endpoint: id ?? words.value("--endpoint"),
            profile: words.value("--profile"),
            interface: words.value("--interface")
        )
        if let text = words.value("--address") {
            do {
                filter.address = try IPNetwork.parse(text)
            } catch {
                throw .invalidAddress(text, reason: error)
            }
        }
        if let text = words.value("--state") {
            guard let state = EndpointState(rawValue: text) else { throw .invalidState(text) }
            filter.state = state.rawValue
        }
        if let text = words.value("--mac") {
            guard let mac = MACAddress(text) else { throw .invalidMAC(text) }
            filter.mac = mac
        }
        let parts: [(String?, ShellError.IdentifierKind)] = [
            (filter.host, .hostname), (filter.orchestrator, .orchestrator), (filter.workload, .workload),
            (filter.endpoint, .endpoint), (filter.interface, .interface),
        ]
        for case let (value?, kind) in parts where !Validation.isValidIdentifier(value) {
            throw .invalidIdentifier(value, kind: kind)
        }
        return filter
    }

    /// Every option given must be one the command's form takes.
    private static func check(_ words: EndpointWords, fit form: Grammar.EndpointForm, id: String) throws(ShellError) {
        for option in Grammar.options where words.has(option.name) && !option.forms.contains(form) {
            throw .usage(.optionNotForForm(option, endpointID: id))
        }
    }

    private static func watchLimits(_ words: EndpointWords) throws(ShellError) -> WatchLimits {
        var limits = WatchLimits()
        if let text = words.value("--count") {
            guard let count = Int(text), count > 0 else { throw .invalidCount(text) }
            limits.count = count
        }
        if let text = words.value("--timeout") {
            guard let seconds = Double(text), seconds > 0, seconds.isFinite, seconds < 1e9 else {
                throw .invalidTimeout(text)
            }
            limits.timeout = .milliseconds(Int64((seconds * 1000).rounded(.up)))
        }
        return limits
    }

    private static func parseEndpoint(_ arguments: [String]) throws(ShellError) -> Command {
        let words = try splitOptions(arguments)
        if words.help { return .help(topic: "endpoint") }
        let positionals = words.positionals
        guard let first = positionals.first else { throw .usage(.missingEndpointCommand) }
        if first == "show" && positionals.count == 1 {
            try check(words, fit: .show, id: first)
            let filter = try filter(from: words, endpoint: nil)
            return .showEndpoints(filter, detailed: words.has("--detailed"), wide: words.has("--wide"))
        }
        if first == "watch" {
            guard positionals.count == 1 else { throw .usage(.argumentAfterWatch(positionals[1])) }
            try check(words, fit: .watch, id: first)
            return .endpoint(.watch(try filter(from: words, endpoint: nil), limits: try watchLimits(words)))
        }
        guard positionals.count >= 2 else {
            if Suggestion.nearest(to: first, in: ["show"]) != nil { throw .usage(.unknownEndpointCommand(first)) }
            throw .usage(.missingProfileKeyword(endpointID: first))
        }
        if first == "show" && positionals[1] != "profile" { throw .usage(.argumentAfterShow(positionals[1])) }
        guard positionals[1] == "profile" else { throw .usage(.expectedProfileKeyword(positionals[1])) }
        guard positionals.count >= 3 else { throw .usage(.missingProfileVerb) }
        let verb = positionals[2]
        let profiles = Array(positionals.dropFirst(3))
        if verb == "show" {
            try check(words, fit: .profileShow, id: first)
            let filter = try filter(from: words, endpoint: first)
            guard profiles.isEmpty else { throw .usage(.argumentAfterProfileShow(profiles[0])) }
            return .showProfiles(filter)
        }
        try check(words, fit: .profileEdit, id: first)
        let filter = try filter(from: words, endpoint: first)
        guard let action = ProfileAction(rawValue: verb) else { throw .usage(.unknownProfileVerb(verb)) }
        // Names are checked when they are added; `remove` takes any name an endpoint already has.
        for profile in profiles where action != .remove && !Validation.isValidProfileName(profile) {
            throw .invalidProfileName(profile)
        }
        var seen = Set<String>()
        for profile in profiles where !seen.insert(profile).inserted { throw .repeatedProfile(profile) }
        if profiles.isEmpty && action != .set { throw .usage(.missingProfileNames(verb: verb)) }
        let flags = EditFlags(
            dryRun: words.has("--dry-run"),
            yes: words.has("--yes"),
            detailed: words.has("--detailed")
        )
        if Grammar.selectsMany(first) { return .endpoint(.bulkEditProfiles(filter, action, profiles, flags)) }
        return .endpoint(.editProfiles(filter, action, profiles, flags))
    }
}
