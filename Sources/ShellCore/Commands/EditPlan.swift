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
        let before = Set(change.before.map(ExactString.init))
        let after = Set(change.after.map(ExactString.init))
        let keptInOldOrder = change.before.filter { after.contains(ExactString($0)) }
        let keptInNewOrder = change.after.filter { before.contains(ExactString($0)) }
        guard keptInOldOrder.map(ExactString.init) == keptInNewOrder.map(ExactString.init) else {
            return change.before.map { (.removed, $0) } + change.after.map { (.added, $0) }
        }
        return change.before.map { (after.contains(ExactString($0)) ? .kept : .removed, $0) }
            + change.after.filter { !before.contains(ExactString($0)) }.map { (.added, $0) }
    }
}
