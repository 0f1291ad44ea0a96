import XCTest

@testable import ShellCore

final class CompleterTests: XCTestCase {
    let index = Golden.referenceIndex()

    private func candidates(_ line: String) -> [String] { Completer.complete(line, index: index).candidates }

    func testEveryPosition() {
        XCTAssertEqual(candidates("end"), ["endpoint"])
        XCTAssertEqual(candidates("calicoctl end"), ["endpoint"])
        XCTAssertEqual(candidates("endpoint d5"), ["d50c35bc784511e5bd1a080027f532f6"])
        XCTAssertEqual(candidates("endpoint s"), ["show"])
        XCTAssertEqual(candidates("endpoint show --ho"), ["--host="])
        XCTAssertEqual(candidates("endpoint show --host="), ["--host=calico"])
        XCTAssertEqual(candidates("endpoint show --host "), ["calico"])
        XCTAssertEqual(candidates("endpoint show --orchestrator=d"), ["--orchestrator=docker"])
        XCTAssertEqual(
            candidates("endpoint show --workload=0d"),
            ["--workload=0d01b3f020fcadfd0090fcbbbbef9658acb26f71c1cb812827afafc625c5ae1a"]
        )
        XCTAssertEqual(candidates("endpoint show --endpoint=d7"), ["--endpoint=d79123c4784511e5bd1a080027f532f6"])
        XCTAssertEqual(candidates("endpoint d50c35bc784511e5bd1a080027f532f6 "), ["profile"])
        XCTAssertEqual(candidates("endpoint d50c35bc784511e5bd1a080027f532f6 profile a"), ["append"])
        XCTAssertEqual(
            candidates("endpoint d50c35bc784511e5bd1a080027f532f6 profile "),
            ["append", "remove", "set", "show"]
        )
        // append offers the profiles the endpoint does not have yet; set offers all; remove only its own.
        XCTAssertEqual(candidates("endpoint d50c35bc784511e5bd1a080027f532f6 profile append "), ["WEB"])
        XCTAssertEqual(candidates("endpoint d50c35bc784511e5bd1a080027f532f6 profile set "), ["PROF", "WEB"])
        XCTAssertEqual(candidates("endpoint d50c35bc784511e5bd1a080027f532f6 profile remove "), ["PROF"])
        XCTAssertEqual(candidates("endpoint d79123c4784511e5bd1a080027f532f6 profile remove "), [])
        XCTAssertEqual(candidates("set output j"), ["json"])
    }

    func testWordStartCoversOptionValues() {
        let completion = Completer.complete("endpoint show --host=ca", index: index)
        XCTAssertEqual(completion.wordStart, 14)
        XCTAssertEqual(completion.candidates, ["--host=calico"])
        XCTAssertEqual(Completer.complete("endpoint d", index: index).total, 5)
    }
}
