import XCTest

@testable import ShellCore

/// Which keys under the hosts prefix are endpoints: exactly
/// `<prefix>/host/<host>/workload/<orchestrator>/<workload>/endpoint/<id>`, with usable parts.
final class KeyLayoutTests: XCTestCase {
    let layout = KeyLayout(prefix: "/calico/v1/")

    func testEndpointKeysGiveTheirFourParts() {
        XCTAssertEqual(layout.hostsPrefix, "/calico/v1/host/")
        XCTAssertEqual(layout.profilesPrefix, "/calico/v1/policy/profile/")
        XCTAssertEqual(
            layout.classify(hostKey: "/calico/v1/host/h1/workload/k8s/ns.pod/endpoint/eth0"),
            .endpoint(EndpointKey(host: "h1", orchestrator: "k8s", workload: "ns.pod", endpoint: "eth0"))
        )
        // Parts are bytes: text that is not ASCII, and bytes that are not UTF-8, stay as they are.
        let invalid = KeyText.decode(Array("/calico/v1/host/h\u{e9}/workload/o/w/endpoint/".utf8) + [0xFF, 0x41])
        XCTAssertEqual(
            layout.classify(hostKey: invalid),
            .endpoint(
                EndpointKey(host: "h\u{e9}", orchestrator: "o", workload: "w", endpoint: KeyText.decode([0xFF, 0x41]))
            )
        )
    }

    func testOtherShapesAreNotEndpoints() {
        for key in [
            "/calico/v1/host/", "/calico/v1/host", "/calico/v1/hostx/h/workload/o/w/endpoint/e",
            "/calico/v1/host/h/bird_ip", "/calico/v1/host/h/workload/o/w/endpoint",
            "/calico/v1/host/h/workload/o/w/endpoint/e/extra", "/calico/v1/host/h/workloads/o/w/endpoint/e",
            "/calico/v1/host/h/workload/o/w/endpoints/e", "/calico/v2/host/h/workload/o/w/endpoint/e",
        ] {
            XCTAssertEqual(layout.classify(hostKey: key), .other, key)
        }
    }

    func testEndpointShapedKeysWithUnusablePartsAreMalformed() {
        for key in [
            "/calico/v1/host//workload/o/w/endpoint/e", "/calico/v1/host/h/workload/./w/endpoint/e",
            "/calico/v1/host/h/workload/o/../endpoint/e", "/calico/v1/host/h/workload/o/w/endpoint/",
            "/calico/v1/host/h/workload/o/w\u{1}/endpoint/e", "/calico/v1/host/h/workload/o/w/endpoint/e\u{7f}",
        ] {
            XCTAssertEqual(layout.classify(hostKey: key), .malformed, key)
        }
    }
}
