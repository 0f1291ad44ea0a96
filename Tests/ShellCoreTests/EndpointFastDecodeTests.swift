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
}
