/// What a `--dry-run` would do: every endpoint that would change, with its profiles before and
/// after, and the totals (endpoints changed, unchanged, lines that failed). Built from the staged
/// edits (`StagedEdits.plan`); printed by `PlanRenderer`. Pure.
public struct EditPlan: Equatable, Sendable {
    public struct Change: Equatable, Sendable {
        public var key: EndpointKey
        public var before: [String]
        public var after: [String]
    }

    /// In key order (host, orchestrator, workload, endpoint), as the detailed table sorts.
    public var changes: [Change]
    /// Endpoints an edit selected that would keep their profiles.
    public var unchanged: Int
    public var failedLines: Int

    /// How one profile of a change reads in the plan.
    public enum Mark: Equatable, Sendable {
        /// `- NAME`: the endpoint loses it.
        case removed
        /// `+ NAME`: the endpoint gains it.
        case added
        /// `  NAME`: it stays.
        case kept
    }

    /// The lines of one change: the profiles before, each kept or removed, then those added. When
    /// the kept ones would change order (`set` reorders), the whole old list is removed and the new
    /// one added, so the order shown is the order written.
    public static func lines(of change: Change) -> [(mark: Mark, profile: String)] {
        var lines: [(mark: Mark, profile: String)] = []
        forEachLine(of: change) { lines.append(($0, $1)) }
        return lines
    }

    /// `lines(of:)` one by one, with no array made for a change of a few profiles (a dry run of
    /// 100,000 endpoints made five per endpoint).
    public static func forEachLine(of change: Change, _ body: (Mark, String) -> Void) {
        // Endpoints carry a few profiles: a look along the short list beats hashing into sets.
        let small = change.before.count + change.after.count <= 32
        let before = small ? [] : Set(change.before.map(ExactString.init))
        let after = small ? [] : Set(change.after.map(ExactString.init))
        func inBefore(_ name: String) -> Bool {
            small ? change.before.contains { KeyText.equal($0, name) } : before.contains(ExactString(name))
        }
        func inAfter(_ name: String) -> Bool {
            small ? change.after.contains { KeyText.equal($0, name) } : after.contains(ExactString(name))
        }
        let keptInOldOrder = change.before.lazy.filter(inAfter)
        let keptInNewOrder = change.after.lazy.filter(inBefore)
        guard keptInOldOrder.elementsEqual(keptInNewOrder, by: KeyText.equal) else {
            for profile in change.before { body(.removed, profile) }
            for profile in change.after { body(.added, profile) }
            return
        }
        for profile in change.before { body(inAfter(profile) ? .kept : .removed, profile) }
        for profile in change.after where !inBefore(profile) { body(.added, profile) }
    }
}
