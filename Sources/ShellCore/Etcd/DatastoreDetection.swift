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

    /// A read that can stand in for the v3 probe: any keys it finds inside the prefix prove v3
    /// holds Calico data, and its answer is the caller's.
    public struct FirstRead: Sendable {
        public var start: String
        public var end: String
        public var revision: Int64
        public var limit: Int64
        public var keysOnly: Bool

        /// Whether every key the read can return lies under `directory`.
        func staysUnder(_ directory: String) -> Bool {
            KeyText.hasPrefix(start, directory) && !end.isEmpty
                && KeyText.compare(end, KeyRange.prefixEnd(directory)) <= 0
        }
    }

    /// Makes the store the configuration names, or detects it with at most two reads (one of each
    /// keyspace). When etcd cannot be asked (down, or refusing the reads), the v3 store is used: its
    /// first command then reports why, as without detection.
    ///
    /// The v3 probe is `firstRead` itself when it reads under the prefix (a session's first read is
    /// the first page of its load), and its answer is returned with the choice. A probe of its own,
    /// even with a limit of 1, costs etcd 3.4 a walk of the whole prefix (it counts what it does not
    /// return): 0.35–0.5 s of etcd's CPU at 1,000,000 endpoints, before the load walks it again.
    public static func choose(
        configuration: EtcdConfiguration,
        prefix: String,
        firstRead: FirstRead? = nil
    ) async throws -> (choice: Choice, answer: RangePage?) {
        if let kind = configuration.datastore {
            return (Choice(store: try makeStore(kind, configuration: configuration), kind: kind, detected: false), nil)
        }
        let v3 = try GRPCEtcdClient(configuration: configuration)
        let onV3 = Choice(store: v3, kind: .etcdv3, detected: true)
        let directory = prefix.hasSuffix("/") ? prefix : prefix + "/"
        do {
            if let read = firstRead, read.staysUnder(directory) {
                let page = try await v3.range(
                    from: read.start,
                    to: read.end,
                    revision: read.revision,
                    limit: read.limit,
                    keysOnly: read.keysOnly
                )
                if !page.isEmpty { return (onV3, page) }
            }
            let page = try await v3.range(
                from: directory,
                to: KeyRange.prefixEnd(directory),
                revision: 0,
                limit: 1,
                keysOnly: true
            )
            if !page.isEmpty { return (onV3, nil) }
        } catch {
            // etcd cannot be read (down, a TLS or auth failure): the first command says why.
            return (onV3, nil)
        }
        let v2 = try V2HTTPStore(configuration: configuration)
        if await v2.holdsKeys(under: directory) {
            await v3.shutdown()
            return (Choice(store: v2, kind: .etcdv2, detected: true), nil)
        }
        await v2.shutdown()
        return (onV3, nil)
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
