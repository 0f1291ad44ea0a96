/// Turns the words of one line into a `Command`, following the reference page's docopt grammar:
///
///     endpoint show [--host=<HOSTNAME>] [--orchestrator=<ORCHESTRATOR_ID>]
///       [--workload=<WORKLOAD_ID>] [--endpoint=<ENDPOINT_ID>] [--detailed]
///     endpoint <ENDPOINT_ID> profile (append|remove|set) [--host=…] [--orchestrator=…] [--workload=…] [<PROFILES>...]
///     endpoint <ENDPOINT_ID> profile show [--host=…] [--orchestrator=…] [--workload=…]
///
/// plus the shell's builtins. As in docopt, options may stand anywhere after `endpoint`, as `--host=x` or
/// `--host x`, and `--` ends the options. A leading `calicoctl` is ignored so lines pasted from the
/// documentation work. All validation that needs no data happens here, before anything runs.
public enum CommandParser {
    public static let commandWords = ["endpoint", "help", "source", "echo", "set", "exit", "quit", "complete"]
    public static let valueOptions = ["--host", "--orchestrator", "--workload", "--endpoint"]
    public static let flagOptions = ["--detailed", "--help"]
    public static let profileVerbs = ["append", "remove", "set", "show"]

    public static func parse(_ line: String) throws(ShellError) -> Command {
        // `complete` takes the rest of the line verbatim: a trailing space is meaningful there.
        if let rest = rawArgument(of: "complete", in: line) { return .complete(line: rest) }
        return try parse(words: Tokenizer.tokenize(line))
    }

