/// A line whose words do not fit the grammar; the message says what was expected.
public enum UsageError: Equatable, Sendable {
    case unknownCommand(String)
    /// A builtin given the wrong arguments: its usage line is the message.
    case commandUsage(command: String)
    case unknownOutputFormat(String)
    case unknownSettingValue(setting: String, value: String)
    case invalidExitStatus(String)
    case noHelp(topic: String)
    case unknownOption(String)
    case ambiguousOption(String, candidates: [String])
    case optionTakesNoValue(String)
    case optionNeedsValue(Grammar.Option)
    case optionGivenTwice(String)
    /// An option that the command's form does not take (`--detailed` on `profile show`).
    case optionNotForForm(Grammar.Option, endpointID: String)
    /// `endpoint` alone.
    case missingEndpointCommand
    /// `endpoint shwo`: one word that is neither `show` nor an ID followed by `profile`.
    case unknownEndpointCommand(String)
    /// `endpoint <ID>` with nothing after it.
    case missingProfileKeyword(endpointID: String)
    case argumentAfterShow(String)
    case argumentAfterWatch(String)
    /// `endpoint <ID> <not profile>`.
    case expectedProfileKeyword(String)
    case missingProfileVerb
    case argumentAfterProfileShow(String)
    case unknownProfileVerb(String)
    case missingProfileNames(verb: String)
}
