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
        forEachLine(before: change.before, after: change.after, body)
    }

    /// The lines of a change from the profiles `before` to those `after`.
    static func forEachLine(before: [String], after: [String], _ body: (Mark, String) -> Void) {
        // Endpoints carry a few profiles: a look along the short list beats hashing into sets.
        let small = before.count + after.count <= 32
        let beforeSet = small ? [] : Set(before.map(ExactString.init))
        let afterSet = small ? [] : Set(after.map(ExactString.init))
        func inBefore(_ name: String) -> Bool {
            small ? before.contains { KeyText.equal($0, name) } : beforeSet.contains(ExactString(name))
        }
        func inAfter(_ name: String) -> Bool {
            small ? after.contains { KeyText.equal($0, name) } : afterSet.contains(ExactString(name))
        }
        let keptInOldOrder = before.lazy.filter(inAfter)
        let keptInNewOrder = after.lazy.filter(inBefore)
        guard keptInOldOrder.elementsEqual(keptInNewOrder, by: KeyText.equal) else {
            for profile in before { body(.removed, profile) }
            for profile in after { body(.added, profile) }
            return
        }
        for profile in before { body(inAfter(profile) ? .kept : .removed, profile) }
        for profile in after where !inBefore(profile) { body(.added, profile) }
    }
}
