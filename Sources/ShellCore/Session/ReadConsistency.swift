/// How reads are answered, as etcdctl's `--consistency=l|s`:
/// - `l` (linearizable, the default): every read first learns etcd's current revision (one cheap
///   request) and answers from an index that has caught up with it, so it sees every write made
///   before the command started.
/// - `s` (serializable): reads and completion answer from the watched index as it is, without
///   asking etcd: no round trip, but a write made a moment ago elsewhere may not be seen yet.
///
/// Edits are linearizable in both modes: they always decide on a fresh index.
public enum ReadConsistency: String, Sendable, CaseIterable {
    case linearizable = "l"
    case serializable = "s"
}
