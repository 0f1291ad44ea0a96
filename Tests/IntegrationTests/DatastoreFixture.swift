import Foundation
import ShellCore
import ShellDevTools

/// One datastore under test: a private etcd (serving the v2 API too when the datastore is etcdv2),
/// the store of calico-shell that speaks to it, and how to point the binary at it. Scenarios shared by
/// the v3 and v2 tests take a fixture, so that both datastores pass the same behaviour tests.
final class DatastoreFixture {
    let kind: DatastoreKind
    let etcd: EtcdProcess
    let store: any KeyValueStore
    let layout = KeyLayout()

    /// Starts etcd (with `--enable-v2=true` for etcdv2; etcd 3.4 serves v2 only then) and waits until
    /// the store answers.
    init(_ kind: DatastoreKind, tls: TLSMaterial? = nil) async throws {
        self.kind = kind
        etcd = try EtcdProcess(extraArguments: kind == .etcdv2 ? ["--enable-v2=true"] : [], tls: tls)
        store = try await Self.store(kind, for: etcd)
    }

    /// A store of `kind` for `etcd`, once it answers.
    static func store(
        _ kind: DatastoreKind,
        for etcd: EtcdProcess,
        credentials: EtcdConfiguration.Credentials? = nil
    ) async throws -> any KeyValueStore {
        if kind == .etcdv3 { return try await etcd.client(credentials: credentials) }
        var configuration = try etcd.configuration(credentials: credentials)
        configuration.datastore = .etcdv2
        let store = try V2HTTPStore(configuration: configuration)
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            do {
                _ = try await store.position(readingKey: "/")
                return store
            } catch {
                if ContinuousClock.now > deadline { throw error }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// The reference page's endpoints and profiles.
    func loadReference() async throws {
        try await BulkLoader.load(SampleData.reference(layout: layout), into: store)
    }

    /// `--endpoints URL --datastore KIND`.
    var shellArguments: [String] { ["--endpoints", etcd.url, "--datastore", kind.rawValue] }

    var configuration: EtcdConfiguration {
        get throws {
            var configuration = try etcd.configuration()
            configuration.datastore = kind
            return configuration
        }
    }

    func put(_ key: String, _ value: [UInt8]) async throws {
        _ = try await store.commit(Transaction(operations: [.put(key: key, value: value)]))
    }

    func stop() async {
        await store.shutdown()
        etcd.stop()
    }
}
