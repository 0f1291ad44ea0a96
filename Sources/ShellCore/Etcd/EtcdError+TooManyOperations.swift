extension EtcdError {
    /// etcd refused a transaction for holding more operations than its `--max-txn-ops`
    /// (`etcdserver: too many operations in txn request`, gRPC InvalidArgument). The server sends no
    /// code of its own for it, so its fixed message is what tells it apart.
    var refusesTooManyOperations: Bool {
        if case .server(_, let message) = self { return message.contains("too many operations in txn request") }
        return false
    }
}
