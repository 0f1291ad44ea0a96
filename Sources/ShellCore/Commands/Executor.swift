/// Runs endpoint commands: reads come from the watch-synced index, writes go to etcd as
/// compare-and-swap transactions on the endpoint's `mod_revision`.
public final class Executor: Sendable {
    public let synchronizer: IndexSynchronizer
    public var store: any KeyValueStore { synchronizer.store }
    public var layout: KeyLayout { synchronizer.layout }
    /// How often an edit that lost a compare-and-swap race is re-applied to fresh data.
    let maxAttempts: Int

    public init(synchronizer: IndexSynchronizer, maxAttempts: Int = 20) {
        self.synchronizer = synchronizer
        self.maxAttempts = maxAttempts
    }

    /// Runs one endpoint command. With a `batch` (`--atomic`), edits are staged in it instead of
    /// written, and reads see what is staged.
    public func run(_ command: Command, format: OutputFormat, batch: AtomicBatch? = nil) async throws(ShellError) -> CommandResult {
        switch command {
        case .showEndpoints(let filter, let detailed):
            return ShowEndpoints.run(try await freshIndex(batch), filter: filter, detailed: detailed, format: format)
        case .showProfiles(let filter):
            return try ShowProfiles.run(try await freshIndex(batch), filter: filter, format: format)
        case .editProfiles(let filter, let action, let names):
            return try await edit(filter: filter, edit: ProfileEdit(action: action, names: names), format: format, batch: batch)
        default:
            throw .usage("not an endpoint command")
        }
    }

    func freshIndex(_ batch: AtomicBatch? = nil) async throws(ShellError) -> EndpointIndex {
        do {
            let index = try await synchronizer.freshIndex()
            return batch?.overlay(index) ?? index
        } catch {
            throw Self.shellError(error)
        }
    }

    /// Commits an `--atomic` script's staged edits as one transaction; on a lost compare, replays
    /// them on fresh values (bounded). Returns the revision of the commit.
    public func commit(_ batch: AtomicBatch) async throws(ShellError) -> Int64 {
        guard !batch.isEmpty else { return 0 }
        do {
            for _ in 0..<maxAttempts {
                let result = try await store.commit(batch.transaction)
                if result.succeeded { return result.revision }
                var fresh: [String: KeyValue] = [:]
                for path in batch.staged.keys { fresh[path] = try await store.get(path) }
                try batch.replay(on: fresh)
            }
        } catch {
            throw Self.shellError(error)
        }
        throw .script("--atomic: the endpoints kept changing under other writers; nothing was written")
    }

    public static func shellError(_ error: any Error) -> ShellError {
        if let error = error as? ShellError { return error }
        // Ctrl-C cancels the command's task; whatever the call under it failed with, that is why.
        if Task.isCancelled { return .cancelled }
        if let error = error as? EtcdError { return .etcd(error) }
        if error is CancellationError { return .cancelled }
        return .etcd(.server(operation: "the request", message: String(describing: error)))
    }

    /// An edit first tries the index as it is, without waiting for the watch: its write is a
    /// compare-and-swap on the `mod_revision` the index holds, so stale data cannot be written over,
    /// and a lost compare re-reads from etcd. Anything the stale index could get wrong — an endpoint
    /// or profile it does not know yet, several matches, "nothing to change" — is decided again on
    /// a fresh index. That saves a round trip on every edit that goes through.
    private func edit(filter: EndpointFilter, edit: ProfileEdit, format: OutputFormat, batch: AtomicBatch?) async throws(ShellError) -> CommandResult {
        if batch == nil, case .success(let record) = Self.lookUp(filter: filter, edit: edit, in: await synchronizer.currentIndex()),
           let result = try await write(edit, to: record, format: format, batch: nil, optimistic: true) {
            return result
        }
        let record = try Self.lookUp(filter: filter, edit: edit, in: try await freshIndex(batch)).get()
        // Not nil: only an optimistic attempt gives up.
        return try await write(edit, to: record, format: format, batch: batch, optimistic: false)!
    }

