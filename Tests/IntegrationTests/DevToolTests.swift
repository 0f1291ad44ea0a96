import Foundation
import XCTest

/// `calico-shell-dev`, the developer tool beside the shell, and what it took out of the shell.
final class DevToolTests: XCTestCase {
    private func dev(_ arguments: [String]) throws -> ShellBinary.Result {
        try ShellBinary.run(arguments, executable: ShellBinary.devPath)
    }

    func testTheShellsHelpShowsNoDeveloperOptions() throws {
        let help = try ShellBinary.run(["--help"])
        XCTAssertEqual(help.status, 0)
        for word in ["--load", "demo", "raw-benchmark", "synthetic"] {
            XCTAssertFalse(help.output.contains(word), "\(word) in:\n\(help.output)")
        }
        let old = try ShellBinary.run(["--load-demo-data", "-c", "echo never"])
        XCTAssertEqual(old.status, 2, old.errors)
    }

    func testLoadDemoWritesTheDemoDataTheShellShows() throws {
        let etcd = try EtcdProcess()
        defer { etcd.stop() }
        let loaded = try dev(["load-demo", "--endpoints", etcd.url])
        XCTAssertEqual(loaded.status, 0, loaded.errors)
        XCTAssertEqual(loaded.output + loaded.errors, "")
        // Idempotent: a second load leaves the same data.
        XCTAssertEqual(try dev(["load-demo", "--endpoints", etcd.url]).status, 0)
        let shown = try ShellBinary.run(["--endpoints", etcd.url, "-c", "endpoint show --host=calico"])
        XCTAssertEqual(shown.status, 0, shown.errors)
        let row = "|  calico  |      docker     |          5          |          5          |"
        XCTAssertTrue(shown.output.contains(row), shown.output)
        let profile = try ShellBinary.run([
            "--endpoints", etcd.url, "-c",
            "endpoint d50c35bc784511e5bd1a080027f532f6 profile show",
        ])
        XCTAssertTrue(profile.output.contains("| PROF |"), profile.output)
    }

    func testLoadWritesCountEndpointsOverHosts() throws {
        let etcd = try EtcdProcess()
        defer { etcd.stop() }
        let loaded = try dev(["load", "--endpoints", etcd.url, "--count", "40", "--hosts", "4"])
        XCTAssertEqual(loaded.status, 0, loaded.errors)
        let keys = try etcd.etcdctl(["get", "--prefix", "--keys-only", "/calico/v1/host/"])
        XCTAssertEqual(keys.split(separator: "\n").count, 40)
        let hosts = try etcd.etcdctl(["get", "--prefix", "--keys-only", "/calico/v1/host/node-003/"])
        XCTAssertEqual(hosts.split(separator: "\n").count, 10)
    }

    func testRawBenchmarkPrintsMeanAndMedianMicroseconds() throws {
        let etcd = try EtcdProcess()
        defer { etcd.stop() }
        for operation in ["get", "put"] {
            let result = try dev(["raw-benchmark", operation, "--count", "20", "--endpoints", etcd.url])
            XCTAssertEqual(result.status, 0, result.errors)
            let figures = result.output.split(whereSeparator: \.isWhitespace).map { Int($0) }
            XCTAssertEqual(figures.count, 2, result.output)
            XCTAssertTrue(figures.allSatisfy { ($0 ?? 0) > 0 }, result.output)
        }
    }

    func testBadNumbersAndUnreachableEtcdFailInOneLine() throws {
        for arguments in [
            ["load", "--count", "10", "--hosts", "0"], ["load", "--count", "-1"],
            ["raw-benchmark", "get", "--count", "0"],
        ] {
            let result = try dev(arguments)
            XCTAssertNotEqual(result.status, 0, "\(arguments)")
            XCTAssertTrue(result.errors.contains("--"), "\(arguments): \(result.errors)")
        }
        let port = try EtcdProcess.freePort()
        let dead = try dev(["load-demo", "--endpoints", "http://127.0.0.1:\(port)"])
        XCTAssertEqual(dead.status, 1)
        let expected = "calico-shell-dev: cannot reach etcd at http://127.0.0.1:\(port)"
        XCTAssertTrue(dead.errors.hasPrefix(expected), dead.errors)
    }
}
