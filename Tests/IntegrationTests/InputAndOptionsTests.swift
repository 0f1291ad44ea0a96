import Foundation
import ShellDevTools
import XCTest

@testable import ShellCore

/// How calico-shell reads its input and its options, and how it fails on bad ones: through the
/// real binary (against a real etcd where data is involved).
final class InputAndOptionsTests: XCTestCase {
    let layout = KeyLayout()
    let first = "d79123c4784511e5bd1a080027f532f6"
    let second = "d50c35bc784511e5bd1a080027f532f6"
    var folder: URL!

    override func setUp() async throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("calico-shell-input-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func loadedEtcd() async throws -> (EtcdProcess, GRPCEtcdClient) {
        let etcd = try EtcdProcess()
        let client = try await etcd.client()
        try await BulkLoader.load(SampleData.reference(layout: layout), into: client)
        return (etcd, client)
    }

    private func profiles(of endpoint: String, workload: String, in client: GRPCEtcdClient) async throws -> [String] {
        let key = EndpointKey(host: "calico", orchestrator: "docker", workload: workload, endpoint: endpoint)
        let stored = try await client.get(key.path(in: layout))
        return try EndpointData.decode(XCTUnwrap(stored).value).profiles
    }

    /// Each line of a `-c` is a command: removing WEB from one endpoint and PROF from another
    /// changes each once (read as one line, both were removed from the first).
    func testDashCWithNewlinesRunsEachLine() async throws {
        let (etcd, client) = try await loadedEtcd()
        defer { etcd.stop() }
        let result = try ShellBinary.run([
            "--endpoints", etcd.url,
            "-c", "endpoint \(first) profile set WEB PROF\nendpoint \(second) profile set WEB PROF",
            "-c", "endpoint \(first) profile remove WEB\nendpoint \(second) profile remove PROF",
        ])
        XCTAssertEqual(result.status, 0, result.errors)
        let firstProfiles = try await profiles(
            of: first,
            workload: "0d01b3f020fcadfd0090fcbbbbef9658acb26f71c1cb812827afafc625c5ae1a",
            in: client
        )
        let secondProfiles = try await profiles(
            of: second,
            workload: "26d5636108f8e46b0b9d663522c26f05e52acecf11bb10104dfbd9047ad502b6",
            in: client
        )
        XCTAssertEqual(firstProfiles, ["PROF"])
        XCTAssertEqual(secondProfiles, ["WEB"])
        let failing = try ShellBinary.run([
            "--endpoints", etcd.url, "-c", "echo one",
            "-c", "echo two\nendpoint nosuch profile show\necho never",
        ])
        XCTAssertEqual(failing.status, 1)
        XCTAssertEqual(failing.output, "one\ntwo\n")
        XCTAssertEqual(failing.errors, "-c:2:2: Endpoint nosuch is unknown to Calico.\n")
        await client.shutdown()
    }

    func testDashMeansStandardInputAndABOMIsSkipped() throws {
        let dash = try ShellBinary.run(["-"], input: "\u{FEFF}echo from-stdin\n")
        XCTAssertEqual(dash.status, 0, dash.errors)
        XCTAssertEqual(dash.output, "from-stdin\n")
        let script = folder.appendingPathComponent("bom.calico")
        try "\u{FEFF}echo ok\n".write(to: script, atomically: true, encoding: .utf8)
        let bom = try ShellBinary.run([script.path])
        XCTAssertEqual(bom.status, 0, bom.errors)
        XCTAssertEqual(bom.output, "ok\n")
    }

