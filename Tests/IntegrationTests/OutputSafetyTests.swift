import Foundation
import ShellDevTools
import XCTest

@testable import ShellCore

/// What reaches the terminal and what happens when output cannot be written, through the real
/// binary against a real etcd.
final class OutputSafetyTests: XCTestCase {
    var etcd: EtcdProcess!
    var client: GRPCEtcdClient!
    var folder: URL!
    let layout = KeyLayout()
    let first = "d79123c4784511e5bd1a080027f532f6"

    override func setUp() async throws {
        etcd = try EtcdProcess()
        client = try await etcd.client()
        try await BulkLoader.load(SampleData.reference(layout: layout), into: client)
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("calico-shell-output-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        await client?.shutdown()
        etcd?.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    private static func hasControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0 != "\n" && ($0.value < 0x20 || (0x7f...0x9f).contains($0.value)) }
    }

    /// Keys and values from etcd holding newlines and escape sequences: tables keep their frame,
    /// no control character reaches the terminal, JSON escapes them as JSON does, and errors that
    /// echo keys show them escaped too.
    func testNoByteFromEtcdReachesTheTerminalAsAControlCharacter() async throws {
        // Control characters below 0x20 make a key malformed (a warning names it); DEL and C1 ones
        // are allowed in keys; values may hold anything.
        let forged = SampleData.endpointValue(
            name: "x",
            mac: "aa\n| forged | row |",
            profiles: [],
            ipv4: [],
            state: "active\u{1b}[2J"
        )
        let plain = SampleData.endpointValue(name: "y", mac: nil, profiles: [], ipv4: [])
        for (host, workload, endpoint, value) in [
            ("evil\u{9b}2J", "w", "e1", forged), ("calico2", "w\u{85}", first, plain),
            ("bad\u{1b}]0;owned\u{07}", "w", "e2", forged),
        ] {
            let key = EndpointKey(host: host, orchestrator: "k8s", workload: workload, endpoint: endpoint)
            _ = try await client.put(key.path(in: layout), value)
        }

        let table = try ShellBinary.run(["--endpoints", etcd.url, "-c", "endpoint show --detailed --orchestrator=k8s"])
        XCTAssertEqual(table.status, 0, table.errors)
        XCTAssertFalse(Self.hasControlCharacters(table.output), table.output)
        XCTAssertFalse(Self.hasControlCharacters(table.errors), table.errors)
        XCTAssertEqual(table.output.split(separator: "\n").count, 6, "two rows, no forged ones:\n\(table.output)")
        XCTAssertTrue(table.output.contains("evil\\x9b2J"), table.output)
        XCTAssertTrue(table.output.contains("aa\\n| forged | row |"), table.output)
        XCTAssertTrue(table.output.contains("active\\x1b[2J"), table.output)
        XCTAssertTrue(table.errors.contains("bad\\x1b]0;owned\\x07"), table.errors)

        let json = try ShellBinary.run([
            "--endpoints", etcd.url, "-o", "json",
            "-c", "endpoint show --detailed --orchestrator=k8s",
        ])
        XCTAssertEqual(json.status, 0, json.errors)
        XCTAssertFalse(Self.hasControlCharacters(json.output), json.output)
        XCTAssertTrue(json.output.contains(#""hostname":"evil\u009b2J""#), json.output)
        XCTAssertTrue(json.output.contains(#""state":"active\u001b[2J""#), json.output)

        // The same endpoint ID under two hosts: the ambiguity error names them, escaped.
        let ambiguous = try ShellBinary.run(["--endpoints", etcd.url, "-c", "endpoint \(first) profile show"])
        XCTAssertEqual(ambiguous.status, 1)
        XCTAssertEqual(
            ambiguous.errors,
            "-c:1: More than 1 endpoint matches the provided criteria. "
                + "Please provide additional parameters to refine the search. "
                + "It matches --host=calico --orchestrator=docker "
                + "--workload=0d01b3f020fcadfd0090fcbbbbef9658acb26f71c1cb812827afafc625c5ae1a; "
                + "--host=calico2 --orchestrator=k8s --workload=w\\x85.\n"
        )
    }

    /// `> /dev/full`: one line on stderr and exit 1, not silence and 0.
    func testFullDiskIsOneErrorAndExitOne() throws {
        let result = try ShellBinary.run(
            [
                "-c", #""$0" "$@" > /dev/full"#, ShellBinary.path,
                "--endpoints", etcd.url, "-c", "endpoint show --detailed",
                "-c", "echo never",
            ],
            executable: "/bin/sh"
        )
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.errors, "calico-shell: cannot write output: No space left on device\n")
    }

    /// `script | head -1`: once the reader is gone, nothing more runs (the edit at the end stays
    /// unwritten) and the shell ends quietly, as Unix tools do on a closed pipe.
    func testClosedPipeStopsTheRunQuietly() async throws {
        // Each echo is 2 KB: far more than a pipe holds, so the writer meets the closed pipe early.
        let filler = String(repeating: "z", count: 2_000)
        // The first command connects to etcd, as real scripts do (that is when a closed pipe stopped
        // being fatal and became an error the old code ignored).
        let lines =
            ["endpoint \(first) profile show"] + Array(repeating: "echo \(filler)", count: 2_000)
            + ["endpoint \(first) profile append WEB"]
        let script = folder.appendingPathComponent("long.calico")
        try lines.joined(separator: "\n").write(to: script, atomically: true, encoding: .utf8)
        let started = Date()
        let result = try ShellBinary.run(
            [
                "-c", #"set -o pipefail; "$0" "$@" | head -1"#, ShellBinary.path,
                "--endpoints", etcd.url, script.path,
            ],
            executable: "/bin/bash"
        )
        XCTAssertEqual(result.output, "Endpoint has no profiles associated with it.\n")
        XCTAssertEqual(result.errors, "")
        XCTAssertEqual(result.status, 128 + SIGPIPE, "ended by the closed pipe, like `yes | head -1`")
        XCTAssertLessThan(Date().timeIntervalSince(started), 30)
        let workload = "0d01b3f020fcadfd0090fcbbbbef9658acb26f71c1cb812827afafc625c5ae1a"
        let key = EndpointKey(host: "calico", orchestrator: "docker", workload: workload, endpoint: first)
        let stored = try await client.get(key.path(in: layout))
        XCTAssertEqual(
            try EndpointData.decode(XCTUnwrap(stored).value).profiles,
            [],
            "the edit after the closed pipe never ran"
        )
    }

    /// `--atomic` says that edits are staged, and at the end what was committed.
    func testAtomicSaysStagedAndWhatWasCommitted() async throws {
        let script = folder.appendingPathComponent("atomic.calico")
        try "endpoint \(first) profile append WEB\nendpoint \(first) profile append PROF\n"
            .write(to: script, atomically: true, encoding: .utf8)
        let result = try ShellBinary.run(["--endpoints", etcd.url, "--atomic", script.path])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(result.output, "Profile(s) WEB appended (staged).\nProfile(s) PROF appended (staged).\n")
        let revision = try await client.currentRevision()
        XCTAssertEqual(result.errors, "--atomic: committed 2 edit(s) to 1 endpoint(s) at revision \(revision).\n")
    }
}
