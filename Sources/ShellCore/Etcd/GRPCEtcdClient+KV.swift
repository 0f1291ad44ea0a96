import Foundation
import GRPCCore
import GRPCProtobuf

/// Reads and writes: etcd's KV service (Range and Txn).
extension GRPCEtcdClient {
    private var kv: Etcdserverpb_KV.Client<Transport> { Etcdserverpb_KV.Client(wrapping: client) }

    public func range(
        from start: String,
        to end: String,
        revision: Int64,
        limit: Int64,
        keysOnly: Bool
    ) async throws -> RangePage {
        var request = Etcdserverpb_RangeRequest()
        request.keysOnly = keysOnly
        request.key = Data(KeyText.encode(start))
        request.rangeEnd = Data(KeyText.encode(end))
        request.revision = revision
        request.limit = limit
        // Read as bytes in place (`RawKeyValues`), not as SwiftProtobuf messages.
        let response = try await call("reading \(start)", idempotent: true, revision: revision) { metadata, options in
            try await client.unary(
                request: ClientRequest(message: request, metadata: metadata),
                descriptor: Etcdserverpb_KV.Method.Range.descriptor,
                serializer: ProtobufSerializer<Etcdserverpb_RangeRequest>(),
                deserializer: RawRangeDeserializer(),
                options: options
            ) { try $0.message }
        }
        return RangePage(
            raw: response.keyValues,
            more: response.more,
            revision: response.revision,
            remaining: response.count,
            clusterID: response.clusterID
        )
    }

    public func get(_ key: String) async throws -> KeyValue? {
        var request = Etcdserverpb_RangeRequest()
        request.key = Data(KeyText.encode(key))
        let response = try await call("reading \(key)", idempotent: true) { metadata, options in
            try await kv.range(request, metadata: metadata, options: options)
        }
        return response.kvs.first.map(KeyValue.init)
    }

    public func position(readingKey key: String) async throws -> StorePosition {
        // A linearizable count of one key (that need not exist): the cheapest request that carries the
        // cluster's current revision and goes through the leader's read index.
        var request = Etcdserverpb_RangeRequest()
        request.key = Data(KeyText.encode(key))
        request.countOnly = true
        let response = try await call("reading \(key)", idempotent: true) { metadata, options in
            try await kv.range(request, metadata: metadata, options: options)
        }
        return StorePosition(clusterID: response.header.clusterID, revision: response.header.revision)
    }

    public func commit(_ transaction: Transaction) async throws -> TransactionResult {
        let request = Etcdserverpb_TxnRequest(transaction)
        let keys = transaction.operations.first?.key ?? "etcd"
        let response = try await call("writing \(keys)") { metadata, options in
            try await kv.txn(request, metadata: metadata, options: options)
        }
        return TransactionResult(succeeded: response.succeeded, revision: response.header.revision)
    }

    public func put(_ key: String, _ value: [UInt8]) async throws -> Int64 {
        try await commit(Transaction(operations: [.put(key: key, value: value)])).revision
    }
}
