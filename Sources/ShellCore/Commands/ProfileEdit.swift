/// `endpoint <ID> profile (append|remove|set) …`: what an edit changes, decided from the endpoint's
/// current profiles. Pure, so the compare-and-swap loop can re-apply it to fresh data after losing a race.
public struct ProfileEdit: Equatable, Sendable {
    public var action: ProfileAction
    public var names: [String]

    public init(action: ProfileAction, names: [String]) {
        self.action = action
        self.names = names
    }

    /// Profiles that must exist for the edit to be made: every name added (`append`, `set`).
    /// `remove` takes any name the endpoint has, even one today's name rules would refuse.
    public var requiredProfiles: [String] { action == .remove ? [] : names }

    public struct Plan: Equatable, Sendable {
        /// The list to write, or nil when the desired state already holds.
        public var newProfiles: [String]?
        /// The resulting list either way.
        public var resultingProfiles: [String]
        /// Lines to print: notes on names that needed no change, then the page's summary line.
        public var messages: [String]

        /// The plan as `--atomic` reports it: the change is staged, not written yet, so the summary
        /// line says so (`Profile(s) WEB appended (staged).`). Notes on names left alone are as they are.
        public var staged: Plan {
            guard newProfiles != nil, let summary = messages.last, summary.hasSuffix(".") else { return self }
            var copy = self
            copy.messages[messages.count - 1] = summary.dropLast() + " (staged)."
            return copy
        }
    }

    /// `withMessages: false` leaves `messages` empty: a dry run of a bulk edit lists no messages, and
    /// making them for each of 100,000 endpoints was a tenth of deciding.
    public func plan(current: [String], withMessages: Bool = true) -> Plan {
        switch action {
        case .set:
            let message = names.isEmpty ? "Profile(s) cleared." : "Profile(s) \(names.joined(separator: ",")) set."
            return Plan(
                newProfiles: names == current ? nil : names,
                resultingProfiles: names,
                messages: withMessages ? [message] : []
            )
        case .append:
            var result = current
            var messages: [String] = []
            var changed: [String] = []
            for name in names {
                if result.contains(name) {
                    if withMessages { messages.append("Profile \(name) is already in endpoint profile list") }
                } else {
                    result.append(name)
                    changed.append(name)
                }
            }
            if withMessages && !changed.isEmpty {
                messages.append("Profile(s) \(changed.joined(separator: ",")) appended.")
            }
            return Plan(newProfiles: changed.isEmpty ? nil : result, resultingProfiles: result, messages: messages)
        case .remove:
            var result = current
            var messages: [String] = []
            var changed: [String] = []
            for name in names {
                if result.contains(name) {
                    result.removeAll { $0 == name }
                    changed.append(name)
                } else if withMessages {
                    messages.append("Profile \(name) is not in endpoint profile list.")
                }
            }
            if withMessages && !changed.isEmpty {
                messages.append("Profile(s) \(changed.joined(separator: ",")) removed.")
            }
            return Plan(newProfiles: changed.isEmpty ? nil : result, resultingProfiles: result, messages: messages)
        }
    }
}
