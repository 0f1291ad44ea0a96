import Foundation
import ShellDevTools
import XCTest

@testable import ShellCore

/// calicoctl's config file, precedence, `--show-config`, `--version` and option errors, through the real
/// binary against a real etcd (TLS and users included).
final class ConfigFileTests: XCTestCase {
    let layout = KeyLayout()
    /// Has the profile PROF in the reference data.
    let endpointID = "d50c35bc784511e5bd1a080027f532f6"
    let profileTable = "+------+\n| Name |\n+------+\n| PROF |\n+------+\n"
    var folder: URL!

    override func setUp() async throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("calico-shell-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func write(_ text: String, name: String = "calicoctl.cfg") throws -> String {
        let path = folder.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func loaded(_ etcd: EtcdProcess) async throws {
        let client = try await etcd.client()
        try await BulkLoader.load(SampleData.reference(layout: layout), into: client)
        await client.shutdown()
    }

    /// An unknown option given with a value names the option and the nearest known one, instead of
    /// taking the value for a script.
    func testUnknownOptionWithAValueIsNamed() throws {
        let typo = try ShellBinary.run(["--endpoint", "http://127.0.0.1:1", "-c", "endpoint show"])
        XCTAssertEqual(typo.status, 2)
        XCTAssertEqual(
            typo.errors,
            "calico-shell: Unknown option '--endpoint'. Did you mean '--endpoints'? "
                + "(see calico-shell --help)\n"
        )
        let unknown = try ShellBinary.run(["--datastor", "etcdv2", "-c", "endpoint show"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertTrue(unknown.errors.hasPrefix("calico-shell: Unknown option '--datastor'"), unknown.errors)
        XCTAssertEqual(unknown.output, "")
        // A real conflict is still reported as one.
        let both = try ShellBinary.run(["script.calico", "-c", "endpoint show"])
        XCTAssertEqual(both.status, 2)
        XCTAssertEqual(
            both.errors,
            "calico-shell: Give either a script or -c commands, not both. (see calico-shell --help)\n"
        )
    }

    func testVersion() throws {
        let result = try ShellBinary.run(["--version"])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(result.output, "calico-shell \(ProductVersion.number) (etcd v3 API over gRPC)\n")
    }

    /// calicoctl 1.x's shape: `apiVersion: v1`, `kind: calicoApiConfig`.
    func testV1ShapeGivesTheEndpoints() async throws {
        let etcd = try EtcdProcess()
        defer { etcd.stop() }
        try await loaded(etcd)
        let config = try write(
            """
            apiVersion: v1
            kind: calicoApiConfig
            metadata:
            spec:
              datastoreType: etcdv3
              etcdEndpoints: \(etcd.url)
            """
        )
        let result = try ShellBinary.run(
            ["--config", config, "-c", "endpoint \(endpointID) profile show"],
            environment: ["ETCD_ENDPOINTS": ""]
        )
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(result.output, profileTable)
        let short = try ShellBinary.run(["-C", config, "-c", "endpoint \(endpointID) profile show"])
        XCTAssertEqual(short.output, profileTable, short.errors)
    }

    /// calicoctl 3.x's shape with mutual TLS and a user, all taken from the file: the user is the
    /// file's (a read-only one, so the write is refused although the client certificate is root's).
    func testV3ShapeWithTLSAndUserFromTheFile() async throws {
        let tls = try TLSMaterial.make()
        defer { try? FileManager.default.removeItem(at: tls.folder) }
        let etcd = try EtcdProcess(extraArguments: ["--auth-token", "simple"], tls: tls)
        defer { etcd.stop() }
        try await loaded(etcd)
        try etcd.etcdctl(["user", "add", "root:rootpw"])
        try etcd.etcdctl(["role", "add", "reader"])
        try etcd.etcdctl(["role", "grant-permission", "reader", "read", "/calico/", "--prefix=true"])
        try etcd.etcdctl(["user", "add", "ro:ropw"])
        try etcd.etcdctl(["user", "grant-role", "ro", "reader"])
        try etcd.etcdctl(["auth", "enable"])
        let config = try write(
            """
            apiVersion: projectcalico.org/v3
            kind: CalicoAPIConfig
            metadata: {}
            spec:
              datastoreType: "etcdv3"
              etcdEndpoints: "\(etcd.url)"
              etcdUsername: ro
              etcdPassword: ropw
              etcdCACertFile: \(tls.caCertificate)
              etcdCertFile: \(tls.clientCertificate)
              etcdKeyFile: \(tls.clientKey)
            """
        )
        let result = try ShellBinary.run([
            "--config", config, "-c", "endpoint \(endpointID) profile show",
            "-c", "endpoint \(endpointID) profile remove PROF",
        ])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.output, profileTable)
        XCTAssertTrue(result.errors.hasPrefix("-c:2: permission denied"), result.errors)

        // A flag wins over the file: root may write.
        let root = try ShellBinary.run([
            "--config", config, "--user", "root:rootpw",
            "-c", "endpoint \(endpointID) profile append WEB",
        ])
        XCTAssertEqual(root.status, 0, root.errors)
        XCTAssertEqual(root.output, "Profile(s) WEB appended.\n")

        // Inline PEM, calicoctl's other form, and a wrong password from the file.
        let inline = try write(
            """
            apiVersion: projectcalico.org/v3
            kind: CalicoAPIConfig
            spec:
              etcdEndpoints: \(etcd.url)
              etcdUsername: ro
              etcdPassword: not-ropw
              etcdCACert: |
            \(try indented(tls.caCertificate))
              etcdCert: |
            \(try indented(tls.clientCertificate))
              etcdKey: |
            \(try indented(tls.clientKey))
            """,
            name: "inline.cfg"
        )
        let wrong = try ShellBinary.run(["--config", inline, "-c", "endpoint show"])
        XCTAssertEqual(wrong.status, 1)
        XCTAssertEqual(wrong.errors, "-c:1: etcd authentication failed for user 'ro': wrong user name or password\n")
        let right = try ShellBinary.run(
            ["--config", inline, "-c", "endpoint \(endpointID) profile show"],
            environment: ["ETCD_PASSWORD": "ropw"]
        )
        XCTAssertEqual(right.status, 0, right.errors)
        XCTAssertEqual(right.output, "+------+\n| Name |\n+------+\n| PROF |\n| WEB  |\n+------+\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())
        XCTAssertFalse(leftovers.contains { $0.hasPrefix("calico-shell-pem-") }, "inline PEM left a file behind")
    }

    private func indented(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { "    \($0)" }
            .joined(separator: "\n")
    }

    /// Flags, then environment, then file, then defaults; `--show-config` says which, never a password.
    func testShowConfigNamesSourcesAndHidesPasswords() throws {
        let config = try write(
            """
            apiVersion: projectcalico.org/v3
            kind: CalicoAPIConfig
            spec:
              etcdEndpoints: http://10.0.0.1:2379
              etcdUsername: calico
              etcdPassword: pa55word-in-file
            """
        )
        let fileOnly = try ShellBinary.run(["--config", config, "--show-config"], environment: ["ETCD_ENDPOINTS": ""])
        XCTAssertEqual(fileOnly.status, 0, fileOnly.errors)
        XCTAssertEqual(fileOnly.errors, "")
        let lines = columns(fileOnly.output)
        XCTAssertEqual(lines.first, ["setting", "value", "source"])
        XCTAssertTrue(lines.contains(["endpoints", "http://10.0.0.1:2379", "file:\(config)"]), fileOnly.output)
        XCTAssertTrue(lines.contains(["datastore", "detect", "default"]), fileOnly.output)
        XCTAssertTrue(lines.contains(["user", "calico", "file:\(config)"]), fileOnly.output)
        XCTAssertTrue(lines.contains(["password", "(set)", "file:\(config)"]), fileOnly.output)
        XCTAssertFalse(fileOnly.output.contains("pa55word"))

        let environment = try ShellBinary.run(
            ["--config", config, "--show-config"],
            environment: ["ETCD_ENDPOINTS": "http://10.0.0.2:2379"]
        )
        XCTAssertTrue(environment.output.contains("http://10.0.0.2:2379"), environment.output)
        XCTAssertTrue(environment.output.contains("env ETCD_ENDPOINTS"), environment.output)

        let flag = try ShellBinary.run(
            [
                "--config", config, "--endpoints", "http://10.0.0.3:2379",
                "--user", "me:secret",
                "--show-config",
            ],
            environment: ["ETCD_ENDPOINTS": "http://10.0.0.2:2379"]
        )
        let flagLines = columns(flag.output)
        XCTAssertTrue(flagLines.contains(["endpoints", "http://10.0.0.3:2379", "flag", "--endpoints"]), flag.output)
        XCTAssertTrue(flagLines.contains(["user", "me", "flag", "--user"]), flag.output)
        XCTAssertTrue(flagLines.contains(["password", "(set)", "flag", "--user"]), flag.output)
        XCTAssertFalse(flag.output.contains("secret"))
    }

    private func columns(_ output: String) -> [[Substring]] {
        output.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
    }

    /// A broken file: one line naming the file and the line, status 2, nothing run.
    func testBrokenFileIsOneLineWithItsLine() throws {
        let broken = try write(
            "apiVersion: projectcalico.org/v3\nkind: CalicoAPIConfig\n"
                + "spec:\n  etcdEndpoints: [unclosed\n"
        )
        let result = try ShellBinary.run(["--config", broken, "-c", "echo never"])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.output, "")
        XCTAssertTrue(
            result.errors.hasPrefix("calico-shell: config file \(broken):5: is not valid YAML: "),
            result.errors
        )
        XCTAssertEqual(result.errors.filter { $0 == "\n" }.count, 1, result.errors)

        let wrongKind = try write("apiVersion: v1\nkind: CalicoAPIConfig\n", name: "kind.cfg")
        let kind = try ShellBinary.run(["--config", wrongKind, "-c", "echo never"])
        XCTAssertEqual(kind.status, 2)
        XCTAssertEqual(
            kind.errors,
            "calico-shell: config file \(wrongKind):2: kind 'CalicoAPIConfig' does not go "
                + "with apiVersion v1: expected calicoApiConfig\n"
        )

        let nope = folder.appendingPathComponent("nope.cfg").path
        let missing = try ShellBinary.run(["--config", nope, "-c", "echo never"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertEqual(missing.errors, "calico-shell: config file \(nope): no such file\n")
    }

    /// Datastores other than etcd v3: Kubernetes is refused as the file is read; etcdv2 is understood and
    /// refused when connecting, naming where it was asked for.
    func testOtherDatastoresAreRefusedClearly() throws {
        let kubernetes = try write(
            "apiVersion: projectcalico.org/v3\nkind: CalicoAPIConfig\n"
                + "spec:\n  datastoreType: kubernetes\n"
        )
        let k8s = try ShellBinary.run(["--config", kubernetes, "-c", "echo never"])
        XCTAssertEqual(k8s.status, 2)
        XCTAssertEqual(
            k8s.errors,
            "calico-shell: config file \(kubernetes):4: datastoreType 'kubernetes' "
                + "is not supported: "
                + "calico-shell works on Calico data in etcd only (datastoreType etcdv3)\n"
        )

        // etcdv2 is spoken (see V2DatastoreTests); the file, DATASTORE_TYPE and --datastore name it.
        let v2 = try write("apiVersion: v1\nkind: calicoApiConfig\nspec:\n  datastoreType: etcdv2\n", name: "v2.cfg")
        let accepted = try ShellBinary.run(["--config", v2, "-c", "echo fine"])
        XCTAssertEqual(accepted.status, 0, accepted.errors)
        XCTAssertEqual(accepted.output, "fine\n")
        let shown = try ShellBinary.run(["--config", v2, "--show-config"])
        XCTAssertEqual(shown.status, 0, shown.errors)
        XCTAssertTrue(columns(shown.output).contains(["datastore", "etcdv2", "file:\(v2)"]), shown.output)

        let fromEnvironment = try ShellBinary.run(["--show-config"], environment: ["DATASTORE_TYPE": "etcdv2"])
        XCTAssertEqual(fromEnvironment.status, 0)
        XCTAssertTrue(
            columns(fromEnvironment.output).contains(["datastore", "etcdv2", "env", "DATASTORE_TYPE"]),
            fromEnvironment.output
        )
        let flag = try ShellBinary.run(
            ["--datastore", "etcdv3", "--show-config"],
            environment: ["DATASTORE_TYPE": "etcdv2"]
        )
        XCTAssertTrue(columns(flag.output).contains(["datastore", "etcdv3", "flag", "--datastore"]), flag.output)
        let wrong = try ShellBinary.run(["--datastore", "etcdv4", "-c", "echo never"])
        XCTAssertEqual(wrong.status, 2)
        XCTAssertEqual(
            wrong.errors,
            "calico-shell: --datastore 'etcdv4' is not a datastore: expected etcdv3 or etcdv2\n"
        )
    }
}
