/// `--atomic`: a script's edits staged in memory and committed at the end as one etcd transaction.
///
/// Reads later in the same script see the staged values (the index is overlaid with them). The
/// transaction compares the `mod_revision` each endpoint had when the script first read it; if
/// another writer changed one in between, the script's edits are replayed, in order, on fresh
/// values, so the result is as if the script had run after that writer. It also requires every
/// profile the script adds to still exist.
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

    /// By exact key bytes: two endpoints whose keys are canonically equal text stay apart.
    private(set) var staged: [ExactString: Staged] = [:]
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
        for (path, item) in staged { copy.put(KeyValue(key: path.text, value: item.value, modRevision: item.baseRevision)) }
        return copy
    }

    func stage(path: String, key: EndpointKey, baseRevision: Int64, value: [UInt8], edit: ProfileEdit) throws(ShellError) {
        let exact = ExactString(path)
        if staged[exact] == nil && staged.count >= Self.maximumOperations {
            throw .atomic(.tooManyEndpoints(limit: Self.maximumOperations))
        }
        let base = staged[exact]?.baseRevision ?? baseRevision
        staged[exact] = Staged(key: key, baseRevision: base, value: value)
        edits.append(RecordedEdit(path: path, key: key, edit: edit))
    }

    /// Every profile a staged edit adds, each once, in order.
    var requiredProfiles: [String] {
        var seen = Set<String>()
        return edits.flatMap(\.edit.requiredProfiles).filter { seen.insert($0).inserted }
    }

    /// The transaction for the staged values.
    func transaction(layout: KeyLayout) -> Transaction {
        let paths = staged.keys.sorted()
        return Transaction(
            compares: paths.map { .modRevision(key: $0.text, equals: staged[$0]!.baseRevision) }
                + requiredProfiles.map { .exists(prefix: layout.profilePrefix(of: $0)) },
            operations: paths.map { .put(key: $0.text, value: staged[$0]!.value) })
    }

    /// Replays every recorded edit, in order, on the endpoints and profiles of a fresh `index`.
    func replay(on index: EndpointIndex, layout: KeyLayout) throws(ShellError) {
        for name in requiredProfiles where !index.profileExists(name) {
            throw .atomic(.profileDeleted(name))
        }
        var values: [ExactString: Staged] = [:]
        for recorded in edits {
            let fresh = index.record(at: recorded.key).map { Staged(key: recorded.key, baseRevision: $0.modRevision, value: $0.value) }
            guard let current = values[ExactString(recorded.path)] ?? fresh else {
                throw .atomic(.endpointDeleted(recorded.key.endpoint))
            }
            let profiles: [String]
            do { profiles = try EndpointData.decode(current.value).profiles } catch {
                throw .atomic(.malformedValue(endpoint: recorded.key.endpoint, reason: error.reason))
            }
            var next = current
            if let newProfiles = recorded.edit.plan(current: profiles).newProfiles {
                do { next.value = try EndpointDocument.replacingProfiles(in: current.value, with: newProfiles) } catch {
                    throw .atomic(.malformedValue(endpoint: recorded.key.endpoint, reason: error.reason))
                }
            }
            values[ExactString(recorded.path)] = next
        }
        staged = values
    }
}
