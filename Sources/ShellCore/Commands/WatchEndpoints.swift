import Foundation

/// `endpoint watch`: what one endpoint change means, as lines. Pure: the loop that reads the
/// synchronizer's changes and prints is `Executor.watch`.
///
///     2026-11-27T09:10:11Z added calico/docker/W/E profiles=PROF addresses=10.0.0.1/32
///     2026-11-27T09:10:12Z profiles calico/docker/W/E +WEB -PROF
///     2026-11-27T09:10:13Z state calico/docker/W/E active -> inactive
///     2026-11-27T09:10:14Z addresses calico/docker/W/E +10.0.0.2/32 -10.0.0.1/32
///     2026-11-27T09:10:15Z removed calico/docker/W/E
///
/// A change that touches several things (profiles and state) is one line for each; a change of
/// other fields (MAC, name, labels) is one `changed` line. With filters, a change is shown when the
/// endpoint matched before it or matches after it (an endpoint that leaves `--address=IP` shows).
public enum WatchEndpoints {
    public enum What: String, Sendable {
        case added, removed, profiles, state, addresses, changed
    }

    public struct Line: Equatable, Sendable {
        public var what: What
        public var key: EndpointKey
        public var revision: Int64
        public var added: [String] = []
        public var removed: [String] = []
        public var previousState: String?
        public var state: String?
    }

    public static func lines(for change: RecordChange, filter: EndpointFilter) -> [Line] {
        guard filter.matches(change.key) else { return [] }
        let before = change.before.map { (try? EndpointData.decode($0)) ?? EndpointData() }
        let after = change.after.map { (try? EndpointData.decode($0)) ?? EndpointData() }
        if filter.needsValues {
            guard before.map(filter.matches) == true || after.map(filter.matches) == true else { return [] }
        }
        let line = Line(what: .changed, key: change.key, revision: change.revision)
        guard let before else {
            var added = line
            added.what = .added
            added.added = after?.profiles ?? []
            added.state = after?.state
            return [added]
        }
        guard let after else {
            var removed = line
            removed.what = .removed
            removed.removed = before.profiles
            removed.previousState = before.state
            return [removed]
        }
        var lines: [Line] = []
        let (addedProfiles, removedProfiles) = difference(before.profiles, after.profiles)
        if !addedProfiles.isEmpty || !removedProfiles.isEmpty {
            var profiles = line
            profiles.what = .profiles
            profiles.added = addedProfiles
            profiles.removed = removedProfiles
            lines.append(profiles)
        }
        if before.state != after.state {
            var state = line
            state.what = .state
            state.previousState = before.state
            state.state = after.state
            lines.append(state)
        }
        let (addedNets, removedNets) = difference(before.sortedAddresses, after.sortedAddresses)
        if !addedNets.isEmpty || !removedNets.isEmpty {
            var addresses = line
            addresses.what = .addresses
            addresses.added = addedNets
            addresses.removed = removedNets
            lines.append(addresses)
        }
        if lines.isEmpty && before != after { lines.append(line) }
        return lines
    }

    /// What `new` has that `old` lacks, and the reverse, each in its list's order (by bytes).
    static func difference(_ old: [String], _ new: [String]) -> (added: [String], removed: [String]) {
        let oldSet = Set(old.map(ExactString.init))
        let newSet = Set(new.map(ExactString.init))
        return (new.filter { !oldSet.contains(ExactString($0)) }, old.filter { !newSet.contains(ExactString($0)) })
    }

    /// One line of text or one JSON object, with its newline.
    public static func render(_ line: Line, at time: Date, format: OutputFormat) -> String {
        let stamp = time.ISO8601Format()
        let key = line.key
        switch format {
        case .table:
            let path = [key.host, key.orchestrator, key.workload, key.endpoint].joined(separator: "/")
            var words = [stamp, line.what.rawValue, path]
            switch line.what {
            case .added:
                words.append("profiles=" + line.added.joined(separator: ","))
                if let state = line.state { words.append("state=" + state) }
            case .profiles, .addresses:
                words += line.added.map { "+" + $0 } + line.removed.map { "-" + $0 }
            case .state:
                words.append("\(line.previousState ?? "-") -> \(line.state ?? "-")")
            case .removed, .changed:
                break
            }
            return DisplayEscaping.visible(words.joined(separator: " ")) + "\n"
        case .json:
            var members: [(String, JSONValue)] = [
                ("time", .string(stamp)), ("revision", .number(Int(line.revision))),
                ("change", .string(line.what.rawValue)), ("hostname", .string(key.host)),
                ("orchestrator_id", .string(key.orchestrator)), ("workload_id", .string(key.workload)),
                ("endpoint_id", .string(key.endpoint)),
            ]
            switch line.what {
            case .added: members += [("profiles", .strings(line.added)), ("state", .optional(line.state))]
            case .removed: members += [("profiles", .strings(line.removed))]
            case .profiles, .addresses:
                members += [("added", .strings(line.added)), ("removed", .strings(line.removed))]
            case .state:
                members += [("previous_state", .optional(line.previousState)), ("state", .optional(line.state))]
            case .changed: break
            }
            return JSONValue.object(members).rendered + "\n"
        }
    }
}
