import Foundation
import ShellDevTools
import XCTest

@testable import ShellCore

/// Scripts, stdin, `-c` and `--atomic` through the real binary against a real etcd.
final class ScriptingTests: XCTestCase {
    var etcd: EtcdProcess!
    var client: GRPCEtcdClient!
    var folder: URL!
    let layout = KeyLayout()
    let first = "d79123c4784511e5bd1a080027f532f6"
    let second = "d50c35bc784511e5bd1a080027f532f6"

    override func setUp() async throws {
        etcd = try EtcdProcess()
        client = try await etcd.client()
        try await BulkLoader.load(SampleData.reference(layout: layout), into: client)
        folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "calico-shell-scripts-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        await client?.shutdown()
        etcd?.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    private func write(_ name: String, _ text: String, executable: Bool = false) throws -> String {
        let url = folder.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path) }
        return url.path
    }

    private func snapshot() async throws -> [KeyValue] { try await client.rangeAll(prefix: "/calico/").pairs }

    func testStdinPipeStopsAtTheFailingLine() throws {
        let input =
            "endpoint \(first) profile show\n\n# comment\nendpoint nosuch profile show\n"
            + "endpoint \(second) profile show\n"
        let result = try ShellBinary.run(["--endpoints", etcd.url], input: input)
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.output, "Endpoint has no profiles associated with it.\n")
        XCTAssertEqual(result.errors, "<stdin>:4: Endpoint nosuch is unknown to Calico.\n")
    }

    func testRepeatedDashCRunInOrderAndJSON() throws {
        let result = try ShellBinary.run([
            "--endpoints", etcd.url, "-o", "json", "-c", "endpoint show", "-c", "endpoint \(second) profile append WEB",
        ])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(
            result.output,
            #"[{"hostname":"calico","orchestrator_id":"docker","workloads":5,"endpoints":5}]"# + "\n"
                + #"{"endpoint_id":"\#(second)","profiles":["PROF","WEB"]}"# + "\n"
        )
    }

    func testDetailedJSON() throws {
        let result = try ShellBinary.run([
            "--endpoints", etcd.url, "--output", "json", "-c", "endpoint show --detailed --endpoint=\(second)",
        ])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(
            result.output,
            #"[{"hostname":"calico","orchestrator_id":"docker","#
                + #""workload_id":"26d5636108f8e46b0b9d663522c26f05e52acecf11bb10104dfbd9047ad502b6","#
                + #""endpoint_id":"d50c35bc784511e5bd1a080027f532f6","addresses":["192.168.1.3/32"],"#
                + #""mac":"0e:61:2a:84:30:51","profiles":["PROF"],"state":"active","interface":"calid50c35bc784"}]"#
                + "\n"
        )
    }

    func testSourceRelativeNestedAndCycle() throws {
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("lib/deeper"),
            withIntermediateDirectories: true
        )
        _ = try write("lib/inner.calico", "endpoint \(second) profile show  # from lib/\nsource deeper/last.calico\n")
        _ = try write("lib/deeper/last.calico", "echo 'last one'\n")
        let main = try write("main.calico", "source lib/inner.calico\necho done\n")
        let result = try ShellBinary.run(["--endpoints", etcd.url, main])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(result.output, "+------+\n| Name |\n+------+\n| PROF |\n+------+\nlast one\ndone\n")

        let a = try write("a.calico", "echo a\nsource b.calico\necho never\n")
        let b = try write("b.calico", "source a.calico\n")
        let cycle = try ShellBinary.run(["--endpoints", etcd.url, a])
        XCTAssertEqual(cycle.status, 1)
        XCTAssertEqual(cycle.output, "a\n")
        XCTAssertTrue(cycle.errors.hasPrefix("\(b):1: source: a.calico is already being run (a cycle: "), cycle.errors)
    }

    /// A coprocess: each answer is out (flushed) before the next command is even written, which
    /// also shows that input is read as a stream.
    func testCoprocessGetsEachAnswerBeforeTheNextCommand() throws {
        let shell = try RunningShell(["--endpoints", etcd.url])
        var received = Data()
        func readLine() -> String {
            while !received.contains(0x0a) {
                let chunk = shell.readOutput()
                if chunk.isEmpty { break }
                received.append(chunk)
            }
            guard let newline = received.firstIndex(of: 0x0a) else { return "" }
            let line = String(decoding: received[..<newline], as: UTF8.self)
            received = Data(received[(newline + 1)...])
            return line
        }
        for n in 0..<5 {
            shell.send(Data("echo answer-\(n)\n".utf8))
            XCTAssertEqual(readLine(), "answer-\(n)")
        }
        shell.send(Data("endpoint \(second) profile show\n".utf8))
        XCTAssertEqual(readLine(), "+------+")
        try shell.closeInput()
        XCTAssertEqual(shell.finish().status, 0)
    }

    /// A coprocess that falls silent: the shell waits for its next line without holding the event
    /// loop its etcd connection runs on (scripts run on NIO's loops), so the watch keeps the index
    /// current meanwhile. A read from the watched index (`--consistency s`: no round trip first)
    /// shows an endpoint made while the shell waited.
    func testASilentWriterLeavesTheIndexCurrent() async throws {
        let shell = try RunningShell(["--endpoints", etcd.url, "--consistency", "s"])
        shell.send(Data("endpoint \(second) profile show\necho ready\n".utf8))
        XCTAssertTrue(shell.read(until: "ready\n") { $0.readOutput() }.hasPrefix("+------+\n| Name |\n"))
        let made = EndpointKey(host: "calico", orchestrator: "docker", workload: "silent", endpoint: "made-meanwhile")
        _ = try await client.put(made.path(in: layout), Array(#"{"state":"active","profile_ids":["MEANWHILE"]}"#.utf8))
        try await Task.sleep(for: .milliseconds(500))
        shell.send(Data("endpoint made-meanwhile profile show\n".utf8))
        try shell.closeInput()
        let result = shell.finish()
        XCTAssertEqual(result.errors, "")
        XCTAssertEqual(result.output, "+-----------+\n|    Name   |\n+-----------+\n| MEANWHILE |\n+-----------+\n")
        XCTAssertEqual(result.status, 0)
    }

    /// The `complete` builtin through the binary, answered from the index of a real etcd.
    func testCompleteBuiltin() throws {
        let result = try ShellBinary.run([
            "--endpoints", etcd.url,
            "-c", "complete endpoint d50",
            "-c", "complete endpoint show --ho",
            "-c", "complete endpoint show --host=c",
            "-c", "complete endpoint show --orchestrator=",
            "-c", "complete endpoint \(second) profile sh",
            "-c", "complete endpoint \(second) profile set ",
            "-c", "complete endpoint \(second) profile remove ",
            "-c", "complete endpoint show --endpoint=d7",
        ])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(
            result.output,
            """
            \(second)
            --host=
            --host=calico
            --orchestrator=docker
            show
            PROF
            WEB
            PROF
            --endpoint=\(first)

            """
        )
    }

    /// Bad data in etcd is a warning naming the key; an endpoint with an unreadable value is a row
    /// without data; everything else is shown.
    func testMalformedDataIsAWarning() async throws {
        let bad = EndpointKey(host: "calico", orchestrator: "docker", workload: "w", endpoint: "broken")
        _ = try await client.put(bad.path(in: layout), Array("{not json".utf8))
        _ = try await client.put("/calico/v1/host/calico/workload/docker/w/endpoint/x/extra", [1])
        _ = try await client.put("/calico/v1/host/calico/bird_ip", Array("10.0.0.1".utf8))
        let result = try ShellBinary.run(["--endpoints", etcd.url, "-c", "endpoint show --detailed"])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(result.output.split(separator: "\n").count, 4 + 6, result.output)
        XCTAssertEqual(
            result.errors,
            """
            warning: skipping /calico/v1/host/calico/workload/docker/w/endpoint/x/extra: \
            not an endpoint key of the Calico v1 layout
            warning: /calico/v1/host/calico/workload/docker/w/endpoint/broken: not valid JSON

            """
        )
        let show = try ShellBinary.run(["--endpoints", etcd.url, "-c", "endpoint broken profile show"])
        XCTAssertEqual(show.status, 1)
        XCTAssertTrue(show.errors.contains("has a malformed value in etcd"), show.errors)
    }

    func testShebangScriptRunsThroughPATHWithEtcdFromTheEnvironment() throws {
        let bin = folder.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: bin.appendingPathComponent("calico-shell").path,
            withDestinationPath: ShellBinary.path
        )
        let script = try write(
            "tag.calico",
            "#!/usr/bin/env calico-shell\nendpoint \(first) profile set WEB \\\n  PROF  # both\n"
                + "endpoint \(first) profile show\n",
            executable: true
        )
        let path = bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let result = try ShellBinary.run(
            [],
            environment: ["PATH": path, "ETCD_ENDPOINTS": etcd.url],
            executable: script
        )
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(
            result.output,
            "Profile(s) WEB,PROF set.\n+------+\n| Name |\n+------+\n| PROF |\n| WEB  |\n+------+\n"
        )
    }

    func testBadArgumentsExitTwo() throws {
        let result = try ShellBinary.run(["--no-such-option"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.errors.hasPrefix("calico-shell: "), result.errors)
        XCTAssertEqual(try ShellBinary.run(["--help"]).status, 0)
        let missing = try ShellBinary.run(["--endpoints", etcd.url, "/no/such/script.calico"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.errors, "calico-shell: cannot read /no/such/script.calico: No such file or directory\n")
    }

    func testAtomicFailureLeavesEtcdByteIdentical() async throws {
        let before = try await snapshot()
        let script = try write(
            "fails.calico",
            """
            endpoint \(first) profile set WEB
            endpoint \(second) profile append WEB
            endpoint \(first) profile append MISSING
            """
        )
        let result = try ShellBinary.run(["--endpoints", etcd.url, "--atomic", script])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(
            result.errors,
            "\(script):3: Profile with name MISSING was not found.\n"
                + "--atomic: nothing was written (2 endpoint(s) staged)\n"
        )
        let after = try await snapshot()
        XCTAssertEqual(after, before)
    }

    func testAtomicSuccessLandsEveryEditInOneRevisionAndReadsSeeStagedState() async throws {
        let script = try write(
            "lands.calico",
            """
            endpoint \(first) profile set WEB
            endpoint \(first) profile append PROF
            endpoint \(second) profile remove PROF
            endpoint \(first) profile show
            """
        )
        let result = try ShellBinary.run(["--endpoints", etcd.url, "--atomic", script])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertTrue(result.output.hasSuffix("| Name |\n+------+\n| PROF |\n| WEB  |\n+------+\n"), result.output)
        let pairs = try await snapshot().filter { $0.key.hasSuffix(first) || $0.key.hasSuffix(second) }
        XCTAssertEqual(pairs.count, 2)
        XCTAssertEqual(pairs[0].modRevision, pairs[1].modRevision, "both endpoints change in one transaction")
        let profiles = try pairs.map { try EndpointData.decode($0.value).profiles }
        XCTAssertEqual(Set(profiles), Set([["WEB", "PROF"], []]))
    }

    func testAtomicTooLargeFailsWithNothingWritten() async throws {
        let many = Array(SampleData.synthetic(count: 130, hosts: 2, layout: layout).suffix(130))
        try await BulkLoader.load(many, into: client)
        let before = try await snapshot()
        let ids = many.map { $0.key.split(separator: "/").last! }
        let script = try write("big.calico", ids.map { "endpoint \($0) profile set WEB\n" }.joined())
        let result = try ShellBinary.run(["--endpoints", etcd.url, "--atomic", script])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(
            result.errors.hasPrefix("\(script):129: --atomic: this script changes more than 128 endpoints"),
            result.errors
        )
        let after = try await snapshot()
        XCTAssertEqual(after, before)
    }
}
