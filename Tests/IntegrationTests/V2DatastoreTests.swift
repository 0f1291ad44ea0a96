import Foundation
import ShellDevTools
import Synchronization
import XCTest

@testable import ShellCore

/// etcd's v2 API as the datastore (`--datastore etcdv2`, Calico v1/v2 clusters), against a real etcd
/// started with `--enable-v2=true`: the shared behaviour scenarios of `DatastoreScenarios` (the same
/// ones the v3 tests run), then what only v2 has: its event window, detection, `--atomic` refused,
/// basic auth, and `ETCDCTL_API=2 etcdctl` as an independent check of what was written.
final class V2DatastoreTests: XCTestCase {
    var fixture: DatastoreFixture!
    var folder: URL!
    let layout = KeyLayout()

    override func setUp() async throws {
        fixture = try await DatastoreFixture(.etcdv2)
        try await fixture.loadReference()
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("calico-shell-v2-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDown() async throws {
        await fixture?.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    func testEveryExampleOfTheReferencePage() throws {
        try DatastoreScenarios.referencePageExamples(shell: fixture.shellArguments)
        // What the edits wrote, read back by etcdctl through v2: the endpoint's JSON with its profiles.
        let key = try XCTUnwrap(
            SampleData.reference(layout: layout).map(\.key).first {
                $0.hasSuffix("/endpoint/\(DatastoreScenarios.referenceEndpoint)")
            }
        )
        let value = try fixture.etcd.etcdctl(["get", key], v2: true)
        XCTAssertTrue(value.contains("\"profile_ids\":[]"), value)
    }

    func testDetectedWithoutASetting() throws {
        let detected = try ShellBinary.run(["--endpoints", fixture.etcd.url, "-c", "endpoint show"])
        XCTAssertEqual(detected.status, 0, detected.errors)
        XCTAssertEqual(
            detected.output,
            try String(contentsOf: DatastoreScenarios.golden.appendingPathComponent("summary.txt"), encoding: .utf8)
        )
        // v3 holds nothing here: chosen explicitly, it shows an empty store.
        let v3 = try ShellBinary.run(["--endpoints", fixture.etcd.url, "--datastore", "etcdv3", "-c", "endpoint show"])
        XCTAssertEqual(v3.status, 0, v3.errors)
        XCTAssertEqual(v3.output.split(separator: "\n").count, 4, v3.output)
        let environment = try ShellBinary.run(
            ["--endpoints", fixture.etcd.url, "-c", "endpoint show"],
            environment: ["DATASTORE_TYPE": "etcdv2"]
        )
        XCTAssertEqual(environment.output, detected.output)
    }

    func testExternalWritesAreSeenByTheVeryNextCommand() async throws {
        let etcd = fixture.etcd
        try await DatastoreScenarios.externalWritesAreSeenByTheNextCommand(
            configuration: try fixture.configuration,
            rounds: 30
        ) {
            key,
            value in
            // Written by etcdctl (v2), not by calico-shell's store.
            try etcd.etcdctl(["set", key, String(decoding: value, as: UTF8.self)], v2: true)
        }
    }

    func testContendingScriptsAllFinishWithEveryProfile() async throws {
        try await DatastoreScenarios.contendingAppends(
            shell: fixture.shellArguments,
            store: fixture.store,
            shells: 4,
            perShell: 200,
            folder: folder
        )
    }

    func testADryRunWritesNothingAndItsPlanIsWhatApplyingWrites() async throws {
        try await DatastoreScenarios.dryRunOfAFailingScript(fixture: fixture)
        try await DatastoreScenarios.dryRunPlanEqualsApply(fixture: fixture, folder: folder)
    }

    /// v2 has no multi-key transactions: a bulk edit writes endpoint by endpoint, each its own
    /// compare-and-swap (so each at its own index), and reports as chunks do.
    func testABulkEditGoesEndpointByEndpoint() async throws {
        let result = try ShellBinary.run(fixture.shellArguments + ["-c", "endpoint '*' profile append WEB"])
        XCTAssertEqual(result.errors, "")
        XCTAssertEqual(result.output, "Profile(s) WEB appended to 5 endpoint(s); 0 already had it.\n")
        let pairs = try await fixture.store.rangeAll(prefix: layout.hostsPrefix).pairs
        XCTAssertEqual(pairs.count, 5)
        XCTAssertEqual(Set(pairs.map(\.modRevision)).count, 5, "one compare-and-swap per endpoint")
        for pair in pairs { XCTAssertEqual(try EndpointData.decode(pair.value).profiles.last, "WEB") }
    }

    /// More changes than v2's 1,000-event history while a session idles: the next commands are right.
    func testIdleSessionAcrossTheEventWindow() async throws {
        let store = fixture.store
        try await DatastoreScenarios.idleSessionAcrossManyEvents(
            configuration: try fixture.configuration,
            events: 1_100
        ) {
            _ = try await store.commit(Transaction(operations: [.put(key: $0, value: $1)]))
        }
    }

    /// A watch from an index older than the history ends as a compaction does (the index reloads).
    func testWatchFromAClearedIndexIsACompaction() async throws {
        for n in 0..<1_050 { try await fixture.put("/elsewhere/k\(n % 7)", Array("\(n)".utf8)) }
        let subscription = fixture.store.watch(prefix: "/calico/v1/", startRevision: 2)
        do {
            for try await _ in subscription.batches {}
            XCTFail("the watch should have ended")
        } catch let error as EtcdError {
            guard case .compacted = error else { return XCTFail("\(error)") }
        }
    }

    func testAtomicIsRefusedWithNothingWritten() async throws {
        let before = try await fixture.store.rangeAll(prefix: "/calico/").pairs
        let id = DatastoreScenarios.referenceEndpoint
        let refused = try ShellBinary.run(
            fixture.shellArguments + ["--atomic", "-c", "endpoint \(id) profile append WEB"]
        )
        XCTAssertEqual(refused.status, 2)
        XCTAssertEqual(
            refused.errors,
            "calico-shell: --atomic needs a transaction over several keys, which etcd's v2 API "
                + "(datastore etcdv2) does not have; nothing was written\n"
        )
        let detected = try ShellBinary.run(["--endpoints", fixture.etcd.url, "--atomic", "-c", "endpoint show"])
        XCTAssertEqual(detected.status, 2, "detected as v2: refused too")
        let after = try await fixture.store.rangeAll(prefix: "/calico/").pairs
        XCTAssertEqual(after, before)
    }

    /// Host directories whose names order differently with and without their `/` (`a`, `a-b`, `a.b`),
    /// non-ASCII and spaced names, and a key directly in the hosts directory: the read child by child
    /// hands out exactly what one recursive read does, in the same order.
    func testADirectoryReadChildByChildIsTheWholeRead() async throws {
        let store = try XCTUnwrap(fixture.store as? V2HTTPStore)
        let hosts = ["a", "a-b", "a.b", "a0", "b", "z z", "é", "node-1", "node-10", "node-2"]
        for host in hosts {
            for n in 0..<3 {
                try await fixture.put(
                    EndpointKey(host: host, orchestrator: "k8s", workload: "w\(n)", endpoint: "e-\(host)-\(n)")
                        .path(in: layout),
                    Self.endpointValue(ip: "10.0.0.\(n + 1)")
                )
            }
        }
        try await fixture.put(layout.hostsPrefix + "stray", Array("x".utf8))
        let counter = Counter()
        store.whileReadingChildren.withLock { $0 = { _ in counter.add() } }
        let prefix = layout.hostsPrefix
        let whole = try await store.wholeRange(from: prefix, to: KeyRange.prefixEnd(prefix), limit: 0, keysOnly: false)
        var pages = 0
        let scanned = try await store.rangeAll(prefix: prefix) { page in
            XCTAssertFalse(page.startsOver)
            pages += 1
        }
        XCTAssertGreaterThan(counter.value, 1, "read child by child")
        XCTAssertGreaterThan(pages, hosts.count, "a page per child")
        XCTAssertEqual(scanned.pairs, whole.pairs)
        XCTAssertEqual(scanned.revision, whole.revision)
        XCTAssertEqual(whole.pairs.count, 5 + hosts.count * 3 + 1)
        let ranged = try await store.range(
            from: prefix,
            to: KeyRange.prefixEnd(prefix),
            revision: 0,
            limit: 0,
            keysOnly: true
        )
        XCTAssertEqual(ranged.pairs.map(\.key), whole.pairs.map(\.key))
        XCTAssertEqual(ranged.revision, whole.revision)
    }

    /// A write after some children were handed out: the read starts over as one recursive read, so
    /// that what it gives is one snapshot (the moved endpoint once, on its new host), and an index
    /// loading from it holds exactly what etcd holds.
    func testAWriteDuringAReadChildByChildStartsItOver() async throws {
        let store = try XCTUnwrap(fixture.store as? V2HTTPStore)
        let hosts = (0..<24).map { "host-\($0 < 10 ? "0" : "")\($0)" }
        for host in hosts {
            try await fixture.put(
                EndpointKey(host: host, orchestrator: "k8s", workload: "w", endpoint: "e-\(host)").path(in: layout),
                Self.endpointValue(ip: "10.0.1.1")
            )
        }
        let moved = EndpointKey(host: "host-23", orchestrator: "k8s", workload: "w", endpoint: "e-host-23").path(
            in: layout
        )
        let movedTo = EndpointKey(host: "host-00", orchestrator: "k8s", workload: "w2", endpoint: "e-host-23")
            .path(in: layout)
        let value = try await store.get(moved)?.value ?? []
        store.whileReadingChildren.withLock { $0 = Self.moving(moved, to: movedTo, value: value, in: store) }
        var startedOver = false
        let scanned = try await store.rangeAll(prefix: layout.hostsPrefix) { page in
            if page.startsOver { startedOver = true }
        }
        XCTAssertTrue(startedOver, "the runs handed out before the write were taken back")
        store.whileReadingChildren.withLock { $0 = nil }
        let after = try await store.wholeRange(
            from: layout.hostsPrefix,
            to: KeyRange.prefixEnd(layout.hostsPrefix),
            limit: 0,
            keysOnly: false
        )
        XCTAssertEqual(scanned.pairs, after.pairs)
        XCTAssertEqual(scanned.pairs.filter { $0.key.hasSuffix("/e-host-23") }.map(\.key), [movedTo])

        // An index loading while the same happens (the endpoint moves back). The read given up just
        // now makes the next one whole: this one is to be read child by child again.
        XCTAssertTrue(store.fanOutGivenUp.withLock { $0 })
        store.fanOutGivenUp.withLock { $0 = false }
        store.whileReadingChildren.withLock { $0 = Self.moving(movedTo, to: moved, value: value, in: store) }
        let synchronizer = IndexSynchronizer(store: store, layout: layout)
        try await synchronizer.start()
        let index = await synchronizer.currentIndex()
        await synchronizer.stop()
        store.whileReadingChildren.withLock { $0 = nil }
        let now = try await store.rangeAll(prefix: layout.hostsPrefix).pairs
        XCTAssertEqual(
            index.allRecords.map { $0.key.path(in: layout) }.sorted(),
            now.filter { $0.key.contains("/endpoint/") }.map(\.key).sorted()
        )
        XCTAssertEqual(index.allRecords.filter { $0.key.endpoint == "e-host-23" }.map(\.key.host), ["host-23"])
    }

    /// A load reads the hosts, then the profiles, each at its own store index (v2 reads no past
    /// index): an endpoint written between the two must still reach the index, through the watch
    /// that starts after the hosts' index, not after the profiles'.
    func testAnEndpointWrittenBetweenTheHostsAndTheProfilesIsIndexed() async throws {
        let store = try XCTUnwrap(fixture.store as? V2HTTPStore)
        // Enough profiles for their read to go child by child (the hook runs only then); the
        // reference page's one host is read whole.
        for n in 0..<V2HTTPStore.fanOutMinimumChildren {
            try await fixture.put(layout.profilePrefix(of: "P\(n)") + "rules", Array("{}".utf8))
        }
        let late = EndpointKey(host: "late", orchestrator: "k8s", workload: "w", endpoint: "late-1").path(in: layout)
        let done = Counter()
        store.whileReadingChildren.withLock {
            $0 = { handedOut in
                guard handedOut == 0, done.value == 0 else { return }
                done.add()
                _ = try? await store.commit(
                    Transaction(operations: [.put(key: late, value: Self.endpointValue(ip: "10.9.9.9"))])
                )
            }
        }
        let synchronizer = IndexSynchronizer(store: store, layout: layout)
        try await synchronizer.start()
        store.whileReadingChildren.withLock { $0 = nil }
        XCTAssertEqual(done.value, 1, "the profiles were read child by child")
        let index = try await synchronizer.freshIndex()
        await synchronizer.stop()
        XCTAssertEqual(index.records(matching: EndpointFilter(endpoint: "late-1")).map(\.key.host), ["late"])
    }

    /// A hook that moves an endpoint (deletes `key`, writes `value` at `destination`) once some
    /// children were handed out.
    static func moving(
        _ key: String,
        to destination: String,
        value: [UInt8],
        in store: V2HTTPStore
    ) -> @Sendable (Int) async -> Void {
        let done = Counter()
        return { handedOut in
            guard handedOut >= 1, done.value == 0 else { return }
            done.add()
            _ = try? await store.commit(Transaction(operations: [.delete(key: key)]))
            _ = try? await store.commit(Transaction(operations: [.put(key: destination, value: value)]))
        }
    }

    static func endpointValue(ip: String) -> [UInt8] {
        SampleData.endpointValue(name: "cali0", mac: nil, profiles: ["p"], ipv4: [ip + "/32"])
    }

    /// Keys are bytes on the path: spaces, `%`, `?`, `#` and non-ASCII names reach etcd as they are.
    func testKeysArePercentEncoded() async throws {
        let key = EndpointKey(host: "h a%b?c#d", orchestrator: "k8s", workload: "wé", endpoint: "odd")
        try await fixture.put(
            key.path(in: layout),
            SampleData.endpointValue(name: "x", mac: nil, profiles: [], ipv4: [])
        )
        let read = try await fixture.store.get(key.path(in: layout))
        XCTAssertEqual(read?.key, key.path(in: layout))
        let listed = try fixture.etcd.etcdctl(["ls", "--recursive", "/calico/v1/host"], v2: true)
        XCTAssertTrue(listed.contains("/calico/v1/host/h a%b?c#d/workload/k8s/wé/endpoint/odd"), listed)
        let shown = try ShellBinary.run(fixture.shellArguments + ["-c", "endpoint show --host='h a%b?c#d'"])
        XCTAssertEqual(shown.status, 0, shown.errors)
        XCTAssertTrue(shown.output.contains("h a%b?c#d"), shown.output)
    }
}

/// v2 against faults: a member killed, TLS, basic auth.
final class V2HardeningTests: XCTestCase {
    let layout = KeyLayout()
    let endpointID = "d79123c4784511e5bd1a080027f532f6"

    func testMemberKilledMidScript() async throws {
        let cluster = try EtcdCluster(size: 3, enableV2: true)
        defer { cluster.stop() }
        var configuration = try cluster.configuration()
        configuration.datastore = .etcdv2
        let store = try V2HTTPStore(configuration: configuration)
        var ready = false
        for _ in 0..<100 where !ready {
            ready = (try? await store.position(readingKey: "/")) != nil
            if !ready { try await Task.sleep(for: .milliseconds(200)) }
        }
        let profiles = (0..<30).map { "P\($0)" }
        try await BulkLoader.load(
            SampleData.reference(layout: layout) + profiles.flatMap { SampleData.profilePairs($0, layout: layout) },
            into: store
        )
        let shell = try RunningShell(["--endpoints", cluster.urls, "--datastore", "etcdv2"], seconds: 90)
        for (n, profile) in profiles.enumerated() {
            shell.send(Data("endpoint \(endpointID) profile append \(profile)\n".utf8))
            if n == 15 {
                try await Task.sleep(for: .milliseconds(300))
                cluster.members[0].kill()
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        try shell.closeInput()
        let result = shell.finish()
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(result.output.split(separator: "\n").count, 30)
        let key = EndpointKey(
            host: "calico",
            orchestrator: "docker",
            workload: "0d01b3f020fcadfd0090fcbbbbef9658acb26f71c1cb812827afafc625c5ae1a",
            endpoint: endpointID
        )
        let stored = try await store.get(key.path(in: layout))
        XCTAssertEqual(try EndpointData.decode(XCTUnwrap(stored).value).profiles, profiles)
        await store.shutdown()
    }

    /// The member the shell's watch and reads use hangs (SIGSTOP): after the dial timeout they move
    /// to another member, and the next commands work.
    func testFrozenMemberIsLeftBehind() async throws {
        let cluster = try EtcdCluster(size: 3, enableV2: true)
        defer {
            cluster.members[0].thaw()
            cluster.stop()
        }
        var configuration = try cluster.configuration()
        configuration.datastore = .etcdv2
        let store = try V2HTTPStore(configuration: configuration)
        var ready = false
        for _ in 0..<100 where !ready {
            ready = (try? await store.position(readingKey: "/")) != nil
            if !ready { try await Task.sleep(for: .milliseconds(200)) }
        }
        try await BulkLoader.load(SampleData.reference(layout: layout), into: store)
        await store.shutdown()
        let shell = try RunningShell(
            ["--endpoints", cluster.urls, "--datastore", "etcdv2", "--dial-timeout", "1"],
            seconds: 60
        )
        shell.send(Data("endpoint show\n".utf8))
        try await Task.sleep(for: .milliseconds(500))
        cluster.members[0].freeze()
        shell.send(Data("endpoint d50c35bc784511e5bd1a080027f532f6 profile append WEB\n".utf8))
        shell.send(Data("endpoint d50c35bc784511e5bd1a080027f532f6 profile show\n".utf8))
        try shell.closeInput()
        let result = shell.finish()
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertTrue(result.output.hasSuffix("| PROF |\n| WEB  |\n+------+\n"), result.output)
    }

    func testMutualTLS() async throws {
        let tls = try TLSMaterial.make()
        defer { try? FileManager.default.removeItem(at: tls.folder) }
        let fixture = try await DatastoreFixture(.etcdv2, tls: tls)
        try await fixture.loadReference()
        let arguments =
            fixture.shellArguments + [
                "--cacert", tls.caCertificate, "--cert", tls.clientCertificate, "--key", tls.clientKey,
            ]
        try DatastoreScenarios.referencePageExamples(shell: arguments)
        let untrusted = try ShellBinary.run(
            fixture.shellArguments + [
                "--dial-timeout", "2", "--cacert", tls.otherCACertificate, "--cert", tls.clientCertificate,
                "--key", tls.clientKey, "-c", "endpoint show",
            ]
        )
        XCTAssertEqual(untrusted.status, 1)
        XCTAssertEqual(
            untrusted.errors,
            "-c:1: TLS handshake with \(fixture.etcd.url) failed: etcd's server certificate is not trusted "
                + "(check --cacert / ETCD_CA_CERT_FILE)\n"
        )
        await fixture.stop()
    }

    /// v2's own users (`ETCDCTL_API=2 etcdctl user add`, `auth enable`): HTTP basic auth. A read-only
    /// user reads and is refused writes; a wrong password fails at the first read.
    func testBasicAuth() async throws {
        let fixture = try await DatastoreFixture(.etcdv2)
        try await fixture.loadReference()
        let etcd = fixture.etcd
        try etcd.etcdctl(["user", "add", "root:rootpw"], v2: true)
        try etcd.etcdctl(["role", "add", "reader"], v2: true)
        try etcd.etcdctl(["role", "grant", "reader", "--path", "/calico/*", "--read"], v2: true)
        try etcd.etcdctl(["user", "add", "ro:ropw"], v2: true)
        try etcd.etcdctl(["user", "grant", "ro", "--roles", "reader"], v2: true)
        try etcd.etcdctl(["auth", "enable"], v2: true)
        // v2's guest role may do anything until revoked; without it, no user means no access.
        try etcd.etcdctl(
            ["--username", "root:rootpw", "role", "revoke", "guest", "--path", "/*", "--readwrite"],
            v2: true
        )

        let id = "d50c35bc784511e5bd1a080027f532f6"  // has the profile PROF
        let read = try ShellBinary.run(
            fixture.shellArguments + ["--user", "ro:ropw", "-c", "endpoint \(id) profile show"]
        )
        XCTAssertEqual(read.status, 0, read.errors)
        XCTAssertEqual(read.output, "+------+\n| Name |\n+------+\n| PROF |\n+------+\n")
        let write = try ShellBinary.run(
            fixture.shellArguments + ["--user", "ro:ropw", "-c", "endpoint \(id) profile append WEB"]
        )
        XCTAssertEqual(write.status, 1)
        XCTAssertTrue(write.errors.hasPrefix("-c:1: permission denied for writing /calico/v1/host/"), write.errors)
        let wrong = try ShellBinary.run(fixture.shellArguments + ["--user", "ro:bad", "-c", "endpoint show"])
        XCTAssertEqual(wrong.status, 1)
        XCTAssertEqual(wrong.errors, "-c:1: etcd authentication failed for user 'ro': wrong user name or password\n")
        let none = try ShellBinary.run(fixture.shellArguments + ["-c", "endpoint show"])
        XCTAssertEqual(none.status, 1)
        XCTAssertEqual(none.errors, "-c:1: etcd requires authentication: give --user (or set ETCD_USERNAME)\n")
        let root = try ShellBinary.run(
            fixture.shellArguments + ["--user", "root:rootpw", "-c", "endpoint \(id) profile append WEB"]
        )
        XCTAssertEqual(root.status, 0, root.errors)
        await fixture.stop()
    }
}

/// A count shared with a `@Sendable` closure.
private final class Counter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
