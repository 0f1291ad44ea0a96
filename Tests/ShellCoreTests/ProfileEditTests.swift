import Foundation
import XCTest

@testable import ShellCore

final class ProfileEditTests: XCTestCase {
    func testMessagesOfThePage() {
        XCTAssertEqual(ProfileEdit(action: .set, names: ["PROF"]).plan(current: []).messages, ["Profile(s) PROF set."])
        XCTAssertEqual(
            ProfileEdit(action: .append, names: ["WEB"]).plan(current: ["PROF"]).messages,
            ["Profile(s) WEB appended."]
        )
        let remove = ProfileEdit(action: .remove, names: ["WEB", "PROF"]).plan(current: ["PROF", "WEB"])
        XCTAssertEqual(remove.messages, ["Profile(s) WEB,PROF removed."])
        XCTAssertEqual(remove.newProfiles, [])
    }

    func testNoChangeMeansNoWrite() {
        let append = ProfileEdit(action: .append, names: ["WEB"]).plan(current: ["WEB"])
        XCTAssertNil(append.newProfiles)
        XCTAssertEqual(append.messages, ["Profile WEB is already in endpoint profile list"])
        let remove = ProfileEdit(action: .remove, names: ["X"]).plan(current: ["WEB"])
        XCTAssertNil(remove.newProfiles)
        XCTAssertEqual(remove.messages, ["Profile X is not in endpoint profile list."])
        XCTAssertNil(ProfileEdit(action: .set, names: ["A", "B"]).plan(current: ["A", "B"]).newProfiles)
    }

    func testPartialAppendKeepsOrder() {
        let plan = ProfileEdit(action: .append, names: ["A", "B", "C"]).plan(current: ["B"])
        XCTAssertEqual(plan.newProfiles, ["B", "A", "C"])
        XCTAssertEqual(plan.messages, ["Profile B is already in endpoint profile list", "Profile(s) A,C appended."])
    }

    func testDocumentKeepsUnknownFieldsAndFoldsOldProfileID() throws {
        let value = Array(
            #"{"state":"active","profile_id":"OLD","custom":{"x":[1,true,null]},"ipv4_nets":["10.0.0.1/32"]}"#.utf8
        )
        XCTAssertEqual(try EndpointData.decode(value).profiles, ["OLD"])
        let written = try EndpointDocument.replacingProfiles(in: value, with: ["OLD", "NEW"])
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(written)) as? [String: Any])
        XCTAssertEqual(object["profile_ids"] as? [String], ["OLD", "NEW"])
        XCTAssertNil(object["profile_id"])
        XCTAssertEqual(object["ipv4_nets"] as? [String], ["10.0.0.1/32"])
        XCTAssertEqual(String(decoding: written, as: UTF8.self).contains(#""custom":{"x":[1,true,null]}"#), true)
    }
}