    func testDirectoryAsScriptIsAnError() throws {
        let result = try ShellBinary.run([folder.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.errors, "calico-shell: cannot read \(folder.path): Is a directory\n")
    }

    /// A 200 MB line is refused while it is read: memory stays bounded, and the next line runs.
    func testOverlongLineIsRefusedInBoundedMemory() throws {
        let shell = try RunningShell(["--continue-on-error"])
        let chunk = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
        for _ in 0..<200 { shell.send(chunk) }
        shell.send(Data("\necho after\n".utf8))
        var received = Data()
        while !received.contains(0x0a) {
            let more = shell.readOutput()
            if more.isEmpty { break }
            received.append(more)
        }
        XCTAssertEqual(String(decoding: received, as: UTF8.self), "after\n")
        let status = try String(contentsOfFile: "/proc/\(shell.process.pid)/status", encoding: .utf8)
        let peak = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }.map { $0.split(separator: " ")[1] }
        let peakKiB = Int(peak ?? "") ?? .max
        XCTAssertLessThan(peakKiB, 100 * 1024, "peak resident memory \(peakKiB) KiB")
        let result = shell.finish()
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.errors, "<stdin>:1: syntax error: line is 209715200 bytes long; the limit is 65536\n")
    }

    /// Every numeric option is checked: one line, exit 2, never a crash.
    func testNumericOptionsAreValidated() throws {
        let bad: [[String]] = [
            ["--dial-timeout", "nan"], ["--dial-timeout", "inf"], ["--dial-timeout", "1e300"],
            ["--dial-timeout", "-1"], ["--dial-timeout", "0"], ["--dial-timeout", "0.0001"],
            ["--page-size", "0"], ["--page-size", "-5"], ["--page-size", "x"],
        ]
        for arguments in bad {
            let result = try ShellBinary.run(arguments + ["-c", "echo never"])
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.errors)")
            XCTAssertEqual(result.output, "", "\(arguments)")
            XCTAssertTrue(result.errors.hasPrefix("calico-shell: "), "\(arguments): \(result.errors)")
            XCTAssertEqual(result.errors.split(separator: "\n").count, 1, "\(arguments): \(result.errors)")
            XCTAssertTrue(result.errors.contains(arguments[0]), "\(arguments): \(result.errors)")
        }
        let fine = try ShellBinary.run(["--dial-timeout", "0.5", "--page-size", "1", "-c", "echo fine"])
        XCTAssertEqual(fine.status, 0, fine.errors)
    }

    /// Configuration errors are bad arguments (exit 2) even when only connecting would find them.
    func testConfigurationErrorsExitTwo() throws {
        let garbage = folder.appendingPathComponent("ca.pem")
        try "not a certificate\n".write(to: garbage, atomically: true, encoding: .utf8)
        let tls = ["--endpoints", "https://127.0.0.1:1", "-c", "endpoint show", "--cacert"]
        let notPEM = try ShellBinary.run(tls + [garbage.path])
        XCTAssertEqual(notPEM.status, 2, notPEM.errors)
        XCTAssertEqual(
            notPEM.errors,
            "calico-shell: cannot use the CA certificate file \(garbage.path): it holds no PEM certificate\n"
        )
        let directory = try ShellBinary.run(tls + [folder.path])
        XCTAssertEqual(directory.status, 2, directory.errors)
        XCTAssertEqual(
            directory.errors,
            "calico-shell: cannot read the CA certificate file \(folder.path): it is a directory\n"
        )
        let host = "http://no-such-host.invalid:2379"
        let unresolvable = try ShellBinary.run(["--endpoints", host, "-c", "endpoint show"])
        XCTAssertEqual(unresolvable.status, 2, unresolvable.errors)
        XCTAssertEqual(
            unresolvable.errors,
            "calico-shell: cannot resolve etcd host 'no-such-host.invalid' of \(host)\n"
        )
    }

    func testHelpAndUsageNameTheProgramCalicoShell() throws {
        let help = try ShellBinary.run(["--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.output.contains("USAGE: calico-shell "), help.output)
        XCTAssertFalse(help.output.contains("calico_shell"), help.output)
        let usage = try ShellBinary.run(["--no-such-option"])
        XCTAssertEqual(usage.status, 2)
        XCTAssertFalse(usage.errors.contains("calico_shell"), usage.errors)
    }

    /// `https://` to a member that speaks plain HTTP says so, instead of a raw TLS library error.
    func testHTTPSToAPlainMemberSaysItDoesNotSpeakTLS() throws {
        let etcd = try EtcdProcess()
        defer { etcd.stop() }
        let url = etcd.url.replacingOccurrences(of: "http://", with: "https://")
        let result = try ShellBinary.run(["--endpoints", url, "--dial-timeout", "1", "-c", "endpoint show"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(
            result.errors,
            "-c:1: TLS handshake with \(url) failed: etcd at \(url) does not speak TLS (is it \(etcd.url)?)\n"
        )
    }

    /// SIGQUIT (Ctrl-\) ends the run the default way: no crash report, nothing after it runs.
    func testSIGQUITStopsWithoutACrashReport() throws {
        let shell = try RunningShell([])
        shell.send(Data("echo one\n".utf8))
        XCTAssertEqual(String(decoding: shell.readOutput(), as: UTF8.self), "one\n")
        shell.process.signal(SIGQUIT)
        Thread.sleep(forTimeInterval: 0.5)
        shell.send(Data("echo two\n".utf8))
        let result = shell.finish()
        XCTAssertEqual(result.status, 128 + SIGQUIT)
        XCTAssertEqual(result.output, "")
        XCTAssertFalse(result.errors.contains("crash") || result.errors.contains("Backtrace"), result.errors)
    }
}
