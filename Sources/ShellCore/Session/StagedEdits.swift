import Synchronization

/// A script's edits staged in memory instead of written: `--atomic` commits them at the end as one
/// etcd transaction; `--dry-run` never writes them and prints them as a plan (`EditPlan`).
///
/// Reads later in the same script see the staged values (the index is overlaid with them). The
/// transaction compares the `mod_revision` each endpoint had when the script first read it; if
/// another writer changed one in between, the script's edits are replayed, in order, on fresh
/// values, so the result is as if the script had run after that writer. It also requires every
/// profile the script adds to still exist.
///
/// A script runs one command at a time, so the lock is never contended; it makes the batch a
/// `Sendable` value the runner can hand to the command it runs.
public final class StagedEdits: Sendable {
    /// etcd's default `--max-txn-ops`: one transaction holds at most this many puts.
    public static let maximumOperations = 128

    struct Staged {
        var key: EndpointKey
        var baseRevision: Int64
        var value: [UInt8]
        /// The endpoint's profiles when the script first changed it, and after its edits so far.
        var before: [String]
        var after: [String]
    }

    struct RecordedEdit {
        var path: String
        var key: EndpointKey
        var edit: ProfileEdit
    }

    private struct Contents {
        /// Where each staged endpoint's entry is in `items`. By exact key bytes: two endpoints whose
        /// keys are canonically equal text stay apart.
        var positions: [ExactString: Int] = [:]
        /// The staged endpoints, in the order first staged (a bulk edit stages in key order, so the
        /// plan rarely needs sorting, and reading them in order needs no hashing).
        var items: [(path: ExactString, staged: Staged)] = []
        var edits: [RecordedEdit] = []
        /// Endpoints an edit selected that needed no change (the plan's "unchanged").
        var untouched: [ExactString: EndpointKey] = [:]

        func isStaged(_ path: ExactString) -> Bool { positions[path] != nil }

        /// Every profile a staged edit adds, each once, in order.
        var requiredProfiles: [String] {
            var seen = Set<String>()
            return edits.flatMap(\.edit.requiredProfiles).filter { seen.insert($0).inserted }
        }
    }

    public enum Purpose: Sendable {
        /// `--atomic`: committed at the end; at most one transaction's worth of endpoints.
        case atomic
        /// `--dry-run`: shown as a plan, never written; any number of endpoints.
        case plan
    }

    private let contents = Mutex(Contents())
    public let purpose: Purpose
    /// How many endpoints may be staged: one transaction's worth under `--atomic` (also when only
    /// planned, so that the plan of an `--atomic --dry-run` fails where the run would).
    let limit: Int?

    public init(_ purpose: Purpose = .atomic, limit: Int? = nil) {
        self.purpose = purpose
        self.limit = limit ?? (purpose == .atomic ? Self.maximumOperations : nil)
    }

    public var isEmpty: Bool { contents.withLock { $0.items.isEmpty } }
    public var endpointCount: Int { contents.withLock { $0.items.count } }
    /// Edits staged so far (several may change one endpoint).
    public var editCount: Int { contents.withLock { $0.edits.count } }

    /// `index` as the script sees it: with its staged values in place.
    func overlay(_ index: EndpointIndex) -> EndpointIndex {
        let items = contents.withLock { $0.items }
        guard !items.isEmpty else { return index }
        var copy = index
        for (path, item) in items {
            copy.put(KeyValue(key: path.text, value: item.value, modRevision: item.baseRevision))
        }
        return copy
    }

    /// Room for `count` more endpoints (a bulk edit stages every endpoint it selects).
    func reserve(_ count: Int) {
        contents.withLock { contents in
            contents.positions.reserveCapacity(contents.positions.count + count)
            contents.items.reserveCapacity(contents.items.count + count)
            contents.edits.reserveCapacity(contents.edits.count + count)
        }
    }

