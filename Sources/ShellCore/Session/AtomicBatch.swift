import Synchronization

/// `--atomic`: a script's edits staged in memory and committed at the end as one etcd transaction.
///
/// Reads later in the same script see the staged values (the index is overlaid with them). The
/// transaction compares the `mod_revision` each endpoint had when the script first read it; if
/// another writer changed one in between, the script's edits are replayed, in order, on fresh
/// values, so the result is as if the script had run after that writer. It also requires every
/// profile the script adds to still exist.
///
/// A script runs one command at a time, so the lock is never contended; it makes the batch a
/// `Sendable` value the runner can hand to the command it runs.
public final class AtomicBatch: Sendable {
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

    private struct Contents {
        /// By exact key bytes: two endpoints whose keys are canonically equal text stay apart.
        var staged: [ExactString: Staged] = [:]
        var edits: [RecordedEdit] = []

        /// Every profile a staged edit adds, each once, in order.
        var requiredProfiles: [String] {
            var seen = Set<String>()
            return edits.flatMap(\.edit.requiredProfiles).filter { seen.insert($0).inserted }
        }
    }

    private let contents = Mutex(Contents())

    public init() {}

    public var isEmpty: Bool { contents.withLock { $0.staged.isEmpty } }
    public var endpointCount: Int { contents.withLock { $0.staged.count } }
    /// Edits staged so far (several may change one endpoint).
    public var editCount: Int { contents.withLock { $0.edits.count } }

    /// `index` as the script sees it: with its staged values in place.
    func overlay(_ index: EndpointIndex) -> EndpointIndex {
        let staged = contents.withLock { $0.staged }
        guard !staged.isEmpty else { return index }
        var copy = index
        for (path, item) in staged {
            copy.put(KeyValue(key: path.text, value: item.value, modRevision: item.baseRevision))
        }
        return copy
    }

    func stage(
        path: String,
        key: EndpointKey,
        baseRevision: Int64,
        value: [UInt8],
        edit: ProfileEdit
    ) throws(ShellError) {
        let exact = ExactString(path)
        try contents.withLock { (contents: inout Contents) throws(ShellError) in
            if contents.staged[exact] == nil && contents.staged.count >= Self.maximumOperations {
                throw .atomic(.tooManyEndpoints(limit: Self.maximumOperations))
            }
            let base = contents.staged[exact]?.baseRevision ?? baseRevision
            contents.staged[exact] = Staged(key: key, baseRevision: base, value: value)
            contents.edits.append(RecordedEdit(path: path, key: key, edit: edit))
        }
    }

    /// The transaction for the staged values.
    func transaction(layout: KeyLayout) -> Transaction {
        contents.withLock { contents in
            let paths = contents.staged.keys.sorted()
            return Transaction(
                compares: paths.map { .modRevision(key: $0.text, equals: contents.staged[$0]!.baseRevision) }
                    + contents.requiredProfiles.map { .exists(prefix: layout.profilePrefix(of: $0)) },
                operations: paths.map { .put(key: $0.text, value: contents.staged[$0]!.value) }
            )
        }
    }

    /// Replays every recorded edit, in order, on the endpoints and profiles of a fresh `index`.
    func replay(on index: EndpointIndex, layout: KeyLayout) throws(ShellError) {
        let (edits, required) = contents.withLock { ($0.edits, $0.requiredProfiles) }
        for name in required where !index.profileExists(name) {
            throw .atomic(.profileDeleted(name))
        }
        var values: [ExactString: Staged] = [:]
        for recorded in edits {
            let fresh = index.record(at: recorded.key).map {
                Staged(key: recorded.key, baseRevision: $0.modRevision, value: $0.value)
            }
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
        contents.withLock { $0.staged = values }
    }
}
