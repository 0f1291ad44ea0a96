/// Edits that are staged rather than written: in an `--atomic` script (committed at its end), in a
/// `--dry-run` run (never written, printed as a plan at its end), and for one edit's `--dry-run`
/// or the question a large bulk edit asks at the terminal (a plan of that edit alone).
///
/// Every one decides on the run's view — a fresh index with what the run already staged on top —
/// with the same rules as a written edit, so a plan shows exactly what applying would do.
extension Executor {
    /// Stages a single edit. `--atomic` prints the edit's usual messages, marked `(staged)`; a
    /// `--dry-run` run prints nothing here (its plan comes at the end).
    func stage(
        _ edit: ProfileEdit,
        filter: EndpointFilter,
        format: OutputFormat,
        in staged: StagedEdits
    ) async throws(ShellError) -> CommandResult {
        let record = try await withIndex(staged: staged, needsSecondaryIndexes: filter.usesSecondaryIndexes) {
            index throws(ShellError) in
            try Self.lookUp(filter: filter, edit: edit, in: index).get()
        }
        let decided = try decideAndStage(edit, on: [record], in: staged)
        guard staged.purpose == .atomic, let plan = decided.first?.plan else { return CommandResult() }
        return render(plan.staged, endpoint: record.key.endpoint, format: format)
    }

    /// Stages a bulk edit on every endpoint the selection matches.
    func stageMany(
        _ edit: ProfileEdit,
        filter: EndpointFilter,
        format: OutputFormat,
        detailed: Bool,
        in staged: StagedEdits
    ) async throws(ShellError) -> CommandResult {
        let records = try await withIndex(staged: staged, needsSecondaryIndexes: filter.usesSecondaryIndexes) {
            index throws(ShellError) in
            try Self.selection(filter, edit: edit, in: index)
        }
        let decided = try decideAndStage(edit, on: records, in: staged)
        guard staged.purpose == .atomic else { return CommandResult() }
        let rows = decided.map { item in
            var data = item.data
            data.profiles = item.plan.resultingProfiles
            return BulkEditReport.Row(record: item.record, data: data, changed: item.plan.newProfiles != nil)
        }
        return BulkEditReport.render(edit: edit, rows: rows, format: format, detailed: detailed)
    }

    /// `--dry-run` on one edit: its plan, decided on the run's view; nothing is staged or written.
    func preview(
        _ edit: ProfileEdit,
        filter: EndpointFilter,
        many: Bool,
        _ context: CommandContext
    ) async throws(ShellError) -> CommandResult {
        let plan = try await plan(edit, filter: filter, many: many, view: context.staged)
        return CommandResult(output: PlanRenderer.render(plan, format: context.format, colour: context.colour))
    }

    /// At the terminal, before a bulk edit that would change more than `threshold` endpoints: the
    /// plan's total and the question. Nil when the edit is small enough to make without asking.
    func confirmation(
        _ edit: ProfileEdit,
        filter: EndpointFilter,
        above threshold: Int
    ) async throws(ShellError) -> CommandResult? {
        let plan = try await plan(edit, filter: filter, many: true, view: nil)
        guard plan.changes.count > threshold else { return nil }
        return CommandResult(
            output: PlanRenderer.total(plan) + " (add --dry-run to list them).\n",
            question: "Apply? [y/N] "
        )
    }

    private func plan(
        _ edit: ProfileEdit,
        filter: EndpointFilter,
        many: Bool,
        view: StagedEdits?
    ) async throws(ShellError) -> EditPlan {
        let layout = self.layout
        return try await withIndex(staged: view, needsSecondaryIndexes: filter.usesSecondaryIndexes) {
            index throws(ShellError) in
            if many {
                return try Self.plan(
                    edit,
                    on: try Self.selectedSlots(filter, edit: edit, in: index),
                    of: index,
                    layout: layout
                )
            }
            let record = try Self.lookUp(filter: filter, edit: edit, in: index).get()
            let change = try Self.change(
                edit,
                value: record.value,
                key: { record.key },
                record: { record },
                layout: layout
            )
            return EditPlan(changes: change.map { [$0] } ?? [], unchanged: change == nil ? 1 : 0, failedLines: 0)
        }
    }

    /// This edit's plan alone: what staging it in a scratch run and planning that run would give,
    /// without the staging (a hash of every selected endpoint's path, a tenth of a dry run of
    /// 100,000 endpoints, perf), nor a record per endpoint (a quarter of what followed the load):
    /// each value is read in place and a key made only for a change, in parts at once. The slots
    /// come in key order, distinct; the first endpoint that cannot be decided fails the plan, as
    /// staging does.
    static func plan(
        _ edit: ProfileEdit,
        on slots: [UInt32],
        of index: EndpointIndex,
        layout: KeyLayout
    ) throws(ShellError) -> EditPlan {
        let parts = ParallelParts.map(ParallelParts.ranges(slots.count)) { range in
            Result { () throws(ShellError) -> EditPlan in
                var part = EditPlan(changes: [], unchanged: 0, failedLines: 0)
                var value: [UInt8] = []
                for slot in slots[range] {
                    index.copyValue(slot: slot, into: &value)
                    let change = try change(
                        edit,
                        value: value,
                        key: { index.key(slot: slot) },
                        record: { index.record(slot: slot) },
                        layout: layout
                    )
                    if let change { part.changes.append(change) } else { part.unchanged += 1 }
                }
                return part
            }
        }
        var whole = EditPlan(changes: [], unchanged: 0, failedLines: 0)
        whole.changes.reserveCapacity(slots.count)
        for part in parts {
            let part = try part.get()
            whole.changes += part.changes
            whole.unchanged += part.unchanged
        }
        return whole
    }

