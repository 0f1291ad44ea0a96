import Foundation

/// Which of etcd's APIs holds the Calico data, with calicoctl's names (`datastoreType: etcdv3`).
///
/// calico-shell speaks etcd's v3 API today. `etcdv2` is parsed all the same, so that a configuration that
/// names it is understood and refused when connecting with a message saying why, and so that a v2 store
/// can slot in later without changing how settings are read.
public enum DatastoreKind: String, CaseIterable, Equatable, Sendable {
    case etcdv3
    case etcdv2

    /// What calicoctl accepts: `etcdv3`, `etcdv2`; `kubernetes` (calicoctl's other datastore) and anything
    /// else is refused here; `source` names where the value came from (`DATASTORE_TYPE`).
    public static func parse(_ text: String, source: String) throws(EtcdError) -> DatastoreKind {
        let word = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let kind = DatastoreKind(rawValue: word) { return kind }
        if word == "kubernetes" {
            throw .configuration(
                "\(source) '\(text)' is not supported: calico-shell works on "
                    + "Calico data in etcd only (datastoreType etcdv3)"
            )
        }
        throw .configuration("\(source) '\(text)' is not a datastore: expected etcdv3 or etcdv2")
    }

    /// Whether this build can talk to the datastore: the v2 API is not implemented yet.
    public var isSupported: Bool { self == .etcdv3 }
}
