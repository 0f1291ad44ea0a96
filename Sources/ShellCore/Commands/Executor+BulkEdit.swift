/// `endpoint '<PATTERN>' profile (append|remove|set) …`: one edit applied to every endpoint the
/// selection matches (a pattern in the ID position, see `Grammar.selectsMany`, and any filters).
///
/// The selection and each endpoint's new value are decided once, on a fresh index. The endpoints
/// that need a change are then written in transactions of at most the server's `--max-txn-ops`
/// (128 until a refusal teaches a lower limit, counting the compares; one for a store without
/// multi-key transactions), a few at once; a selection that fits is one all-or-nothing
/// transaction. Each transaction compares every endpoint it writes (`mod_revision`) and the
/// existence of every profile it adds. A lost compare, or an outcome unknown, decides that chunk
/// again on fresh data and retries with the single edits' never-give-up backoff: an endpoint
/// already written needs no change any more, so a retry never writes twice. A chunk that fails
/// ends the command (no new chunk starts; those in flight finish), saying how many endpoints were
/// changed; append, remove and set are idempotent, so running the same command again finishes the
/// rest.
extension Executor {
    func bulkEdit(
        filter: EndpointFilter,
        edit: ProfileEdit,
        format: OutputFormat,
        detailed: Bool = false,
        progress: (@Sendable (_ written: Int, _ total: Int) -> Void)? = nil
    ) async throws(ShellError) -> CommandResult {
        let layout = self.layout
        var decision = try await withIndex(needsSecondaryIndexes: filter.usesSecondaryIndexes) {
            index throws(ShellError) in
            // In the index's order: only `--detailed` and JSON list them, sorted then (the sort by
            // host was a tenth of a 10,000-endpoint bulk append at 100,000 endpoints, perf).
            BulkDecision(matches: try Self.selection(filter, edit: edit, in: index, inTableOrder: false))
        }
        let total = decision.matches.count
        var changed = 0
        var failure: ShellError?
        // A few chunks in flight at once: each is its own compare-and-swap on endpoints no other
        // chunk touches, so they commute, and etcd applies one while the next travels. The next
        // chunk is decided while those are in flight.
        await withTaskGroup(of: Result<ChunkWritten, ShellError>.self) { group in
            var inFlight = 0
            while true {
                while inFlight < Self.chunksInFlight, failure == nil, !decision.isFinished {
                    // etcd's --max-txn-ops bounds the compares too: one per endpoint, one per added profile.
                    let size = max(1, currentTransactionLimit - edit.requiredProfiles.count)
                    let chunk: [BulkWrite]
                    do throws(ShellError) {
                        chunk = try decision.nextWrites(size, edit: edit, layout: layout)
                    } catch {
                        failure = error
                        break
                    }
                    guard !chunk.isEmpty else { continue }
                    group.addTask {
                        do throws(ShellError) {
                            return .success(try await self.write(chunk, filter: filter, edit: edit))
                        } catch {
                            return .failure(error)
                        }
                    }
                    inFlight += 1
                }
                guard let result = await group.next() else { break }
                inFlight -= 1
                switch result {
                case .success(let written):
                    changed += written.positions.count
                    for position in written.positions { decision.rows[position].changed = true }
                    for (position, profiles) in written.redecided { decision.rows[position].data.profiles = profiles }
                    if !written.positions.isEmpty { progress?(changed, max(total, changed)) }
                case .failure(let error):
                    if failure == nil { failure = error }
                }
            }
        }
        if let cause = failure ?? decision.stop {
            guard changed > 0 else { throw cause }
            throw .bulkStopped(changed: changed, cause: cause)
        }
        return BulkEditReport.render(edit: edit, rows: decision.rows, format: format, detailed: detailed)
    }

    /// How many chunks are committed at once. Eight measured better than four once the shell's own
    /// work per chunk was small (1.00–1.27x against 1.24–1.51x a raw put's time, alternating runs),
    /// and sixteen the same as eight (docs/benchmarks.md).
    static let chunksInFlight = 8

    /// What one chunk wrote: the endpoints (their positions in the decision's rows), and the
    /// profiles of any it decided again.
    struct ChunkWritten: Sendable {
        var positions: [Int] = []
        var redecided: [(position: Int, profiles: [String])] = []
    }

    /// Writes one chunk, all or nothing per transaction, never giving up: a lost compare decides
    /// the chunk again on fresh data (an endpoint already as wanted drops out); a refusal for too
    /// many operations writes it in smaller transactions.
    private func write(
        _ chunk: [BulkWrite],
        filter: EndpointFilter,
        edit: ProfileEdit
    ) async throws(ShellError) -> ChunkWritten {
        var queue = chunk[...]
        var written = ChunkWritten()
        while !queue.isEmpty {
            let positions = try await backoff.run(
                { () throws(ShellError) -> [Int]? in
                    let part = Array(queue.prefix(max(1, currentTransactionLimit - edit.requiredProfiles.count)))
                    switch try await commit(part, edit: edit) {
                    case .committed:
                        queue.removeFirst(part.count)
                        return part.map(\.position)
                    case .tooManyOperations:
                        return nil
                    case .lost:
                        // Someone else was quicker: decide these endpoints again on fresh data.
                        let layout = self.layout
                        let fresh = try await withIndex(needsSecondaryIndexes: filter.usesSecondaryIndexes) {
                            index throws(ShellError) in
                            try Self.redecide(part, filter: filter, edit: edit, in: index, layout: layout)
                        }
                        written.redecided += fresh.profiles
                        queue.replaceSubrange(queue.startIndex..<queue.startIndex + part.count, with: fresh.writes)
                        return fresh.writes.isEmpty ? [] : nil
                    }
                },
                exhausted: { .etcd(.contended(key: filter.endpoint ?? "", seconds: Self.seconds(backoff.budget))) }
            )
            written.positions += positions
        }
        return written
    }

