import Foundation
import XCTest

@testable import ShellCore

/// calicoctl's config file shapes and the flag > environment > file > default order, without etcd.
final class ConfigurationTests: XCTestCase {
    let v3 = """
        apiVersion: projectcalico.org/v3
        kind: CalicoAPIConfig
        metadata:
        spec:
          datastoreType: etcdv3
          etcdEndpoints: https://a:2379,https://b:2379
          etcdUsername: calico
          etcdPassword: pw
          etcdCACertFile: /ca.pem
          etcdCert: "-----BEGIN CERTIFICATE-----"
          k8sAPIEndpoint: ignored
        """

    func testBothShapesAndTheirFields() throws {
        let file = try CalicoctlConfigFile.parse(v3, path: "c.cfg")
        XCTAssertEqual(file.shape, .v3)
        XCTAssertEqual(file.datastoreType, .etcdv3)
        XCTAssertEqual(file.etcdEndpoints, "https://a:2379,https://b:2379")
        XCTAssertEqual(file.etcdUsername, "calico")
        XCTAssertEqual(file.etcdPassword, "pw")
        XCTAssertEqual(file.etcdCACertFile, "/ca.pem")
        XCTAssertEqual(file.etcdCert, "-----BEGIN CERTIFICATE-----")
        let v1 = try CalicoctlConfigFile.parse(
            "apiVersion: v1\nkind: calicoApiConfig\n"
                + "spec:\n  datastoreType: etcdv2\n",
            path: "c.cfg"
        )
        XCTAssertEqual(v1.shape, .v1)
        XCTAssertEqual(v1.datastoreType, .etcdv2)
        // JSON is YAML too, as calicoctl allows.
        let json = try CalicoctlConfigFile.parse(
            #"{"apiVersion":"v1","kind":"calicoApiConfig","spec":{"etcdEndpoints":"http://x:1"}}"#,
            path: "c.json"
        )
        XCTAssertEqual(json.etcdEndpoints, "http://x:1")
    }

    func testErrorsNameTheLine() {
        func error(_ text: String) -> String {
            do {
                _ = try CalicoctlConfigFile.parse(text, path: "c.cfg")
                return "no error"
            } catch {
                return error.description
            }
        }
        XCTAssertEqual(
            error("apiVersion: v2\nkind: x\n"),
            "config file c.cfg:1: apiVersion 'v2' is not calicoctl's: expected projectcalico.org/v3 or v1"
        )
        XCTAssertEqual(
            error("apiVersion: v1\nkind: calicoApiConfig\nspec: 3\n"),
            "config file c.cfg:3: spec must be a mapping of settings"
        )
        XCTAssertEqual(
            error("apiVersion: v1\nkind: calicoApiConfig\nspec:\n  etcdEndpoints:\n    - a\n"),
            "config file c.cfg:5: etcdEndpoints must be a single value"
        )
        XCTAssertEqual(
            error("apiVersion: v1\nkind: calicoApiConfig\nspec:\n  etcdCACertFile: /a\n  etcdCACert: x\n"),
            "config file c.cfg:5: give etcdCACertFile or etcdCACert, not both"
        )
        XCTAssertEqual(
            error("apiVersion: v1\nkind: calicoApiConfig\nspec:\n  etcdDiscoverySrv: example.com\n"),
            "config file c.cfg:4: etcdDiscoverySrv (DNS SRV discovery) is not supported: give etcdEndpoints"
        )
        let notYAML = error("a: b\n  c: d\n")
        XCTAssertTrue(notYAML.hasPrefix("config file c.cfg:2: is not valid YAML"), notYAML)
    }

