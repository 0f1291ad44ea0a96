/// Which of etcd's APIs holds the Calico data when no setting says (`--datastore`, `DATASTORE_TYPE`,
/// the config file's `datastoreType`): the v3 API when it holds keys under the prefix, else the v2 API
/// when it does, else v3 (an empty etcd starts on the API that is kept). v2 and v3 keyspaces are
/// separate in etcd: data written through one is invisible to the other.
public enum DatastoreDetection {
    /// The store to use, which API it speaks, and whether that was detected rather than chosen.
    public struct Choice: Sendable {
        public var store: any KeyValueStore
        public var kind: DatastoreKind
        public var detected: Bool

        /// `etcd v2 API, detected` / `etcd v3 API, --datastore etcdv3`: for the banner.
        public var summary: String { kind.apiName + (detected ? ", detected" : ", chosen") }
    }

    /// Makes the store the configuration names, or detects it with at most two cheap reads (one key of
    /// each keyspace). When etcd cannot be asked (down, or refusing the reads), the v3 store is used:
    /// its first command then reports why, as without detection.
    public static func choose(configuration: EtcdConfiguration, prefix: String) async throws -> Choice {
        if let kind = configuration.datastore {
            return Choice(store: try makeStore(kind, configuration: configuration), kind: kind, detected: false)
        }
        let v3 = try GRPCEtcdClient(configuration: configuration)
        let directory = prefix.hasSuffix("/") ? prefix : prefix + "/"
        do {
            let page = try await v3.range(
                from: directory,
                to: KeyRange.prefixEnd(directory),
                revision: 0,
                limit: 1,
                keysOnly: true
            )
            if !page.pairs.isEmpty { return Choice(store: v3, kind: .etcdv3, detected: true) }
        } catch {
            // etcd cannot be read (down, a TLS or auth failure): the first command says why.
            return Choice(store: v3, kind: .etcdv3, detected: true)
        }
        let v2 = try V2HTTPStore(configuration: configuration)
        if await v2.holdsKeys(under: directory) {
            await v3.shutdown()
            return Choice(store: v2, kind: .etcdv2, detected: true)
        }
        await v2.shutdown()
        return Choice(store: v3, kind: .etcdv3, detected: true)
    }

    public static func makeStore(_ kind: DatastoreKind, configuration: EtcdConfiguration) throws -> any KeyValueStore {
        switch kind {
        case .etcdv3: return try GRPCEtcdClient(configuration: configuration)
        case .etcdv2: return try V2HTTPStore(configuration: configuration)
        }
    }
}

extension V2HTTPStore {
    /// Whether the v2 keyspace has `directory` (with anything in it): one quorum read of the
    /// directory itself, not of its tree. False when etcd does not answer or serves no v2 API.
    func holdsKeys(under directory: String) async -> Bool {
        guard
            let reply = try? await send(
                .GET,
                path: V2KeyPath.url(base: "", key: directory) + "?quorum=true",
                operation: "reading \(directory)",
                idempotent: true
            ), reply.status == 200
        else { return false }
        let node = (try? reply.decode(V2Answer.self, operation: "reading \(directory)"))?.node
        return node?.dir == true && !(node?.nodes ?? []).isEmpty
    }
}