    public static func parse(words: [String]) throws(ShellError) -> Command {
        var words = words[...]
        if words.first == "calicoctl" { words = words.dropFirst() }
        guard let first = words.first else { return .nothing }
        let arguments = Array(words.dropFirst())
        switch first {
        case "endpoint": return try parseEndpoint(arguments)
        case "help", "\\?", "?": return try parseHelp(arguments)
        case "-h", "--help": return .help(topic: nil)
        case "source", "\\i":
            guard arguments.count == 1 else { throw .usage("Usage: source FILE") }
            return .source(path: arguments[0])
        case "echo": return .echo(arguments.joined(separator: " "))
        case "set": return try parseSet(arguments)
        case "exit", "quit", "\\q":
            return try parseExit(arguments)
        case "complete": return .complete(line: arguments.joined(separator: " "))
        default:
            throw .usage("Unknown command '\(Validation.printable(first))': expected one of \(commandWords.joined(separator: ", "))\(Suggestion.hint(for: first, in: commandWords))")
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

    private static func parseHelp(_ arguments: [String]) throws(ShellError) -> Command {
        guard arguments.count <= 1 else { throw .usage("Usage: help [COMMAND]") }
        return .help(topic: arguments.first)
    }

    private static func parseSet(_ arguments: [String]) throws(ShellError) -> Command {
        guard arguments.count == 2, arguments[0] == "output" else {
            throw .usage("Usage: set output table|json")
        }
        guard let format = OutputFormat(rawValue: arguments[1]) else {
            throw .usage("Unknown output format '\(Validation.printable(arguments[1]))': expected table or json")
        }
        return .setOutput(format)
    }

    private static func parseExit(_ arguments: [String]) throws(ShellError) -> Command {
        guard arguments.count <= 1 else { throw .usage("Usage: exit [STATUS]") }
        guard let text = arguments.first else { return .exit(status: 0) }
        guard let status = Int32(text), (0...255).contains(status) else {
            throw .usage("exit: status must be a number from 0 to 255, not '\(Validation.printable(text))'")
        }
        return .exit(status: status)
    }

    // MARK: endpoint

    private struct Options {
        var values: [String: String] = [:]
        var detailed = false
        var help = false
        var positionals: [String] = []
    }

    private static func splitOptions(_ arguments: [String]) throws(ShellError) -> Options {
        var options = Options()
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if optionsEnded || !word.hasPrefix("-") || word == "-" {
                options.positionals.append(word)
                continue
            }
            if word == "--" { optionsEnded = true; continue }
            if word == "-h" { options.help = true; continue }
            let name: String
            var value: String?
            if let equals = word.firstIndex(of: "=") {
                name = String(word[..<equals])
                value = String(word[word.index(after: equals)...])
            } else {
                name = word
            }
            let known = valueOptions + flagOptions
            // docopt accepts any unambiguous prefix of a long option (`--det` for `--detailed`).
            let matches = known.contains(name) ? [name] : known.filter { $0.hasPrefix(name) && name.count > 2 }
            guard matches.count == 1, let option = matches.first else {
                let suggestion = Suggestion.hint(for: name, in: known)
                if matches.count > 1 {
                    throw .usage("Option '\(Validation.printable(name))' is ambiguous: it could be \(matches.joined(separator: " or "))")
                }
                throw .usage("Unknown option '\(Validation.printable(name))': expected one of \(known.joined(separator: ", "))\(suggestion)")
            }
            if flagOptions.contains(option) {
                if value != nil { throw .usage("Option \(option) takes no value") }
                if option == "--detailed" { options.detailed = true } else { options.help = true }
                continue
            }
            if value == nil {
                guard index < arguments.count else { throw .usage("Option \(option) needs a value: \(option)=<\(placeholder(option))>") }
                value = arguments[index]
                index += 1
            }
            let field = String(option.dropFirst(2))
            if let previous = options.values[field], previous != value {
                throw .usage("Option \(option) is given twice")
            }
            options.values[field] = value
        }
        return options
    }

    private static func placeholder(_ option: String) -> String {
        switch option {
        case "--host": return "HOSTNAME"
        case "--orchestrator": return "ORCHESTRATOR_ID"
        case "--workload": return "WORKLOAD_ID"
        default: return "ENDPOINT_ID"
        }
    }

    private static func filter(from options: Options, endpoint: String?) throws(ShellError) -> EndpointFilter {
        let filter = EndpointFilter(
            host: options.values["host"], orchestrator: options.values["orchestrator"],
            workload: options.values["workload"], endpoint: endpoint ?? options.values["endpoint"])
        if let host = filter.host { try Validation.checkIdentifier(host, name: "hostname") }
        if let orchestrator = filter.orchestrator { try Validation.checkIdentifier(orchestrator, name: "orchestrator ID") }
        if let workload = filter.workload { try Validation.checkIdentifier(workload, name: "workload ID") }
        if let endpoint = filter.endpoint { try Validation.checkIdentifier(endpoint, name: "endpoint ID") }
        return filter
    }

    private static func parseEndpoint(_ arguments: [String]) throws(ShellError) -> Command {
        let options = try splitOptions(arguments)
        if options.help { return .help(topic: "endpoint") }
        let positionals = options.positionals
        guard let first = positionals.first else {
            throw .usage("Incomplete command: expected 'endpoint show' or 'endpoint <ENDPOINT_ID> profile (append|remove|set|show)'; see 'endpoint --help'")
        }
        if first == "show" && positionals.count == 1 {
            return .showEndpoints(try filter(from: options, endpoint: nil), detailed: options.detailed)
        }
        guard positionals.count >= 2 else {
            if let near = Suggestion.nearest(to: first, in: ["show"]) {
                throw .usage("Unknown endpoint command '\(Validation.printable(first))': expected 'show' or '<ENDPOINT_ID> profile ...'; did you mean '\(near)'?")
            }
            throw .usage("Incomplete command: expected 'endpoint \(Validation.printable(first)) profile (append|remove|set|show)'")
        }
        if first == "show" && positionals[1] != "profile" {
            throw .usage("Unexpected argument '\(Validation.printable(positionals[1]))' after 'endpoint show'; filters are options such as --host=<HOSTNAME>")
        }
        guard positionals[1] == "profile" else {
            throw .usage("Unknown word '\(Validation.printable(positionals[1]))': expected 'profile' after the endpoint ID\(Suggestion.hint(for: positionals[1], in: ["profile"]))")
        }
        guard positionals.count >= 3 else {
            throw .usage("Incomplete command: expected 'profile (append|remove|set|show)'")
        }
        let verb = positionals[2]
        if options.values["endpoint"] != nil {
            throw .usage("Option --endpoint is only for 'endpoint show'; the endpoint ID is '\(Validation.printable(first))' already")
        }
        if options.detailed {
            throw .usage("Option --detailed is only for 'endpoint show'")
        }
        let filter = try filter(from: options, endpoint: first)
        let profiles = Array(positionals.dropFirst(3))
        if verb == "show" {
            guard profiles.isEmpty else {
                throw .usage("Unexpected argument '\(Validation.printable(profiles[0]))' after 'profile show'")
            }
            return .showProfiles(filter)
        }
        guard let action = ProfileAction(rawValue: verb) else {
            throw .usage("Unknown profile command '\(Validation.printable(verb))': expected append, remove, set or show\(Suggestion.hint(for: verb, in: profileVerbs))")
        }
        // Names are checked when they are added; `remove` takes any name an endpoint already has.
        for profile in profiles where action != .remove && !Validation.isValidProfileName(profile) {
            throw .invalidValue("Invalid profile name '\(Validation.printable(profile))': names may contain only letters, digits, '_', '.' and '-'.")
        }
        var seen = Set<String>()
        for profile in profiles where !seen.insert(profile).inserted {
            throw .invalidValue("Profile \(profile) is given more than once.")
        }
        if profiles.isEmpty && action != .set {
            throw .usage("Incomplete command: 'profile \(verb)' needs at least one profile name")
        }
        return .editProfiles(filter, action, profiles)
    }
}
