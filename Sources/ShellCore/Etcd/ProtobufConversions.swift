import Foundation

// Between etcd's protobuf messages and the store's value types, both ways. Keys go through
// `KeyText` so that bytes that are not UTF-8 survive a round trip.

extension KeyValue {
    init(_ message: Etcdserverpb_KeyValue) {
        self.init(key: KeyText.decode(message.key), value: Array(message.value), modRevision: message.modRevision)
    }
}

extension WatchEvent {
    init(_ message: Etcdserverpb_Event) {
        self.init(kind: message.type == .delete ? .delete : .put, pair: KeyValue(message.kv))
    }
}

extension WatchBatch {
    /// One watch response as a batch. A cancelled watch is an error: `compacted` with etcd's compact
    /// revision when the history it needs is gone, else `watchEnded` with etcd's reason.
    init(_ message: Etcdserverpb_WatchResponse) throws(EtcdError) {
        if message.canceled {
            if message.compactRevision > 0 { throw .compacted(revision: message.compactRevision) }
            throw .watchEnded(message.cancelReason.isEmpty ? "cancelled by etcd" : message.cancelReason)
        }
        self.init(
            events: message.events.map(WatchEvent.init),
            revision: message.header.revision,
            isCreation: message.created && message.events.isEmpty,
            clusterID: message.header.clusterID
        )
    }
}

extension Etcdserverpb_TxnRequest {
    init(_ transaction: Transaction) {
        self.init()
        compare = transaction.compares.map(Etcdserverpb_Compare.init)
        success = transaction.operations.map(Etcdserverpb_RequestOp.init)
    }
}

extension Etcdserverpb_Compare {
    init(_ compare: Transaction.Compare) {
        self.init()
        switch compare {
        case .modRevision(let key, let revision):
            self.key = Data(KeyText.encode(key))
            target = .mod
            result = .equal
            modRevision = revision
        case .exists(let prefix):
            // Over a range, etcd compares every key in it, or a key of version 0 when there
            // is none: "version > 0" holds exactly when some key exists.
            key = Data(KeyText.encode(prefix))
            rangeEnd = Data(KeyText.encode(KeyRange.prefixEnd(prefix)))
            target = .version
            result = .greater
            version = 0
        }
    }
}

extension Etcdserverpb_RequestOp {
    init(_ operation: Transaction.Operation) {
        self.init()
        switch operation {
        case .put(let key, let value):
            var put = Etcdserverpb_PutRequest()
            put.key = Data(KeyText.encode(key))
            put.value = Data(value)
            requestPut = put
        case .delete(let key):
            var delete = Etcdserverpb_DeleteRangeRequest()
            delete.key = Data(KeyText.encode(key))
            requestDeleteRange = delete
        }
    }
}
