import XCTest

@testable import ShellCore

final class RepeatedJSONFieldsTests: XCTestCase {
    private func keepingLast(_ text: String) -> String {
        String(decoding: RepeatedJSONFields.keepingLast(Array(text.utf8)), as: UTF8.self)
    }

    func testTheLastOfARepeatedFieldIsKept() {
        XCTAssertEqual(keepingLast(#"{"a":1,"b":[2],"a":{"x":3}}"#), #"{"b":[2],"a":{"x":3}}"#)
        XCTAssertEqual(keepingLast(#"{ "a" : 1 , "a" : 2 , "a" : 3 }"#), #"{ "a" : 3 }"#)
        XCTAssertEqual(keepingLast(#"{"o":{"k":1,"k":2},"k":0}"#), #"{"o":{"k":2},"k":0}"#)
        XCTAssertEqual(keepingLast(#"[{"k":"x","k":"y"}]"#), #"[{"k":"y"}]"#)
    }

    func testEscapedSpellingsAreTheSameName() {
        XCTAssertEqual(keepingLast(#"{"\u0061":1,"a":2}"#), #"{"a":2}"#)
        XCTAssertEqual(keepingLast(#"{"a\"":1,"a":2}"#), #"{"a\"":1,"a":2}"#)
    }

    func testOtherValuesAreLeftAlone() {
        for text in [#"{"a":1,"b":2}"#, "{}", "[]", #"{"a":"}{,\""}"#, "{not json", "", #"{"a":1,"a""#] {
            XCTAssertEqual(keepingLast(text), text)
        }
    }

    func testEndpointDataReadsTheLastValue() throws {
        let value = Array(#"{"profile_ids":["FIRST"],"state":"active","profile_ids":["LAST"]}"#.utf8)
        XCTAssertEqual(try EndpointData.decode(value).profiles, ["LAST"])
        let written = try EndpointDocument.replacingProfiles(in: value, with: ["LAST", "NEXT"])
        XCTAssertEqual(try EndpointData.decode(written).profiles, ["LAST", "NEXT"])
    }
}