    func testPrecedenceFlagThenEnvironmentThenFileThenDefault() throws {
        let file = try CalicoctlConfigFile.parse(v3, path: "c.cfg")
        let fromFile = try ResolvedSettings.resolve(flags: ConnectionFlags(), environment: [:], file: file)
        XCTAssertEqual(fromFile.endpoints.source, .file("c.cfg"))
        XCTAssertEqual(fromFile.endpoints.value.map(\.description), ["https://a:2379", "https://b:2379"])
        XCTAssertEqual(fromFile.caCertificate, Sourced(.path("/ca.pem"), from: .file("c.cfg")))
        XCTAssertEqual(fromFile.certificate, Sourced(.inline("-----BEGIN CERTIFICATE-----"), from: .file("c.cfg")))
        XCTAssertEqual(fromFile.password, Sourced("pw", from: .file("c.cfg")))

        let environment = [
            "ETCD_ENDPOINTS": "https://e:2379", "ETCD_CA_CERT_FILE": "/env-ca.pem",
            "ETCD_USERNAME": "env",
        ]
        let fromEnvironment = try ResolvedSettings.resolve(
            flags: ConnectionFlags(),
            environment: environment,
            file: file
        )
        XCTAssertEqual(fromEnvironment.endpoints.source, .environment("ETCD_ENDPOINTS"))
        XCTAssertEqual(fromEnvironment.caCertificate?.source, .environment("ETCD_CA_CERT_FILE"))
        XCTAssertEqual(fromEnvironment.user, Sourced("env", from: .environment("ETCD_USERNAME")))
        XCTAssertNil(fromEnvironment.password, "the file's password is for the file's user only")

        let flags = ConnectionFlags(endpoints: "https://f:2379", caCertificate: "/flag-ca.pem", user: "me:secret")
        let fromFlags = try ResolvedSettings.resolve(flags: flags, environment: environment, file: file)
        XCTAssertEqual(fromFlags.endpoints.source, .flag("--endpoints"))
        XCTAssertEqual(fromFlags.caCertificate?.source, .flag("--cacert"))
        XCTAssertEqual(fromFlags.password, Sourced("secret", from: .flag("--user")))

        let defaults = try ResolvedSettings.resolve(flags: ConnectionFlags(), environment: [:], file: nil)
        XCTAssertEqual(defaults.endpoints.value.map(\.description), ["http://127.0.0.1:2379"])
        XCTAssertEqual(defaults.endpoints.source, .builtIn)
        XCTAssertEqual(defaults.datastore, Sourced(.etcdv3, from: .builtIn))
        XCTAssertNil(defaults.requestedDatastore, "no setting names a datastore: it is detected")
    }

    func testDatastoreKinds() throws {
        let v2 = try ResolvedSettings.resolve(
            flags: ConnectionFlags(),
            environment: ["DATASTORE_TYPE": "etcdv2"],
            file: nil
        )
        XCTAssertEqual(v2.datastore, Sourced(.etcdv2, from: .environment("DATASTORE_TYPE")))
        XCTAssertEqual(v2.requestedDatastore, .etcdv2)
        XCTAssertEqual(try v2.etcdConfiguration(password: nil, dialTimeout: .seconds(1)).datastore, .etcdv2)
        let flag = try ResolvedSettings.resolve(
            flags: ConnectionFlags(datastore: "etcdv3"),
            environment: ["DATASTORE_TYPE": "etcdv2"],
            file: nil
        )
        XCTAssertEqual(flag.datastore, Sourced(.etcdv3, from: .flag("--datastore")), "the flag wins")
        let kubernetes = ConnectionFlags(datastore: "kubernetes")
        XCTAssertThrowsError(try ResolvedSettings.resolve(flags: kubernetes, environment: [:], file: nil)) { error in
            XCTAssertEqual(
                "\(error)",
                "--datastore 'kubernetes' is not supported: calico-shell works on Calico data "
                    + "in etcd only (datastoreType etcdv3)"
            )
        }
    }

    /// calicoctl's choice: `--config` must exist; the default path is read only when it exists.
    func testWhichFileIsRead() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("calico-cfg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let absent = folder.appendingPathComponent("absent.cfg").path
        let none = try ConfigFileChoice.choose(explicit: nil, defaultPath: absent)
        XCTAssertNil(none.file)
        XCTAssertEqual(none.value, "(none: \(absent) does not exist)")
        XCTAssertThrowsError(try ConfigFileChoice.choose(explicit: absent, defaultPath: absent)) { error in
            XCTAssertEqual("\(error)", "config file \(absent): no such file")
        }
        let present = folder.appendingPathComponent("calicoctl.cfg").path
        try "apiVersion: v1\nkind: calicoApiConfig\n".write(toFile: present, atomically: true, encoding: .utf8)
        let byDefault = try ConfigFileChoice.choose(explicit: nil, defaultPath: present)
        XCTAssertEqual(byDefault.file?.shape, .v1)
        XCTAssertEqual(byDefault.source, "default")
        XCTAssertEqual(try ConfigFileChoice.choose(explicit: present, defaultPath: absent).source, "flag --config")
    }

    /// The version compiled in is the VERSION file's.
    func testVersionMatchesTheVersionFile() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let file = try String(contentsOf: root.appendingPathComponent("VERSION"), encoding: .utf8)
        XCTAssertEqual(file.trimmingCharacters(in: .whitespacesAndNewlines), ProductVersion.number)
    }
}
