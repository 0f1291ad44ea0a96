import XCTest

@testable import ShellCore

/// The fast path of `EndpointData.decode` agrees with `JSONDecoder` on every value it takes, and
/// leaves everything else to it.
final class EndpointFastDecodeTests: XCTestCase {
    private func slow(_ text: String) -> EndpointData? {
        struct Wire: Decodable {
            var state: String?, name: String?, mac: String?, profile_ids: [String]?, profile_id: String?
            var ipv4_nets: [String]?, ipv6_nets: [String]?
        }
        guard
            let wire = try? JSONDecoder().decode(
                Wire.self,
                from: Data(RepeatedJSONFields.keepingLast(Array(text.utf8)))
            )
        else { return nil }
        return EndpointData(
            state: wire.state,
            name: wire.name,
            mac: wire.mac,
            profiles: wire.profile_ids ?? wire.profile_id.map { [$0] } ?? [],
            ipv4Nets: wire.ipv4_nets ?? [],
            ipv6Nets: wire.ipv6_nets ?? []
        )
    }

    func testTheCommonShapeIsReadFastAndAlike() {
        for text in [
            #"{"state":"active","name":"cali1","mac":"ee:ee:00:00:00:01","profile_ids":["web"],"#
                + #""ipv4_nets":["10.0.0.1/32"],"ipv6_nets":[],"labels":{}}"#,
            #" { "state" : null , "mac" : null, "profile_id": "db", "labels": {"a": "b", "c": "d"} } "#,
            #"{}"#, #"{"profile_ids":null,"profile_id":"x"}"#, #"{"state":"a","state":"b"}"#,
            #"{"ipv4_nets":null,"labels":null}"#,
        ] {
            let fast = IndexedFields.endpointData(Array(text.utf8))
            XCTAssertNotNil(fast, text)
            XCTAssertEqual(fast, slow(text), text)
        }
    }

    func testAnythingElseIsLeftToJSONDecoder() {
        for text in [
            #"{"state":1}"#, #"{"name":"a\"b"}"#, #"{"other":1}"#, #"{"labels":{"a":1}}"#, #"["x"]"#,
            #"{"state":"a",}"#,
            #"{"state":"a"} x"#, #"{"profile_ids":["a",]}"#, #"{"mac":tru}"#, "{\"name\":\"\u{1}\"}",
        ] {
            XCTAssertNil(IndexedFields.endpointData(Array(text.utf8)), text)
        }
    }

    func testDecodeGivesTheSameAnswerEitherWay() {
        for text in [#"{"name":"a\"b","profile_ids":["p"]}"#, #"{"state":"x","labels":{"k":"v"}}"#] {
            XCTAssertEqual(try? EndpointData.decode(Array(text.utf8)), slow(text), text)
        }
    }

    /// `IndexedFields.profiles` (a dry run reads only the profiles) answers exactly as a full
    /// decode does, or leaves the value to it.
    func testProfilesAloneAgreeWithTheFullDecode() {
        let texts = [
            #"{"state":"active","name":"cali1","mac":"ee:ee:00:00:00:01","profile_ids":["web","db"],"#
                + #""ipv4_nets":["10.0.0.1/32"],"labels":{}}"#,
            #"{"profile_id":"only"}"#, #"{}"#, #"{"profile_ids":null,"profile_id":"x"}"#,
            #"{"profile_ids":["日本"]}"#,
            #"{"state":1,"profile_ids":["p"]}"#, #"{"other":1,"profile_ids":["p"]}"#,
            #"{"name":"a"b","profile_ids":["p"]}"#,
        ]
        var values = texts.map { Array($0.utf8) }
        // Not UTF-8: in a profile, and in another member.
        values.append(Array(#"{"profile_ids":[""#.utf8) + [0xff] + Array(#""]}"#.utf8))
        values.append(Array(#"{"name":""#.utf8) + [0xc3] + Array(#"","profile_ids":["p"]}"#.utf8))
        for value in values {
            let full = try? EndpointData.decode(value)
            if let fast = IndexedFields.profiles(value) {
                XCTAssertEqual(fast, full?.profiles, String(decoding: value, as: UTF8.self))
                XCTAssertNotNil(full, String(decoding: value, as: UTF8.self))
            }
        }
        XCTAssertEqual(IndexedFields.profiles(values[0]), ["web", "db"])
        XCTAssertNil(
            IndexedFields.profiles(values[values.count - 1]),
            "a name that is not UTF-8 is the full decode's to judge"
        )
    }
}