    /// What a bulk edit decides, chunk by chunk: the selection, each endpoint's current data and
    /// profiles after the edit, and, if an endpoint's value cannot be read, the error to stop at
    /// once the writes decided before it are made.
    struct BulkDecision: Sendable {
        let matches: [EndpointIndex.Record]
        /// The endpoints decided so far, the first of `matches`, with their profiles after the edit
        /// (a write's `position` is its row).
        var rows: [BulkEditReport.Row] = []
        var stop: ShellError?
        var decidedAWrite = false

        var isFinished: Bool { stop != nil || rows.count == matches.count }

        /// Decides endpoints, in the index's order (endpoint ID), until `count` of them need a
        /// write, the selection ends, or a value cannot be read (then the writes before it, and
        /// `stop`; or, when no write was decided at all, the error).
        mutating func nextWrites(_ count: Int, edit: ProfileEdit, layout: KeyLayout) throws(ShellError) -> [BulkWrite] {
            var writes: [BulkWrite] = []
            while writes.count < count && rows.count < matches.count {
                let record = matches[rows.count]
                do throws(ShellError) {
                    var data = try EndpointLookup.decode(record, layout: layout)
                    if let profiles = edit.plan(current: data.profiles).newProfiles {
                        let value = try Executor.replacingProfiles(of: record, with: profiles, layout: layout)
                        writes.append(BulkWrite(record: record, value: value, position: rows.count))
                        data.profiles = profiles
                        decidedAWrite = true
                    }
                    rows.append(BulkEditReport.Row(record: record, data: data, changed: false))
                } catch {
                    guard decidedAWrite else { throw error }
                    stop = error
                    break
                }
            }
            return writes
        }
    }

    private var currentTransactionLimit: Int {
        min(transactionLimit.withLock { $0 }, store.maximumTransactionOperations ?? .max)
    }

    /// A chunk decided again on a fresh index: the endpoints still selected that still need a
    /// change, with their new values; one deleted or no longer matching drops out.
    private static func redecide(
        _ chunk: [BulkWrite],
        filter: EndpointFilter,
        edit: ProfileEdit,
        in index: EndpointIndex,
        layout: KeyLayout
    ) throws(ShellError) -> (writes: [BulkWrite], profiles: [(position: Int, profiles: [String])]) {
        for name in edit.requiredProfiles where !index.profileExists(name) { throw .profileNotFound(name) }
        var writes: [BulkWrite] = []
        var profiles: [(position: Int, profiles: [String])] = []
        for old in chunk {
            guard let record = index.record(at: old.record.key), filter.matches(record.key) else { continue }
            let data = try EndpointLookup.decode(record, layout: layout)
            guard filter.matches(data) else { continue }
            let plan = edit.plan(current: data.profiles)
            profiles.append((old.position, plan.resultingProfiles))
            if let newProfiles = plan.newProfiles {
                let value = try replacingProfiles(of: record, with: newProfiles, layout: layout)
                writes.append(BulkWrite(record: record, value: value, position: old.position))
            }
        }
        return (writes, profiles)
    }

    private enum ChunkOutcome {
        case committed
        /// A compare failed (or the outcome is unknown): decide again on fresh data.
        case lost
        /// The server takes fewer operations per transaction; the limit was lowered.
        case tooManyOperations
    }

    /// One all-or-nothing transaction of `chunk`.
    private func commit(_ chunk: [BulkWrite], edit: ProfileEdit) async throws(ShellError) -> ChunkOutcome {
        let transaction = Transaction(
            compares: chunk.map { .modRevision(key: $0.record.key.path(in: layout), equals: $0.record.modRevision) }
                + edit.requiredProfiles.map { .exists(prefix: layout.profilePrefix(of: $0)) },
            operations: chunk.map { .put(key: $0.record.key.path(in: layout), value: $0.value) }
        )
        do {
            return try await store.commit(transaction).succeeded ? .committed : .lost
        } catch let error as EtcdError where error.refusesTooManyOperations && chunk.count > 1 {
            // The server's --max-txn-ops is lower than this chunk: learn it from the refusal.
            let operations = chunk.count + edit.requiredProfiles.count
            transactionLimit.withLock { $0 = max(1, min($0, operations / 2)) }
            return .tooManyOperations
        } catch let error as EtcdError where error.outcomeUnknown {
            return .lost
        } catch {
            throw Self.shellError(error)
        }
    }
}

/// One endpoint of a bulk edit's chunk and the value it gets.
struct BulkWrite: Sendable {
    var record: EndpointIndex.Record
    var value: [UInt8]
    /// Its row in the decision (`BulkDecision.rows`).
    var position: Int
}
