import Foundation
import Synchronization

/// Runs endpoint commands: reads come from the watch-synced index, writes go to etcd as
/// compare-and-swap transactions on the endpoint's `mod_revision`.
///
/// Every decision a command makes — which endpoint an ID means, whether a profile exists, whether
/// there is anything to change — is made on an index at least as new as the moment the command
/// started (`freshIndex`), for edits as for reads. The write then compares everything that decision
/// relied on and that can change under it: the endpoint's `mod_revision` and the existence of every
/// profile it adds. A lost compare waits (see `ContentionBackoff`), decides again on fresh data and
/// tries again, for as long as the backoff's budget allows.
public final class Executor: Sendable {
    public let synchronizer: IndexSynchronizer
    public var store: any KeyValueStore { synchronizer.store }
    public var layout: KeyLayout { synchronizer.layout }
    let backoff: ContentionBackoff
    /// How many puts one transaction may hold: etcd's default `--max-txn-ops`, lowered when the
    /// server refuses a bulk edit's transaction for holding too many.
    let transactionLimit = Mutex(StagedEdits.maximumOperations)

    public init(synchronizer: IndexSynchronizer, backoff: ContentionBackoff = ContentionBackoff()) {
        self.synchronizer = synchronizer
        self.backoff = backoff
    }

    /// Runs one endpoint command. With a `batch` (`--atomic`), edits are staged in it instead of
    /// written, and reads see what is staged.
    public func run(
        _ command: EndpointCommand,
        format: OutputFormat,
        batch: StagedEdits? = nil,
        consistency: ReadConsistency = .linearizable
    ) async throws(ShellError) -> CommandResult {
        try await run(command, CommandContext(format: format, consistency: consistency, staged: batch))
    }

    /// Runs one endpoint command as `context` says: reads answer from the index (with what the
    /// run staged on top), edits are written, staged, or only planned (`--dry-run`).
    public func run(_ command: EndpointCommand, _ context: CommandContext) async throws(ShellError) -> CommandResult {
        let format = context.format
        switch command {
        case .showEndpoints(let filter, let detailed, let wide):
            return try await withIndex(
                context.consistency,
                staged: context.staged,
                needsSecondaryIndexes: filter.usesSecondaryIndexes
            ) { index in
                ShowEndpoints.run(index, filter: filter, detailed: detailed, wide: wide, format: format)
            }
        case .watch(let filter, let limits):
            // Streams; `watch(…)` is what runs it (the runner prints each line as it comes).
            _ = (filter, limits)
            return CommandResult()
        case .showProfiles(let filter):
            return try await withIndex(
                context.consistency,
                staged: context.staged,
                needsSecondaryIndexes: filter.usesSecondaryIndexes
            ) { index throws(ShellError) in
                try ShowProfiles.run(index, filter: filter, format: format)
            }
        case .editProfiles(let filter, let action, let names, let flags):
            let edit = ProfileEdit(action: action, names: names)
            if flags.dryRun { return try await preview(edit, filter: filter, many: false, context) }
            if let staged = context.staged { return try await stage(edit, filter: filter, format: format, in: staged) }
            return try await self.edit(filter: filter, edit: edit, format: format)
        case .bulkEditProfiles(let filter, let action, let names, let flags):
            let edit = ProfileEdit(action: action, names: names)
            if flags.dryRun { return try await preview(edit, filter: filter, many: true, context) }
            if let staged = context.staged {
                return try await stageMany(edit, filter: filter, format: format, detailed: flags.detailed, in: staged)
            }
            if let threshold = context.confirmAbove, !flags.yes,
                let question = try await confirmation(edit, filter: filter, above: threshold)
            {
                return question
            }
            return try await bulkEdit(
                filter: filter,
                edit: edit,
                format: format,
                detailed: flags.detailed,
                progress: context.progress
            )
        }
    }

    /// Runs `body` on the index a command answers from or decides on — fresh (linearizable), or
    /// the watched one as it is (serializable), with what the run staged on top — inside the
    /// synchronizer, so that no copy of the index outlives the call (see
    /// `IndexSynchronizer.withIndex`). What `body` returns must not be the index.
    func withIndex<T: Sendable>(
        _ consistency: ReadConsistency = .linearizable,
        staged: StagedEdits? = nil,
        needsSecondaryIndexes: Bool,
        _ body: @Sendable (EndpointIndex) throws(ShellError) -> T
    ) async throws(ShellError) -> T {
        let result: Result<T, ShellError>
        do {
            result = try await synchronizer.withIndex(
                fresh: consistency == .linearizable,
                needsSecondaryIndexes: needsSecondaryIndexes
            ) { index in
                do throws(ShellError) {
                    return .success(try body(staged?.overlay(index) ?? index))
                } catch {
                    return .failure(error)
                }
            }
        } catch {
            throw Self.shellError(error)
        }
        return try result.get()
    }

    /// `endpoint watch`: prints (through `emit`) every change of a matching endpoint applied by
    /// the index's own watch from now on, until `limits` are reached or the task is cancelled
    /// (Ctrl-C). A member failing does not end it: the index's watch resumes after the last
    /// revision it applied, so no change is missed or repeated.
    public func watch(
        _ filter: EndpointFilter,
        limits: WatchLimits,
        format: OutputFormat,
        emit: @Sendable (String) -> Void
    ) async throws(ShellError) {
        _ = try await freshIndex()
        let synchronizer = self.synchronizer
        let (id, changes) = await synchronizer.subscribe()
        let timer = limits.timeout.map { timeout in
            Task {
                guard (try? await Task.sleep(for: timeout)) != nil else { return }
                await synchronizer.unsubscribe(id)
            }
        }
        var printed = 0
        loop: for await change in changes {
            for line in WatchEndpoints.lines(for: change, filter: filter) {
                emit(WatchEndpoints.render(line, at: Date(), format: format))
                printed += 1
                if let count = limits.count, printed >= count { break loop }
            }
        }
        timer?.cancel()
        await synchronizer.unsubscribe(id)
    }

