import XCTest

@testable import ShellCore

final class KeyLayoutTests: XCTestCase {
    let layout = KeyLayout(prefix: "/calico/v1/")

    func testAnEndpointKeyGivesItsFourFields() {
        XCTAssertEqual(
            layout.classify(hostKey: "/calico/v1/host/h1/workload/k8s/w1/endpoint/e1"),
            .endpoint(EndpointKey(host: "h1", orchestrator: "k8s", workload: "w1", endpoint: "e1"))
        )
        XCTAssertEqual(
            layout.classify(hostKey: "/calico/v1/host/hôte/workload/k8s/w 1/endpoint/é"),
            .endpoint(EndpointKey(host: "hôte", orchestrator: "k8s", workload: "w 1", endpoint: "é"))
        )
    }

    func testOtherShapesAreOther() {
        for key in [
            "/calico/v1/host/h1/bird_ip", "/calico/v1/host/h1/workload/k8s/w1/endpoint",
            "/calico/v1/host/h1/workload/k8s/w1/endpoint/e1/extra", "/calico/v1/host/h1/workloads/k8s/w1/endpoint/e1",
            "/calico/v1/host/h1/workload/k8s/w1/endpoints/e1", "/calico/v2/host/h1/workload/k8s/w1/endpoint/e1",
            "/calico/v1/policy/profile/p/rules",
        ] {
            XCTAssertEqual(layout.classify(hostKey: key), .other, key)
        }
    }

    func testUnusableFieldsAreMalformed() {
        for key in [
            "/calico/v1/host/./workload/k8s/w1/endpoint/e1", "/calico/v1/host/h1/workload/../w1/endpoint/e1",
            "/calico/v1/host/h1/workload/k8s//endpoint/e1", "/calico/v1/host/h1/workload/k8s/w1/endpoint/",
            "/calico/v1/host/h1/workload/k8s/w\u{1}/endpoint/e1", "/calico/v1/host/h1/workload/k8s/w1/endpoint/e\u{7f}",
        ] {
            XCTAssertEqual(layout.classify(hostKey: key), .malformed, key)
        }
        XCTAssertEqual(
            layout.classify(hostKey: "/calico/v1/host/.h/workload/k8s/w1/endpoint/..."),
            .endpoint(EndpointKey(host: ".h", orchestrator: "k8s", workload: "w1", endpoint: "...")),
            "only `.` and `..` themselves are unusable"
        )
    }

    func testThePrefixesAreStoredTrimmed() {
        XCTAssertEqual(layout.hostsPrefix, "/calico/v1/host/")
        XCTAssertEqual(layout.profilesPrefix, "/calico/v1/policy/profile/")
        XCTAssertEqual(layout, KeyLayout(prefix: "/calico/v1"))
    }
}
