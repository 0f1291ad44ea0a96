/// `--atomic`: a script's edits staged in memory and committed at the end as one etcd transaction.
///
/// Reads later in the same script see the staged values (the index is overlaid with them). The
/// transaction compares the `mod_revision` each endpoint had when the script first read it; if
/// another writer changed one in between, the script's edits are replayed, in order, on fresh
/// values (bounded), so the result is as if the script had run after that writer.
public final class AtomicBatch {
    /// etcd's default `--max-txn-ops`: one transaction holds at most this many puts.
    public static let maximumOperations = 128

    struct Staged {
        var key: EndpointKey
        var baseRevision: Int64
        var value: [UInt8]
    }

    struct RecordedEdit {
        var path: String
        var key: EndpointKey
        var edit: ProfileEdit
    }

    private(set) var staged: [String: Staged] = [:]
    private(set) var edits: [RecordedEdit] = []

    public init() {}

    public var isEmpty: Bool { staged.isEmpty }
    public var endpointCount: Int { staged.count }
    /// Edits staged so far (several may change one endpoint).
    public var editCount: Int { edits.count }

    /// `index` as the script sees it: with its staged values in place.
    func overlay(_ index: EndpointIndex) -> EndpointIndex {
        guard !staged.isEmpty else { return index }
        var copy = index
        for (path, item) in staged { copy.put(KeyValue(key: path, value: item.value, modRevision: item.baseRevision)) }
        return copy
    }

    func stage(path: String, key: EndpointKey, baseRevision: Int64, value: [UInt8], edit: ProfileEdit) throws(ShellError) {
        if staged[path] == nil && staged.count >= Self.maximumOperations {
            throw .script("--atomic: this script changes more than \(Self.maximumOperations) endpoints, more than etcd applies in one transaction (--max-txn-ops); nothing was written")
        }
        let base = staged[path]?.baseRevision ?? baseRevision
        staged[path] = Staged(key: key, baseRevision: base, value: value)
        edits.append(RecordedEdit(path: path, key: key, edit: edit))
    }

    /// The transaction for the staged values.
    var transaction: Transaction {
        let paths = staged.keys.sorted()
        return Transaction(
            compares: paths.map { .modRevision(key: $0, equals: staged[$0]!.baseRevision) },
            operations: paths.map { .put(key: $0, value: staged[$0]!.value) })
    }

    /// Replays every recorded edit, in order, on `fresh` values (path → value and mod_revision).
    func replay(on fresh: [String: KeyValue]) throws(ShellError) {
        var values: [String: Staged] = [:]
        for recorded in edits {
            guard let current = values[recorded.path] ?? fresh[recorded.path].map({ Staged(key: recorded.key, baseRevision: $0.modRevision, value: $0.value) }) else {
                throw .script("--atomic: endpoint \(recorded.key.endpoint) was deleted by another writer; nothing was written")
            }
            let profiles: [String]
            do { profiles = try EndpointData.decode(current.value).profiles } catch {
                throw .script("--atomic: endpoint \(recorded.key.endpoint) now has a malformed value (\(error.reason)); nothing was written")
            }
            var next = current
            if let newProfiles = recorded.edit.plan(current: profiles).newProfiles {
                do { next.value = try EndpointDocument.replacingProfiles(in: current.value, with: newProfiles) } catch {
                    throw .script("--atomic: endpoint \(recorded.key.endpoint) now has a malformed value (\(error.reason)); nothing was written")
                }
            }
            values[recorded.path] = next
        }
        staged = values
    }
}
