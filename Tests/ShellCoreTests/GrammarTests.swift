import XCTest
@testable import ShellCore

final class GrammarTests: XCTestCase {
    func testTokenizerQuotesEscapesAndComments() throws {
        XCTAssertEqual(try Tokenizer.tokenize(#"a 'b c' "d \"e\" \x" f\ g # comment"#), ["a", "b c", #"d "e" \x"#, "f g"])
        XCTAssertEqual(try Tokenizer.tokenize("a#b '#' # c"), ["a#b", "#"])
        XCTAssertEqual(try Tokenizer.tokenize("   "), [])
        XCTAssertEqual(try Tokenizer.tokenize("''"), [""])
        XCTAssertThrowsError(try Tokenizer.tokenize("a 'b")) { XCTAssertEqual($0 as? ShellError, .unterminatedQuote(single: true)) }
    }

    func testEndpointShowWithOptionsAnywhere() throws {
        let filter = EndpointFilter(host: "h1", orchestrator: "docker", workload: "w", endpoint: "e")
        XCTAssertEqual(try CommandParser.parse("endpoint show --host=h1 --orchestrator docker --workload=w --endpoint e --detailed"),
                       .showEndpoints(filter, detailed: true))
        XCTAssertEqual(try CommandParser.parse("calicoctl endpoint --host h1 show"), .showEndpoints(EndpointFilter(host: "h1"), detailed: false))
        XCTAssertEqual(try CommandParser.parse("endpoint show --det"), .showEndpoints(EndpointFilter(), detailed: true))
    }

    func testProfileCommands() throws {
        XCTAssertEqual(try CommandParser.parse("calicoctl endpoint a1b2c3d4 profile append profile-A --host=host1 --orchestrator=docker --workload=f9e8d7e6"),
                       .editProfiles(EndpointFilter(host: "host1", orchestrator: "docker", workload: "f9e8d7e6", endpoint: "a1b2c3d4"), .append, ["profile-A"]))
        XCTAssertEqual(try CommandParser.parse("endpoint e profile remove WEB PROF"), .editProfiles(EndpointFilter(endpoint: "e"), .remove, ["WEB", "PROF"]))
        XCTAssertEqual(try CommandParser.parse("endpoint e profile set"), .editProfiles(EndpointFilter(endpoint: "e"), .set, []))
        XCTAssertEqual(try CommandParser.parse("endpoint e profile show --host h"), .showProfiles(EndpointFilter(host: "h", endpoint: "e")))
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
        for line in ["endpoint e profile append good bad!name", "endpoint e profile append A A",
                     "endpoint ../x profile show", "endpoint . profile show", "endpoint e profile show --host=a/b",
                     "endpoint show --workload=", "endpoint e profile append", "endpoint e profile show X",
                     "endpoint e profile show --detailed", "endpoint e profile set A --endpoint=f"] {
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
