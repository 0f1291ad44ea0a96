import Foundation

/// Which of etcd's APIs holds the Calico data, with calicoctl's names (`datastoreType: etcdv3`).
///
/// `etcdv3` is `GRPCEtcdClient`; `etcdv2` (calicoctl 1.x's default, where Calico v1 and v2 clusters keep
/// their data) is `V2HTTPStore`. When no setting names one, `DatastoreDetection` picks it.
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

    /// How `--show-config`, the banner and errors name its API: `etcd v3 API`.
    public var apiName: String { self == .etcdv3 ? "etcd v3 API" : "etcd v2 API" }
}