    func freshIndex() async throws(ShellError) -> EndpointIndex {
        do {
            return try await synchronizer.freshIndex()
        } catch {
            throw Self.shellError(error)
        }
    }

    /// Commits an `--atomic` script's staged edits as one transaction. When another writer changed
    /// a touched endpoint (or deleted a profile the script adds) first, the script's edits are
    /// replayed on fresh values and the commit is tried again, within the backoff's budget.
    /// Returns the revision of the commit.
    public func commit(_ batch: StagedEdits) async throws(ShellError) -> Int64 {
        guard !batch.isEmpty else { return 0 }
        var lost = false
        return try await backoff.run(
            { () throws(ShellError) -> Int64? in
                if lost { try batch.replay(on: try await freshIndex(), layout: layout) }
                let result: TransactionResult
                do {
                    result = try await store.commit(batch.transaction(layout: layout))
                } catch {
                    throw Self.shellError(error)
                }
                lost = !result.succeeded
                return result.succeeded ? result.revision : nil
            },
            exhausted: {
                .atomic(.contended(seconds: Self.seconds(backoff.budget)))
            }
        )
    }

    public static func shellError(_ error: any Error) -> ShellError {
        if let error = error as? ShellError { return error }
        // Ctrl-C cancels the command's task; whatever the call under it failed with, that is why.
        if Task.isCancelled { return .cancelled }
        if let error = error as? EtcdError { return .etcd(error) }
        if error is CancellationError { return .cancelled }
        return .etcd(.server(operation: "the request", message: String(describing: error)))
    }

    /// One edit, written with compare-and-swap: each try decides on a fresh index and writes only
    /// if nothing it decided on has changed since.
    private func edit(
        filter: EndpointFilter,
        edit: ProfileEdit,
        format: OutputFormat
    ) async throws(ShellError) -> CommandResult {
        var path = ""
        return try await backoff.run(
            { () throws(ShellError) -> CommandResult? in
                let record = try await withIndex(needsSecondaryIndexes: filter.usesSecondaryIndexes) {
                    index throws(ShellError) in
                    try Self.lookUp(filter: filter, edit: edit, in: index).get()
                }
                path = record.key.path(in: layout)
                return try await write(edit, to: record, format: format)
            },
            exhausted: {
                .etcd(.contended(key: path, seconds: Self.seconds(backoff.budget)))
            }
        )
    }

    /// The endpoint an edit is about, with every check that needs no write. The index is released
    /// when this returns: a copy still held while the watch applies our own write would make that
    /// change copy the whole index.
    static func lookUp(
        filter: EndpointFilter,
        edit: ProfileEdit,
        in index: EndpointIndex
    ) -> Result<EndpointIndex.Record, ShellError> {
        Result { () throws(ShellError) -> EndpointIndex.Record in
            let record = try EndpointLookup.unique(in: index, filter: filter)
            for name in edit.requiredProfiles where !index.profileExists(name) { throw .profileNotFound(name) }
            return record
        }
    }

    /// One compare-and-swap of `record`. Nil when another writer got there first (or deleted a
    /// profile the edit adds): the caller waits, decides again on fresh data and retries.
    private func write(
        _ edit: ProfileEdit,
        to record: EndpointIndex.Record,
        format: OutputFormat
    ) async throws(ShellError) -> CommandResult? {
        let path = record.key.path(in: layout)
        let plan = edit.plan(current: try EndpointLookup.decode(record, layout: layout).profiles)
        // Nothing to change, decided on data as new as the command: nothing to write either.
        guard let newProfiles = plan.newProfiles else {
            return render(plan, endpoint: record.key.endpoint, format: format)
        }
        let newValue = try Self.replacingProfiles(of: record, with: newProfiles, layout: layout)
        let transaction = Transaction(
            compares: [.modRevision(key: path, equals: record.modRevision)]
                + edit.requiredProfiles.map { .exists(prefix: layout.profilePrefix(of: $0)) },
            operations: [.put(key: path, value: newValue)]
        )
        do {
            do {
                guard try await store.commit(transaction).succeeded else { return nil }
            } catch let error as EtcdError where error.outcomeUnknown {
                // The connection broke while the transaction was in flight: it may or may not have
                // been applied. If our value is there, it landed; otherwise decide and try again.
                guard try await store.get(path)?.value == newValue else { return nil }
            }
        } catch {
            throw Self.shellError(error)
        }
        return render(plan, endpoint: record.key.endpoint, format: format)
    }

    static func replacingProfiles(
        of record: EndpointIndex.Record,
        with profiles: [String],
        layout: KeyLayout
    ) throws(ShellError) -> [UInt8] {
        do {
            return try EndpointDocument.replacingProfiles(in: record.value, with: profiles)
        } catch {
            throw .malformedValue(endpoint: record.key.endpoint, key: record.key.path(in: layout), reason: error.reason)
        }
    }

    func render(_ plan: ProfileEdit.Plan, endpoint: String, format: OutputFormat) -> CommandResult {
        switch format {
        case .table:
            return CommandResult(output: plan.messages.map { $0 + "\n" }.joined())
        case .json:
            return ShowProfiles.render(endpoint: endpoint, profiles: plan.resultingProfiles, format: .json)
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// `30 s`, `0.5 s`.
    static func format(_ duration: Duration) -> String {
        let seconds = seconds(duration)
        return (seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)) + " s"
    }
}
