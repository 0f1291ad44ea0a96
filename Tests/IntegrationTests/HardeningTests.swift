import Foundation
import ShellDevTools
import XCTest

@testable import ShellCore

/// Production faults against real etcd processes: a 3-member cluster losing a member, mutual TLS,
/// etcd users and roles, and bad bytes on stdin.
final class HardeningTests: XCTestCase {
    let layout = KeyLayout()
    let endpointID = "d79123c4784511e5bd1a080027f532f6"

    /// A member dies mid-script: every edit lands, in order, and the run exits 0.
    func testMemberKilledMidScript() async throws {
        let cluster = try EtcdCluster(size: 3)
        defer { cluster.stop() }
        let client = try GRPCEtcdClient(configuration: try cluster.configuration())
        var ready = false
        for _ in 0..<100 where !ready {
            ready = (try? await client.currentRevision()) != nil
            if !ready { try await Task.sleep(for: .milliseconds(200)) }
        }
        let profiles = (0..<40).map { "P\($0)" }
        try await BulkLoader.load(
            SampleData.reference(layout: layout) + profiles.flatMap { SampleData.profilePairs($0, layout: layout) },
            into: client
        )

        let shell = try RunningShell(["--endpoints", cluster.urls], seconds: 90)
        for (n, profile) in profiles.enumerated() {
            shell.send(Data("endpoint \(endpointID) profile append \(profile)\n".utf8))
            if n == 20 {
                try await Task.sleep(for: .milliseconds(300))
                cluster.members[0].kill()
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        try shell.closeInput()
        let result = shell.finish()
        let text = result.output
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(text.split(separator: "\n").count, 40)
        let key = EndpointKey(
            host: "calico",
            orchestrator: "docker",
            workload: "0d01b3f020fcadfd0090fcbbbbef9658acb26f71c1cb812827afafc625c5ae1a",
            endpoint: endpointID
        )
        let stored = try await client.get(key.path(in: layout))
        XCTAssertEqual(try EndpointData.decode(XCTUnwrap(stored).value).profiles, profiles)
        await client.shutdown()
    }

    func testMutualTLSAndItsRefusals() async throws {
        let tls = try TLSMaterial.make()
        defer { try? FileManager.default.removeItem(at: tls.folder) }
        let etcd = try EtcdProcess(tls: tls)
        defer { etcd.stop() }
        let client = try await etcd.client()
        try await BulkLoader.load(SampleData.reference(layout: layout), into: client)
        await client.shutdown()

        let good = try ShellBinary.run([
            "--endpoints", etcd.url, "--cacert", tls.caCertificate, "--cert", tls.clientCertificate,
            "--key", tls.clientKey, "-c", "endpoint \(endpointID) profile show",
        ])
        XCTAssertEqual(good.status, 0, good.errors)
        XCTAssertEqual(good.output, "Endpoint has no profiles associated with it.\n")

        // The same through calicoctl's variables.
        let fromEnvironment = try ShellBinary.run(
            ["-c", "endpoint show"],
            environment: [
                "ETCD_ENDPOINTS": etcd.url, "ETCD_CA_CERT_FILE": tls.caCertificate,
                "ETCD_CERT_FILE": tls.clientCertificate, "ETCD_KEY_FILE": tls.clientKey,
            ]
        )
        XCTAssertEqual(fromEnvironment.status, 0, fromEnvironment.errors)

        let untrusted = try ShellBinary.run([
            "--endpoints", etcd.url, "--dial-timeout", "2", "--cacert", tls.otherCACertificate,
            "--cert", tls.clientCertificate, "--key", tls.clientKey, "-c", "endpoint show",
        ])
        XCTAssertEqual(untrusted.status, 1)
        XCTAssertEqual(untrusted.output, "")
        XCTAssertEqual(
            untrusted.errors,
            "-c:1: TLS handshake with \(etcd.url) failed: etcd's server certificate is not trusted "
                + "(check --cacert / ETCD_CA_CERT_FILE)\n"
        )

        let noClientCertificate = try ShellBinary.run([
            "--endpoints", etcd.url, "--dial-timeout", "2", "--cacert", tls.caCertificate, "-c", "endpoint show",
        ])
        XCTAssertEqual(noClientCertificate.status, 1)
        XCTAssertEqual(
            noClientCertificate.errors,
            "-c:1: TLS handshake with \(etcd.url) failed: etcd refused the connection without a valid client "
                + "certificate (give --cert and --key)\n"
        )

        let unreadable = try ShellBinary.run([
            "--endpoints", etcd.url, "--cacert", "/no/such/ca.pem", "-c", "endpoint show",
        ])
        XCTAssertEqual(unreadable.status, 2)
        XCTAssertEqual(unreadable.errors, "calico-shell: cannot read the CA certificate file /no/such/ca.pem\n")

        let skip = try ShellBinary.run([
            "--endpoints", etcd.url, "--insecure-skip-tls-verify", "--cert", tls.clientCertificate,
            "--key", tls.clientKey, "-c", "endpoint \(endpointID) profile show",
        ])
        XCTAssertEqual(skip.status, 0, skip.errors)
        XCTAssertTrue(skip.errors.hasPrefix("warning: --insecure-skip-tls-verify"), skip.errors)
    }

    /// A TLS member that is frozen or gone: one clear "cannot reach" line and exit 1, within a few
    /// seconds, never a hang or a crash of the handshake probe.
    func testFrozenOrDeadTLSMemberIsUnreachable() throws {
        let tls = try TLSMaterial.make()
        defer { try? FileManager.default.removeItem(at: tls.folder) }
        let etcd = try EtcdProcess(tls: tls)
        defer { etcd.stop() }
        let arguments = [
            "--endpoints", etcd.url, "--dial-timeout", "1", "--cacert", tls.caCertificate,
            "--cert", tls.clientCertificate, "--key", tls.clientKey, "-c", "endpoint show",
        ]
        let unreachable = "-c:1: cannot reach etcd at \(etcd.url) (no answer within 1 s)\n"

        etcd.freeze()
        let started = Date()
        let frozen = try ShellBinary.run(arguments)
        etcd.thaw()
        XCTAssertEqual(frozen.status, 1, frozen.errors)
        XCTAssertEqual(frozen.errors, unreachable)
        // 1 s dial + at most 5 s probe, with room for a slow machine.
        XCTAssertLessThan(Date().timeIntervalSince(started), 15)

        etcd.kill()
        let dead = try ShellBinary.run(arguments)
        XCTAssertEqual(dead.status, 1, dead.errors)
        XCTAssertEqual(dead.errors, unreachable)
    }

    func testUsersAndRoles() async throws {
        let etcd = try EtcdProcess(extraArguments: ["--auth-token", "simple"])
        defer { etcd.stop() }
        let client = try await etcd.client()
        try await BulkLoader.load(SampleData.reference(layout: layout), into: client)
        await client.shutdown()
        try etcd.etcdctl(["user", "add", "root:rootpw"])
        try etcd.etcdctl(["role", "add", "reader"])
        try etcd.etcdctl(["role", "grant-permission", "reader", "read", "/calico/", "--prefix=true"])
        try etcd.etcdctl(["user", "add", "ro:ropw"])
        try etcd.etcdctl(["user", "grant-role", "ro", "reader"])
        try etcd.etcdctl(["auth", "enable"])

        let root = try ShellBinary.run([
            "--endpoints", etcd.url, "--user", "root:rootpw", "-c", "endpoint \(endpointID) profile append WEB",
        ])
        XCTAssertEqual(root.status, 0, root.errors)
        XCTAssertEqual(root.output, "Profile(s) WEB appended.\n")

        let reader = try ShellBinary.run(
            [
                "--endpoints", etcd.url, "-c", "endpoint \(endpointID) profile show", "-c",
                "endpoint \(endpointID) profile remove WEB",
            ],
            environment: ["ETCD_USERNAME": "ro", "ETCD_PASSWORD": "ropw"]
        )
        XCTAssertEqual(reader.status, 1)
        XCTAssertEqual(reader.output, "+------+\n| Name |\n+------+\n| WEB  |\n+------+\n")
        XCTAssertTrue(reader.errors.hasPrefix("-c:2: permission denied"), reader.errors)

        let wrong = try ShellBinary.run([
            "--endpoints", etcd.url, "--user", "ro", "--password", "s3cret-wrong", "-c", "endpoint show",
        ])
        XCTAssertEqual(wrong.status, 1)
        XCTAssertEqual(wrong.errors, "-c:1: etcd authentication failed for user 'ro': wrong user name or password\n")
        XCTAssertFalse(wrong.errors.contains("s3cret-wrong") || wrong.output.contains("s3cret-wrong"))

        let none = try ShellBinary.run(["--endpoints", etcd.url, "-c", "endpoint show"])
        XCTAssertEqual(none.status, 1)
        XCTAssertEqual(none.errors, "-c:1: etcd requires authentication: give --user (or set ETCD_USERNAME)\n")
    }

    func testExpiredTokenIsRenewed() async throws {
        let etcd = try EtcdProcess(extraArguments: ["--auth-token", "simple", "--auth-token-ttl", "1"])
        defer { etcd.stop() }
        try etcd.etcdctl(["user", "add", "root:rootpw"])
        try etcd.etcdctl(["auth", "enable"])
        let client = try await etcd.client(credentials: .init(user: "root", password: "rootpw"))
        _ = try await client.put("/calico/v1/x", [1])
        try await Task.sleep(for: .seconds(3))
        let value = try await client.get("/calico/v1/x")
        XCTAssertEqual(value?.value, [1])
        await client.shutdown()
    }

    func testInvalidBytesOnStdinAreOneErrorEach() throws {
        let etcd = try EtcdProcess()
        defer { etcd.stop() }
        var bytes = Data("echo ok\n".utf8)
        bytes.append(contentsOf: [0xff, 0xfe, 0x0a])
        bytes.append(contentsOf: Array("endpoint \u{0}x profile show\n".utf8))
        bytes.append(Data(String(repeating: "y", count: 70_000).utf8) + Data("\n".utf8))
        bytes.append(Data("echo end\n".utf8))
        let shell = try RunningShell(["--endpoints", etcd.url, "--continue-on-error"])
        shell.send(bytes)
        try shell.closeInput()
        let result = shell.finish()
        let text = result.output
        let errorLines = result.errors.split(separator: "\n")
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(text, "ok\nend\n")
        XCTAssertEqual(errorLines.count, 3, "\(errorLines)")
        XCTAssertTrue(errorLines[0].hasPrefix("<stdin>:2: Unknown command"))
        XCTAssertTrue(errorLines[1].hasPrefix("<stdin>:3: Invalid endpoint ID"))
        XCTAssertEqual(errorLines[2], "<stdin>:4: syntax error: line is 70000 bytes long; the limit is 65536")
    }
}