    /// Stages `value` (with the profiles `after`) for the endpoint at `path`, which had `before`.
    func stage(
        path: String,
        key: EndpointKey,
        baseRevision: Int64,
        value: [UInt8],
        profiles: (before: [String], after: [String]),
        edit: ProfileEdit
    ) throws(ShellError) {
        let exact = ExactString(path)
        let limit = self.limit
        try contents.withLock { (contents: inout Contents) throws(ShellError) in
            // One hash of the path in the common case (a first edit of the endpoint): a bulk dry
            // run stages every endpoint it selects.
            let position = contents.items.count
            if let earlier = contents.positions.updateValue(position, forKey: exact) {
                // Edited before in this run: the first edit's base and profiles stay.
                contents.positions[exact] = earlier
                contents.items[earlier].staged.value = value
                contents.items[earlier].staged.after = profiles.after
            } else {
                if let limit, contents.items.count >= limit {
                    contents.positions[exact] = nil
                    throw .atomic(.tooManyEndpoints(limit: limit))
                }
                let staged = Staged(
                    key: key,
                    baseRevision: baseRevision,
                    value: value,
                    before: profiles.before,
                    after: profiles.after
                )
                contents.items.append((exact, staged))
            }
            if !contents.untouched.isEmpty { contents.untouched[exact] = nil }
            contents.edits.append(RecordedEdit(path: path, key: key, edit: edit))
        }
    }

    /// Notes that an edit selected the endpoint at `path` and found nothing to change.
    func noteUnchanged(path: String, key: EndpointKey) {
        let exact = ExactString(path)
        contents.withLock { contents in
            if !contents.isStaged(exact) { contents.untouched[exact] = key }
        }
    }

    /// What the staged edits would change, endpoint by endpoint in key order. An endpoint whose
    /// edits cancel out (append then remove) counts as unchanged.
    func plan(failedLines: Int) -> EditPlan {
        contents.withLock { contents in
            var changes: [EditPlan.Change] = []
            changes.reserveCapacity(contents.items.count)
            var unchanged = contents.untouched.count
            for (_, item) in contents.items {
                if item.before == item.after {
                    unchanged += 1
                } else {
                    changes.append(EditPlan.Change(key: item.key, before: item.before, after: item.after))
                }
            }
            if !changes.indices.dropFirst().allSatisfy({ changes[$0 - 1].key < changes[$0].key }) {
                changes.sort { $0.key < $1.key }
            }
            return EditPlan(changes: changes, unchanged: unchanged, failedLines: failedLines)
        }
    }

    /// The transaction for the staged values.
    func transaction(layout: KeyLayout) -> Transaction {
        contents.withLock { contents in
            let items = contents.items.sorted { $0.path < $1.path }
            return Transaction(
                compares: items.map { .modRevision(key: $0.path.text, equals: $0.staged.baseRevision) }
                    + contents.requiredProfiles.map { .exists(prefix: layout.profilePrefix(of: $0)) },
                operations: items.map { .put(key: $0.path.text, value: $0.staged.value) }
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
                Staged(key: recorded.key, baseRevision: $0.modRevision, value: $0.value, before: [], after: [])
            }
            guard let current = values[ExactString(recorded.path)] ?? fresh else {
                throw .atomic(.endpointDeleted(recorded.key.endpoint))
            }
            let profiles: [String]
            do { profiles = try EndpointData.decode(current.value).profiles } catch {
                throw .atomic(.malformedValue(endpoint: recorded.key.endpoint, reason: error.reason))
            }
            var next = current
            if values[ExactString(recorded.path)] == nil { (next.before, next.after) = (profiles, profiles) }
            if let newProfiles = recorded.edit.plan(current: profiles).newProfiles {
                do { next.value = try EndpointDocument.replacingProfiles(in: current.value, with: newProfiles) } catch {
                    throw .atomic(.malformedValue(endpoint: recorded.key.endpoint, reason: error.reason))
                }
                next.after = newProfiles
            }
            values[ExactString(recorded.path)] = next
        }
        contents.withLock { contents in
            // Each endpoint keeps its place; the replay changes values, never which endpoints.
            for position in contents.items.indices {
                if let value = values[contents.items[position].path] { contents.items[position].staged = value }
            }
        }
    }
}
