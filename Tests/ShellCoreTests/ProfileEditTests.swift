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

    /// The fast splice keeps every byte but the list's, and means what the Foundation round trip
    /// means, on seeded random documents (member order, blanks, nesting, odd strings).
    func testSplicingMeansWhatReEncodingMeans() throws {
        let seed = UInt64.random(in: 0..<1_000_000)
        print("ProfileEditTests splice seed \(seed)")
        var random = SeededGenerator(seed: seed)
        let oddStrings = ["a", "with \\\"quotes\\\"", "tab\\there", "\\u00e9t\\u00e9", "sl/ash", "ünï", ""]
        for round in 0..<300 {
            var members = [
                #""state":"active""#, #""ipv4_nets":["10.0.0.1/32"]"#, #""custom":{"x":[1,true,null,{"y":"}]"}]}"#,
                #""n":-1.5e3"#, #""name":"\#(oddStrings.randomElement(using: &random)!)""#,
                #""profile_ids":["#
                    + (0..<Int.random(in: 0..<3, using: &random)).map { "\"P\($0)\"" }.joined(separator: ",") + "]",
            ]
            members.shuffle(using: &random)
            let blank = [" ", "", "\n  "].randomElement(using: &random)!
            let value = Array(("{" + blank + members.joined(separator: "," + blank) + blank + "}").utf8)
            let profiles = (0..<Int.random(in: 0..<4, using: &random)).map { _ in
                oddStrings.randomElement(using: &random)! + "-P"
            }
            let spliced = try XCTUnwrap(EndpointDocument.splicingProfiles(in: value, with: profiles), "round \(round)")
            let slow =
                try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(value)) as? NSDictionary).mutableCopy()
                as! NSMutableDictionary
            slow["profile_ids"] = profiles
            let fast = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(spliced)) as? NSDictionary)
            XCTAssertEqual(fast, slow, "seed \(seed), round \(round): \(String(decoding: spliced, as: UTF8.self))")
            XCTAssertEqual(try EndpointData.decode(spliced).profiles, profiles, "seed \(seed)")
        }
        // Not the usual shape: the careful path, which the splice declines.
        for odd in [
            #"{"profile_id":"A"}"#, #"{"profile_ids":["A"],"profile_ids":["B"]}"#, #"{"state":"x"}"#,
            #"{"prof\u0069le_ids":["A"]}"#, "[1]",
        ] {
            XCTAssertNil(EndpointDocument.splicingProfiles(in: Array(odd.utf8), with: ["B"]), odd)
        }
    }
}
