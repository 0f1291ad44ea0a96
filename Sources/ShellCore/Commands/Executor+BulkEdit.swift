/// `endpoint '<PATTERN>' profile (append|remove|set) …`: one edit applied to every endpoint the
/// selection matches (a pattern in the ID position, see `Grammar.selectsMany`, and any filters).
///
/// The endpoints that need a change are written in transactions of at most the server's
/// `--max-txn-ops` (128 until a refusal teaches a lower limit); a selection that fits is one
/// all-or-nothing transaction. Each transaction compares every endpoint it writes (`mod_revision`)
/// and the existence of every profile it adds. A lost compare, or an outcome unknown, decides that
/// chunk again on fresh data and retries with the single edits' never-give-up backoff: an endpoint
/// already written needs no change any more, so a retry never writes twice. The first chunk that
/// fails ends the command, saying how many endpoints were changed; append, remove and set are
/// idempotent, so running the same command again finishes the rest.
extension Executor {
    func bulkEdit(
        filter: EndpointFilter,
        edit: ProfileEdit,
        format: OutputFormat
    ) async throws(ShellError) -> CommandResult {
        var changed = Set<EndpointKey>()
        var last: [(EndpointIndex.Record, EndpointData)] = []
        do {
            while true {
                let written = try await backoff.run(
                    { () throws(ShellError) -> [EndpointKey]? in
                        let index = try await freshIndex()
                        let (chunk, selection) = try nextChunk(filter: filter, edit: edit, in: index)
                        last = selection
                        guard !chunk.isEmpty else { return [] }
                        return try await commit(chunk, edit: edit)
                    },
                    exhausted: { .etcd(.contended(key: filter.endpoint ?? "", seconds: Self.seconds(backoff.budget))) }
                )
                if written.isEmpty { break }
                changed.formUnion(written)
            }
        } catch {
            guard !changed.isEmpty else { throw error }
            throw .bulkStopped(changed: changed.count, cause: error)
        }
        return BulkEditReport.render(
            edit: edit,
            selection: last,
            changed: changed,
            format: format
        )
    }

    /// The next endpoints to write (at most the learnt transaction limit), in key order, with the
    /// value each gets; and the whole selection with its current data. An endpoint whose value
    /// cannot be read ends the chunk before it, so what comes before is written first and the
    /// command then stops at it.
    private func nextChunk(
        filter: EndpointFilter,
        edit: ProfileEdit,
        in index: EndpointIndex
    ) throws(ShellError) -> (chunk: [BulkWrite], selection: [(EndpointIndex.Record, EndpointData)]) {
        let matches = index.records(matching: filter)
        guard !matches.isEmpty else { throw .endpointUnknown(filter.endpoint ?? "") }
        for name in edit.requiredProfiles where !index.profileExists(name) { throw .profileNotFound(name) }
        let limit = transactionLimit.withLock { $0 }
        var chunk: [BulkWrite] = []
        var selection: [(EndpointIndex.Record, EndpointData)] = []
        for record in matches {
            let data: EndpointData
            let value: [UInt8]?
            do {
                data = try EndpointLookup.decode(record, layout: layout)
                let plan = edit.plan(current: data.profiles)
                if let profiles = plan.newProfiles {
                    value = try Self.replacingProfiles(of: record, with: profiles, layout: layout)
                } else {
                    value = nil
                }
            } catch {
                if chunk.isEmpty { throw error }
                return (chunk, selection)
            }
            selection.append((record, data))
            if let value, chunk.count < limit { chunk.append(BulkWrite(record: record, value: value)) }
        }
        return (chunk, selection)
    }

    /// One all-or-nothing transaction of `chunk`. Nil when a compare failed (or the outcome is
    /// unknown): the caller decides again on fresh data. A refusal for too many operations lowers
    /// the limit and retries.
    private func commit(_ chunk: [BulkWrite], edit: ProfileEdit) async throws(ShellError) -> [EndpointKey]? {
        let transaction = Transaction(
            compares: chunk.map { .modRevision(key: $0.record.key.path(in: layout), equals: $0.record.modRevision) }
                + edit.requiredProfiles.map { .exists(prefix: layout.profilePrefix(of: $0)) },
            operations: chunk.map { .put(key: $0.record.key.path(in: layout), value: $0.value) }
        )
        do {
            return try await store.commit(transaction).succeeded ? chunk.map(\.record.key) : nil
        } catch let error as EtcdError where error.refusesTooManyOperations && chunk.count > 1 {
            // The server's --max-txn-ops is lower than this chunk: learn it from the refusal.
            transactionLimit.withLock { $0 = max(1, min($0, chunk.count / 2)) }
            return nil
        } catch let error as EtcdError where error.outcomeUnknown {
            return nil
        } catch {
            throw Self.shellError(error)
        }
    }
}

/// One endpoint of a bulk edit's chunk and the value it gets.
struct BulkWrite: Sendable {
    var record: EndpointIndex.Record
    var value: [UInt8]
}

extension Executor {
    /// `--atomic`: every endpoint the selection matches is staged (reads later in the script see
    /// them); nothing is written until the script's end, in its one transaction.
    func stageMany(
        _ edit: ProfileEdit,
        filter: EndpointFilter,
        format: OutputFormat,
        in batch: AtomicBatch
    ) async throws(ShellError) -> CommandResult {
        let index = try await freshIndex(batch)
        let matches = index.records(matching: filter)
        guard !matches.isEmpty else { throw .endpointUnknown(filter.endpoint ?? "") }
        for name in edit.requiredProfiles where !index.profileExists(name) { throw .profileNotFound(name) }
        var changed = Set<EndpointKey>()
        var selection: [(EndpointIndex.Record, EndpointData)] = []
        for record in matches {
            var data = try EndpointLookup.decode(record, layout: layout)
            let plan = edit.plan(current: data.profiles)
            if let newProfiles = plan.newProfiles {
                try batch.stage(
                    path: record.key.path(in: layout),
                    key: record.key,
                    baseRevision: record.modRevision,
                    value: try Self.replacingProfiles(of: record, with: newProfiles, layout: layout),
                    edit: edit
                )
                changed.insert(record.key)
            }
            data.profiles = plan.resultingProfiles
            selection.append((record, data))
        }
        return BulkEditReport.render(edit: edit, selection: selection, changed: changed, format: format)
    }
}
