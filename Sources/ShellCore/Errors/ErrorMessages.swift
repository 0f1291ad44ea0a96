/// The wording of every error, in one place (as swift-argument-parser's `MessageInfo` does for
/// `ParserError`). Messages the reference page prints (`Endpoint X is unknown to Calico.`) are
/// reproduced exactly; every other one says what went wrong and, where it helps, what to do.
/// Words from the user or from etcd pass through `Validation.printable` (escaped, cut short).
extension ShellError {
    public var description: String {
        switch self {
        case .unterminatedQuote(let single):
            return "syntax error: unterminated \(single ? "single" : "double") quote"
        case .lineTooLong(let bytes):
            return "syntax error: line is \(bytes) bytes long; the limit is \(maximumLineLength)"
        case .unterminatedContinuation:
            return "syntax error: unterminated continuation: the input ends with a backslash"
        case .usage(let error):
            return error.description
        case .invalidIdentifier(let value, let kind):
            return
                "Invalid \(kind.rawValue) '\(printable(value))': "
                + "it must be non-empty, contain no '/' and not be '.' or '..'."
        case .invalidProfileName(let name):
            return
                "Invalid profile name '\(printable(name))': names may contain only letters, digits, '_', '.' and '-'."
        case .repeatedProfile(let name):
            return "Profile \(printable(name)) is given more than once."
        case .invalidAddress(let value, let reason):
            return "Invalid address '\(printable(value))': \(reason.reason)."
        case .invalidState(let value):
            return "Invalid state '\(printable(value))': expected active or inactive."
        case .invalidMAC(let value):
            return "Invalid MAC address '\(printable(value))': expected six hex bytes separated by ':' or '-'."
        case .invalidCount(let value):
            return "Invalid count '\(printable(value))': expected a whole number of changes, 1 or more."
        case .invalidTimeout(let value):
            return "Invalid timeout '\(printable(value))': expected a number of seconds greater than 0."
        case .endpointUnknown(let id):
            return "Endpoint \(DisplayEscaping.visible(id)) is unknown to Calico."
        case .endpointAmbiguous(let matches, let total):
            // calicoctl's sentence, then which endpoints matched, so the user sees which filter to add.
            let named = matches.map { key in
                "--host=\(DisplayEscaping.visible(key.host)) "
                    + "--orchestrator=\(DisplayEscaping.visible(key.orchestrator)) "
                    + "--workload=\(DisplayEscaping.visible(key.workload))"
            }
            let more = total > matches.count ? "; and \(total - matches.count) more" : ""
            return "More than 1 endpoint matches the provided criteria. Please provide additional parameters to "
                + "refine the search. It matches \(named.joined(separator: "; "))\(more)."
        case .profileNotFound(let name):
            return "Profile with name \(DisplayEscaping.visible(name)) was not found."
        case .malformedValue(let endpoint, let key, let reason):
            return "Endpoint \(endpoint) has a malformed value in etcd at \(key) (\(reason)); it was left as it is."
        case .cannotRead(let path, let reason):
            return "cannot read \(DisplayEscaping.visible(path)): \(reason)"
        case .sourceCycle(let path, let chain):
            return "source: \(path) is already being run (a cycle: \(chain.joined(separator: " -> ")))"
        case .atomic(let failure):
            return "--atomic: \(failure.reason); nothing was written"
        case .nestedFailure:
            return "the sourced script failed"
        case .bulkStopped(let changed, let cause):
            return "\(cause.description) (\(changed) endpoint(s) were changed before this; "
                + "running the same command again finishes the rest)"
        case .etcd(let error):
            return error.description
        case .cancelled:
            return "cancelled"
        }
    }

    private func printable(_ value: String) -> String { Validation.printable(value) }
}

extension AtomicFailure {
    var reason: String {
        switch self {
        case .tooManyEndpoints(let limit):
            return
                "this script changes more than \(limit) endpoints, "
                + "more than etcd applies in one transaction (--max-txn-ops)"
        case .profileDeleted(let name):
            return "profile \(name) was deleted by another writer"
        case .endpointDeleted(let id):
            return "endpoint \(id) was deleted by another writer"
        case .malformedValue(let id, let reason):
            return "endpoint \(id) now has a malformed value (\(reason))"
        case .contended(let seconds):
            return "the endpoints kept changing under other writers for \(EtcdError.format(seconds)) s"
        }
    }
}

