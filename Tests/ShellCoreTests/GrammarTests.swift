import XCTest

@testable import ShellCore

final class GrammarTests: XCTestCase {
    func testTokenizerQuotesEscapesAndComments() throws {
        XCTAssertEqual(
            try Tokenizer.tokenize(#"a 'b c' "d \"e\" \x" f\ g # comment"#),
            ["a", "b c", #"d "e" \x"#, "f g"]
        )
        XCTAssertEqual(try Tokenizer.tokenize("a#b '#' # c"), ["a#b", "#"])
        XCTAssertEqual(try Tokenizer.tokenize("   "), [])
        XCTAssertEqual(try Tokenizer.tokenize("''"), [""])
        XCTAssertThrowsError(try Tokenizer.tokenize("a 'b")) {
            XCTAssertEqual($0 as? ShellError, .unterminatedQuote(single: true))
        }
    }

    func testEndpointShowWithOptionsAnywhere() throws {
        let filter = EndpointFilter(host: "h1", orchestrator: "docker", workload: "w", endpoint: "e")
        XCTAssertEqual(
            try CommandParser.parse(
                "endpoint show --host=h1 --orchestrator docker --workload=w --endpoint e --detailed"
            ),
            .showEndpoints(filter, detailed: true)
        )
        XCTAssertEqual(
            try CommandParser.parse("calicoctl endpoint --host h1 show"),
            .showEndpoints(EndpointFilter(host: "h1"), detailed: false)
        )
        XCTAssertEqual(try CommandParser.parse("endpoint show --det"), .showEndpoints(EndpointFilter(), detailed: true))
    }

    func testProfileCommands() throws {
        XCTAssertEqual(
            try CommandParser.parse(
                "calicoctl endpoint a1b2c3d4 profile append profile-A --host=host1 --orchestrator=docker "
                    + "--workload=f9e8d7e6"
            ),
            .editProfiles(
                EndpointFilter(host: "host1", orchestrator: "docker", workload: "f9e8d7e6", endpoint: "a1b2c3d4"),
                .append,
                ["profile-A"]
            )
        )
        XCTAssertEqual(
            try CommandParser.parse("endpoint e profile remove WEB PROF"),
            .editProfiles(EndpointFilter(endpoint: "e"), .remove, ["WEB", "PROF"])
        )
        XCTAssertEqual(
            try CommandParser.parse("endpoint e profile set"),
            .editProfiles(EndpointFilter(endpoint: "e"), .set, [])
        )
        XCTAssertEqual(
            try CommandParser.parse("endpoint e profile show --host h"),
            .showProfiles(EndpointFilter(host: "h", endpoint: "e"))
        )
        XCTAssertEqual(try CommandParser.parse("endpoint --help"), .help(topic: "endpoint"))
        XCTAssertEqual(try CommandParser.parse("help endpoint"), .help(topic: "endpoint"))
    }

    func testErrorsSuggestTheNearestWord() {
        XCTAssertThrowsError(try CommandParser.parse("endpiont show")) {
            XCTAssertTrue("\($0)".contains("did you mean 'endpoint'?"), "\($0)")
        }
        XCTAssertThrowsError(try CommandParser.parse("endpoint show --hots=x")) {
            XCTAssertTrue("\($0)".contains("did you mean '--host'?"), "\($0)")
        }
        XCTAssertThrowsError(try CommandParser.parse("endpoint e profile apend WEB")) {
            XCTAssertTrue("\($0)".contains("did you mean 'append'?"), "\($0)")
        }
        XCTAssertThrowsError(try CommandParser.parse("endpoint shwo")) {
            XCTAssertTrue("\($0)".contains("did you mean 'show'?"), "\($0)")
        }
    }

    func testValidationBeforeAnyWrite() {
        for line in [
            "endpoint e profile append good bad!name", "endpoint e profile append A A",
            "endpoint ../x profile show", "endpoint . profile show", "endpoint e profile show --host=a/b",
            "endpoint show --workload=", "endpoint e profile append", "endpoint e profile show X",
            "endpoint e profile show --detailed", "endpoint e profile set A --endpoint=f",
        ] {
            XCTAssertThrowsError(try CommandParser.parse(line), line)
        }
    }

    func testBuiltins() throws {
        XCTAssertEqual(try CommandParser.parse("exit 3"), .exit(status: 3))
        XCTAssertEqual(try CommandParser.parse("quit"), .exit(status: 0))
        XCTAssertEqual(try CommandParser.parse("set output json"), .setOutput(.json))
        XCTAssertEqual(try CommandParser.parse("echo a  'b c'"), .echo("a b c"))
        XCTAssertEqual(try CommandParser.parse("complete endpoint "), .complete(line: "endpoint "))
        XCTAssertEqual(try CommandParser.parse("source x.calico"), .source(path: "x.calico"))
        XCTAssertEqual(try CommandParser.parse("  # just a comment"), .nothing)
        XCTAssertThrowsError(try CommandParser.parse("exit many"))
        XCTAssertThrowsError(try CommandParser.parse("set output xml"))
    }

    func testEditDistanceCountsASwapAsOne() {
        XCTAssertEqual(Suggestion.editDistance("endpiont", "endpoint"), 1)
        XCTAssertNil(Suggestion.nearest(to: "zzzzzz", in: ["endpoint"]))
    }
}

/// The grammar is declared once (`Grammar`); these tests walk the declaration and prove that the
/// parser, the completer and the help all follow it.
final class GrammarDeclarationTests: XCTestCase {
    let index = Golden.referenceIndex()
    let id = "d50c35bc784511e5bd1a080027f532f6"

    /// The line that reaches `form`, with `options` after it.
    private func line(_ form: Grammar.EndpointForm, _ options: String) -> String {
        switch form {
        case .show: return "endpoint show \(options)"
        case .profileShow: return "endpoint \(id) profile show \(options)"
        case .profileEdit: return "endpoint \(id) profile append WEB \(options)"
        case .watch: return "endpoint watch \(options)"
        }
    }

    /// Every spelling of every option the parser takes completes its values.
    func testEveryOptionTheParserAcceptsCompletesInEverySpelling() throws {
        for option in Grammar.options {
            let shortest = (3...option.name.count).map { String(option.name.prefix($0)) }
                .first { spelling in
                    if case .option(let match) = Grammar.option(spelled: spelling) { return match == option }
                    return false
                }!
            for form in option.forms {
                guard option.takesValue else {
                    for spelling in [option.name, shortest] {
                        XCTAssertNoThrow(try CommandParser.parse(line(form, spelling)), "\(form) \(spelling)")
                    }
                    let typed = String(option.name.prefix(option.name.count - 1))
                    XCTAssertTrue(Completer.complete(line(form, typed), index: index).candidates.contains(option.name))
                    continue
                }
                let value = try XCTUnwrap(
                    Completer.complete(line(form, "\(option.name)="), index: index).candidates.first,
                    "\(option.name)= completes in \(form)"
                )
                let plainValue = String(value.dropFirst(option.name.count + 1))
                for spelling in [option.name, shortest] {
                    // The parser takes `--opt=x` and `--opt x` …
                    XCTAssertNoThrow(try CommandParser.parse(line(form, "\(spelling)=\(plainValue)")), "\(spelling)=")
                    XCTAssertNoThrow(try CommandParser.parse(line(form, "\(spelling) \(plainValue)")), "\(spelling) x")
                    // … and both complete the value.
                    XCTAssertEqual(
                        Completer.complete(line(form, "\(spelling) "), index: index).candidates.first,
                        plainValue,
                        "\(spelling) <TAB> in \(form)"
                    )
                    XCTAssertEqual(
                        Completer.complete(line(form, "\(spelling)="), index: index).candidates.first,
                        "\(spelling)=\(plainValue)",
                        "\(spelling)=<TAB> in \(form)"
                    )
                }
                // The option itself completes where it is allowed.
                let typed = String(option.name.prefix(4))
                XCTAssertTrue(
                    Completer.complete(line(form, typed), index: index).candidates.contains(option.completion),
                    "\(typed) in \(form)"
                )
            }
            for form in Set(Grammar.EndpointForm.allCases).subtracting(option.forms) {
                XCTAssertThrowsError(
                    try CommandParser.parse(line(form, option.takesValue ? "\(option.name)=x" : option.name))
                )
            }
        }
    }

    /// Every command word and alias parses and completes, and the help lists it.
    func testEveryCommandAndAliasParsesCompletesAndIsDocumented() throws {
        for command in Grammar.commands {
            for word in [command.name] + command.aliases {
                let example = ["endpoint": " show", "source": " x.calico", "set": " output json"][command.name] ?? ""
                XCTAssertNoThrow(try CommandParser.parse(word + example), word)
                XCTAssertTrue(Completer.complete(word, index: index).candidates.contains(word), word)
                if command.name != "endpoint" { XCTAssertTrue(HelpText.overview.contains(word), word) }
            }
        }
    }

    /// The reference page's help text documents its options; the extensions section every other.
    func testTheHelpDocumentsEveryDeclaredOption() throws {
        for option in Grammar.options {
            let text = HelpText.referenceOptions.contains(option.name) ? HelpText.endpoint : HelpText.extensions
            XCTAssertTrue(text.contains(" \(option.usage)"), option.name)
            XCTAssertTrue(text.contains(option.summary), option.name)
        }
        // `endpoint --help` is the reference page's text, exactly, then the extensions.
        XCTAssertEqual(try ScriptRunner.help("endpoint"), HelpText.endpoint + HelpText.extensions)
        XCTAssertTrue(HelpText.extensions.contains("endpoint watch"))
    }
}