    /// One endpoint's change in a plan (nil when it keeps its profiles), decided as `decide` does
    /// from its `value`, reading only the profiles; `record` (for an error's words) is made only
    /// when the value must be decoded or re-encoded in full.
    private static func change(
        _ edit: ProfileEdit,
        value: [UInt8],
        key: () -> EndpointKey,
        record: () -> EndpointIndex.Record,
        layout: KeyLayout
    ) throws(ShellError) -> EditPlan.Change? {
        guard let change = try profilesChange(edit, value: value, record: record, layout: layout) else { return nil }
        return EditPlan.Change(key: key(), before: change.before, after: change.after)
    }

    /// `change` without the key: the profiles before and after.
    static func profilesChange(
        _ edit: ProfileEdit,
        value: [UInt8],
        record: () -> EndpointIndex.Record,
        layout: KeyLayout
    ) throws(ShellError) -> (before: [String], after: [String])? {
        let before: [String]
        if let profiles = IndexedFields.profiles(value) {
            before = profiles
        } else {
            before = try EndpointLookup.decode(record(), layout: layout).profiles
        }
        guard let after = edit.plan(current: before, withMessages: false).newProfiles else { return nil }
        // Writing it must be possible too (a value that cannot be re-encoded fails): certain when its
        // list can be spliced, tried otherwise.
        if EndpointDocument.profileList(in: value) == nil {
            _ = try replacingProfiles(of: record(), with: after, layout: layout)
        }
        return after == before ? nil : (before, after)
    }

    /// The endpoints a bulk edit selects, with the checks made before anything is decided: at
    /// least one, and every profile the edit adds exists. Staged, planned and written bulk edits
    /// all select through here.
    static func selection(
        _ filter: EndpointFilter,
        edit: ProfileEdit,
        in index: EndpointIndex,
        inTableOrder: Bool = true
    ) throws(ShellError) -> [EndpointIndex.Record] {
        index.records(slots: try selectedSlots(filter, edit: edit, in: index, inTableOrder: inTableOrder))
    }

    /// `selection` as the index's slots (valid inside the `withIndex` call that gave `index`).
    static func selectedSlots(
        _ filter: EndpointFilter,
        edit: ProfileEdit,
        in index: EndpointIndex,
        inTableOrder: Bool = true
    ) throws(ShellError) -> [UInt32] {
        let matches = index.slotNumbers(matching: filter, inTableOrder: inTableOrder)
        guard !matches.isEmpty else { throw .endpointUnknown(filter.endpoint ?? "") }
        for name in edit.requiredProfiles where !index.profileExists(name) { throw .profileNotFound(name) }
        return matches
    }

    /// Decides `edit` for each record and stages the changes (a record needing none is noted as
    /// unchanged). Returns each record with its data and the edit's plan for it.
    private func decideAndStage(
        _ edit: ProfileEdit,
        on records: [EndpointIndex.Record],
        in staged: StagedEdits
    ) throws(ShellError) -> [(record: EndpointIndex.Record, data: EndpointData, plan: ProfileEdit.Plan)] {
        var decided: [(record: EndpointIndex.Record, data: EndpointData, plan: ProfileEdit.Plan)] = []
        decided.reserveCapacity(records.count)
        staged.reserve(records.count)
        // Each record's decision (its data, plan and new value) is its own: a large selection
        // decides in parts at once. Staging then goes in order, and stops at the first record that
        // cannot be decided, as one pass would.
        let layout = self.layout
        for (record, decision) in zip(records, decisions(edit, on: records).joined()) {
            let (data, plan, value) = try decision.get()
            let path = record.key.path(in: layout)
            if let newProfiles = plan.newProfiles, let value {
                try staged.stage(
                    path: path,
                    key: record.key,
                    baseRevision: record.modRevision,
                    value: value,
                    profiles: (before: data.profiles, after: newProfiles),
                    edit: edit
                )
            } else {
                staged.noteUnchanged(path: path, key: record.key)
            }
            decided.append((record, data, plan))
        }
        return decided
    }

    /// Each record's decision (its data, plan and new value), in parts at once: each is its own.
    /// In the records' order, part by part.
    private func decisions(
        _ edit: ProfileEdit,
        on records: [EndpointIndex.Record]
    ) -> [[Result<(EndpointData, ProfileEdit.Plan, [UInt8]?), ShellError>]] {
        let layout = self.layout
        return ParallelParts.map(ParallelParts.ranges(records.count)) { range in
            records[range].map { record in
                Result { () throws(ShellError) in try Self.decide(edit, for: record, layout: layout) }
            }
        }
    }

    /// One record's decision: its data, the edit's plan for it, and its new value if it changes.
    private static func decide(
        _ edit: ProfileEdit,
        for record: EndpointIndex.Record,
        layout: KeyLayout
    ) throws(ShellError) -> (EndpointData, ProfileEdit.Plan, [UInt8]?) {
        let data = try EndpointLookup.decode(record, layout: layout)
        let plan = edit.plan(current: data.profiles)
        let value = try plan.newProfiles.map { newProfiles throws(ShellError) in
            try replacingProfiles(of: record, with: newProfiles, layout: layout)
        }
        return (data, plan, value)
    }
}