extension IPNetwork.ParseError {
    var reason: String {
        switch self {
        case .prefixLengthNotNumber: return "the prefix length must be a number"
        case .prefixLengthLeadingZero: return "leading zeros are not allowed in the prefix length"
        case .prefixLengthTooLong(let maximum): return "the prefix length is more than \(maximum)"
        case .mappedPrefixTooShort: return "an IPv4-mapped network needs a prefix length of 96 or more"
        case .ipv4Shape: return "an IPv4 address is four numbers separated by dots"
        case .ipv4Part: return "each part of an IPv4 address is a number from 0 to 255"
        case .leadingZero(let part):
            return "leading zeros are not allowed in IPv4 addresses ('\(part)': octal or decimal?)"
        case .ipv6: return "not an IPv4 or IPv6 address or network"
        }
    }
}

extension UsageError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .unknownCommand(let word):
            return
                "Unknown command '\(printable(word))': expected one of \(Grammar.commandNames.joined(separator: ", "))"
                + Suggestion.hint(for: word, in: Grammar.commandNames)
        case .commandUsage(let command):
            return "Usage: \(Grammar.command(named: command)?.usage ?? command)"
        case .unknownOutputFormat(let word):
            return "Unknown output format '\(printable(word))': expected table or json"
        case .unknownSettingValue(let setting, let value):
            let values = Grammar.settings[setting] ?? []
            return "Unknown \(setting) '\(printable(value))': expected \(values.joined(separator: " or "))"
        case .invalidExitStatus(let word):
            return "exit: status must be a number from 0 to 255, not '\(printable(word))'"
        case .noHelp(let topic):
            return "No help for '\(printable(topic))': try 'help' or 'help endpoint'"
                + Suggestion.hint(for: topic, in: Grammar.commandNames)
        case .unknownOption(let name):
            return "Unknown option '\(printable(name))': expected one of \(Grammar.optionNames.joined(separator: ", "))"
                + Suggestion.hint(for: name, in: Grammar.optionNames)
        case .ambiguousOption(let name, let candidates):
            return "Option '\(printable(name))' is ambiguous: it could be \(candidates.joined(separator: " or "))"
        case .optionTakesNoValue(let name):
            return "Option \(name) takes no value"
        case .optionNeedsValue(let option):
            return "Option \(option.name) needs a value: \(option.usage)"
        case .optionGivenTwice(let name):
            return "Option \(name) is given twice"
        case .optionNotForForm(let option, let id):
            let forms = Grammar.EndpointForm.allCases.filter { option.forms.contains($0) }
                .map { "'\($0.words)'" }.joined(separator: " and ")
            if option.takesValue && option.values == .endpointIDs {
                return "Option \(option.name) is only for \(forms); the endpoint ID is '\(printable(id))' already"
            }
            return "Option \(option.name) is only for \(forms)"
        case .missingEndpointCommand:
            return
                "Incomplete command: expected 'endpoint show' or "
                + "'endpoint <ENDPOINT_ID> profile (append|remove|set|show)'; "
                + "see 'endpoint --help'"
        case .unknownEndpointCommand(let word):
            return "Unknown endpoint command '\(printable(word))': expected 'show' or '<ENDPOINT_ID> profile ...'"
                + Suggestion.hint(for: word, in: ["show"])
        case .missingProfileKeyword(let id):
            return "Incomplete command: expected 'endpoint \(printable(id)) profile (append|remove|set|show)'"
        case .argumentAfterShow(let word):
            return
                "Unexpected argument '\(printable(word))' after 'endpoint show'; "
                + "filters are options such as --host=<HOSTNAME>"
        case .argumentAfterWatch(let word):
            return
                "Unexpected argument '\(printable(word))' after 'endpoint watch'; "
                + "filters are options such as --host=<HOSTNAME>"
        case .expectedProfileKeyword(let word):
            return "Unknown word '\(printable(word))': expected 'profile' after the endpoint ID"
                + Suggestion.hint(for: word, in: ["profile"])
        case .missingProfileVerb:
            return "Incomplete command: expected 'profile (append|remove|set|show)'"
        case .argumentAfterProfileShow(let word):
            return "Unexpected argument '\(printable(word))' after 'profile show'"
        case .unknownProfileVerb(let word):
            return "Unknown profile command '\(printable(word))': expected append, remove, set or show"
                + Suggestion.hint(for: word, in: Grammar.profileVerbs)
        case .missingProfileNames(let verb):
            return "Incomplete command: 'profile \(verb)' needs at least one profile name"
        }
    }

    private func printable(_ value: String) -> String { Validation.printable(value) }
}