    /// The endpoint an edit is about, with every check that needs no write. The index is released
    /// when this returns: a copy still held while the watch applies our own write would make that
    /// change copy the whole index.
    private static func lookUp(filter: EndpointFilter, edit: ProfileEdit, in index: EndpointIndex) -> Result<EndpointIndex.Record, ShellError> {
        Result { () throws(ShellError) -> EndpointIndex.Record in
            let record = try EndpointLookup.unique(in: index, filter: filter)
            if edit.action != .remove {
                for name in edit.names where !index.profileExists(name) { throw .profileNotFound(name) }
            }
            return record
        }
    }

    /// Writes one edit to `record` with compare-and-swap, re-reading and re-applying after a lost
    /// compare. With `optimistic`, returns nil instead of reporting "nothing to change" or an
    /// endpoint that is gone, so that the caller decides on a fresh index.
    private func write(_ edit: ProfileEdit, to record: EndpointIndex.Record, format: OutputFormat, batch: AtomicBatch?,
                       optimistic: Bool) async throws(ShellError) -> CommandResult? {
        let path = record.key.path(in: layout)
        var value = record.value
        var modRevision = record.modRevision
        for attempt in 0..<maxAttempts {
            let current: EndpointData
            do {
                current = try EndpointLookup.decode(EndpointIndex.Record(key: record.key, value: value, modRevision: modRevision), layout: layout)
            } catch {
                if optimistic && attempt == 0 { return nil }
                throw error
            }
            let plan = edit.plan(current: current.profiles)
            guard let newProfiles = plan.newProfiles else {
                if optimistic && attempt == 0 { return nil }
                return render(plan, endpoint: record.key.endpoint, format: format)
            }
            let newValue: [UInt8]
            do {
                newValue = try EndpointDocument.replacingProfiles(in: value, with: newProfiles)
            } catch {
                throw .invalidValue("Endpoint \(record.key.endpoint) has a malformed value in etcd at \(path) (\(error.reason)); it was left as it is.")
            }
            if let batch {
                try batch.stage(path: path, key: record.key, baseRevision: modRevision, value: newValue, edit: edit)
                return render(plan.staged, endpoint: record.key.endpoint, format: format)
            }
            do {
                let succeeded: Bool
                do {
                    succeeded = try await store.commit(Transaction(
                        compares: [.modRevision(key: path, equals: modRevision)],
                        operations: [.put(key: path, value: newValue)])).succeeded
                } catch let error as EtcdError where error.outcomeUnknown {
                    // The connection broke while the transaction was in flight: it may or may not
                    // have been applied. Re-read: if our edit holds, it landed; otherwise retry it.
                    succeeded = false
                }
                if succeeded { return render(plan, endpoint: record.key.endpoint, format: format) }
                // Another writer got there first (or the outcome is unknown): re-read and re-apply the
                // same edit to what is there now. An edit that already holds plans no write.
                guard let fresh = try await store.get(path) else {
                    if optimistic { return nil }
                    throw ShellError.endpointUnknown(record.key.endpoint)
                }
                if fresh.value == newValue { return render(plan, endpoint: record.key.endpoint, format: format) }
                value = fresh.value
                modRevision = fresh.modRevision
                try await Task.sleep(for: .microseconds(Int.random(in: 0...(1_000 << min(attempt, 6)))))
            } catch {
                throw Self.shellError(error)
            }
        }
        throw .etcd(.compareFailed(key: path))
    }

    private func render(_ plan: ProfileEdit.Plan, endpoint: String, format: OutputFormat) -> CommandResult {
        switch format {
        case .table:
            return CommandResult(output: plan.messages.map { $0 + "\n" }.joined())
        case .json:
            return ShowProfiles.render(endpoint: endpoint, profiles: plan.resultingProfiles, format: .json)
        }
    }
}
