import Synchronization

/// A bulk edit's `--dry-run` plan made from the index's first load as its pages arrive
/// (`AnswerFromPages`): each page's endpoints are decided as the index path decides them
/// (`Executor.profilesChange`) and their changes written as the plan's text (`PlanRenderer`)
/// while etcd reads the next page; the plan is complete once the profiles range, read after the
/// hosts, says whether the profiles the edit adds exist. Plain text only (a terminal's colours and
/// JSON take the index path). Keys the plan cannot list in order give it up (`PageEndpoints`).
final class PlanFromPages: AnswerFromPages {
    private let edit: ProfileEdit
    private let filter: EndpointFilter
    private let layout: KeyLayout

    /// For `command`, when it is a bulk edit's `--dry-run` printed as plain text with nothing
    /// staged to plan on top; nil for any other.
    init?(_ command: EndpointCommand, _ context: CommandContext, layout: KeyLayout) {
        guard case .bulkEditProfiles(let filter, let action, let names, let flags) = command, flags.dryRun,
            context.format == .table, !context.colour, context.staged?.isEmpty ?? true
        else { return nil }
        self.edit = ProfileEdit(action: action, names: names)
        self.filter = filter
        self.layout = layout
    }

    /// The pages decided so far, and the profiles the edit adds that the profiles range holds.
    private struct Decided {
        /// The plan's text of each part, in order.
        var texts: [String] = []
        var changed = 0
        var unchanged = 0
        var selected = 0
        /// The first selected endpoint that cannot be decided: it fails the plan, as in the index path.
        var failure: ShellError?
        var order = PageOrder()
        var hostsRead = false
        var profilesFound: Set<ExactString> = []
    }

    private let decided = Mutex(Decided())
    private let waits = PageAnswerWaits<WrittenPlan>()

    /// What the answer joins: each part's text, and the plan's totals.
    private struct WrittenPlan: Sendable {
        var texts: [String]
        var changed: Int
        var unchanged: Int
    }

    // MARK: The command's side

    func answer() async throws -> CommandResult? {
        try await waits.answer { plan in
            CommandResult(
                output: PlanRenderer.joined(
                    plan.texts,
                    changes: plan.changed,
                    unchanged: plan.unchanged,
                    failedLines: 0
                )
            )
        }
    }

    // MARK: The load's side

    func sawHostsPage(_ page: RangePage) -> Bool {
        guard !waits.isEnded else { return waits.isMaking }
        // The last page is on the answer's path: decided in parts at once; any other while etcd
        // reads the next.
        let ranges = page.more ? [0..<page.count] : ParallelParts.ranges(page.count)
        let (edit, filter, layout) = (edit, filter, layout)
        let parts = ParallelParts.map(ranges) { range in Part(page, range, edit: edit, filter: filter, layout: layout) }
        let givenUp = decided.withLock { decided -> Bool in
            if page.startsOver { decided = Decided() }
            for part in parts {
                guard decided.order.follows(part.endpoints) else { return true }
                decided.texts.append(part.text)
                decided.changed += part.changed
                decided.unchanged += part.unchanged
                decided.selected += part.selected
                if decided.failure == nil { decided.failure = part.failure }
            }
            decided.hostsRead = !page.more
            return false
        }
        if givenUp { end(.givenUp) }
        return waits.isMaking
    }

    func sawProfilesPage(_ page: RangePage) {
        let wanted = Set(edit.requiredProfiles.map(ExactString.init))
        guard !wanted.isEmpty else { return }
        let found = page.keys.compactMap { layout.profileName(ofKey: $0).map(ExactString.init) }
        decided.withLock { decided in
            if page.startsOver { decided.profilesFound = [] }
            decided.profilesFound.formUnion(wanted.intersection(found))
        }
    }

    func answerMade() async {
        // Asked once the hosts and profiles ranges are read.
        end(decision() ?? .givenUp)
        await waits.untilDrawn()
    }

    func loadEnded(_ error: (any Error)?) {
        end(error.map { .failed($0) } ?? decision() ?? .givenUp)
    }

    /// The plan, or the error the index path would give, once the hosts range is read in full
    /// (with the profiles range, read after it); nil before.
    private func decision() -> PageAnswerWaits<WrittenPlan>.Outcome? {
        decided.withLock { decided in
            guard decided.hostsRead else { return nil }
            // In the order of the index path's checks (`Executor.selectedSlots`, then each endpoint).
            guard decided.selected > 0 else { return .failed(ShellError.endpointUnknown(filter.endpoint ?? "")) }
            for name in edit.requiredProfiles where !decided.profilesFound.contains(ExactString(name)) {
                return .failed(ShellError.profileNotFound(name))
            }
            if let failure = decided.failure { return .failed(failure) }
            return .made(WrittenPlan(texts: decided.texts, changed: decided.changed, unchanged: decided.unchanged))
        }
    }

    private func end(_ outcome: PageAnswerWaits<WrittenPlan>.Outcome) {
        waits.end(outcome)
        decided.withLock { $0.texts = [] }
    }

    // MARK: Deciding a page

    /// The decisions on some of a page's endpoints, as the plan's text, and what the order check
    /// needs of them.
    private struct Part: Sendable {
        var text = ""
        var changed = 0
        var unchanged = 0
        var selected = 0
        var failure: ShellError?
        var endpoints: PageEndpoints

        init(_ page: RangePage, _ range: Range<Int>, edit: ProfileEdit, filter: EndpointFilter, layout: KeyLayout) {
            var text = ""
            // About a hundred bytes an endpoint: one string grown once.
            text.reserveCapacity(range.count * 128)
            var (changed, unchanged, selected) = (0, 0, 0)
            var failure: ShellError?
            endpoints = PageEndpoints(page, range, filter: filter, layout: layout) { names, value in
                selected += 1
                guard failure == nil else { return }
                do throws(ShellError) {
                    // The revision only matters to a write: a plan writes nothing.
                    let record = { EndpointIndex.Record(key: names.key, value: value, modRevision: 0) }
                    guard let change = try Executor.profilesChange(edit, value: value, record: record, layout: layout)
                    else {
                        unchanged += 1
                        return
                    }
                    changed += 1
                    PlanRenderer.appendName(names, to: &text)
                    text += "\n"
                    PlanRenderer.appendLines(before: change.before, after: change.after, colour: false, to: &text)
                } catch {
                    failure = error
                }
            }
            (self.text, self.changed, self.unchanged, self.selected) = (text, changed, unchanged, selected)
            self.failure = failure
        }
    }
}
