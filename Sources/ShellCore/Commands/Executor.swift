/// Runs endpoint commands: reads come from the watch-synced index, writes go to etcd as
/// compare-and-swap transactions on the endpoint's `mod_revision`.
public final class Executor: Sendable {
    public let synchronizer: IndexSynchronizer
    public var store: any KeyValueStore { synchronizer.store }
    public var layout: KeyLayout { synchronizer.layout }
    /// How often an edit that lost a compare-and-swap race is re-applied to fresh data.
    let maxAttempts: Int

    public init(synchronizer: IndexSynchronizer, maxAttempts: Int = 20) {
        self.synchronizer = synchronizer
        self.maxAttempts = maxAttempts
    }

    public func run(_ command: Command, format: OutputFormat) async throws(ShellError) -> CommandResult {
        switch command {
        case .showEndpoints(let filter, let detailed):
            return ShowEndpoints.run(try await freshIndex(), filter: filter, detailed: detailed, format: format)
        case .showProfiles(let filter):
            return try ShowProfiles.run(try await freshIndex(), filter: filter, format: format)
        case .editProfiles(let filter, let action, let names):
            return try await edit(filter: filter, edit: ProfileEdit(action: action, names: names), format: format)
        default:
            throw .usage("not an endpoint command")
        }
    }

    func freshIndex() async throws(ShellError) -> EndpointIndex {
        do {
            return try await synchronizer.freshIndex()
        } catch {
            throw Self.shellError(error)
        }
    }

    public static func shellError(_ error: any Error) -> ShellError {
        if let error = error as? ShellError { return error }
        if let error = error as? EtcdError { return .etcd(error) }
        if error is CancellationError { return .cancelled }
        return .etcd(.server(operation: "the request", message: String(describing: error)))
    }

    private func edit(filter: EndpointFilter, edit: ProfileEdit, format: OutputFormat) async throws(ShellError) -> CommandResult {
        let index = try await freshIndex()
        // Everything is checked before anything is written.
        let record = try EndpointLookup.unique(in: index, filter: filter)
        if edit.action != .remove {
            for name in edit.names where !index.profileExists(name) { throw .profileNotFound(name) }
        }
        let path = record.key.path(in: layout)
        var value = record.value
        var modRevision = record.modRevision
        for attempt in 0..<maxAttempts {
            let current = try EndpointLookup.decode(EndpointIndex.Record(key: record.key, value: value, modRevision: modRevision), layout: layout)
            let plan = edit.plan(current: current.profiles)
            guard let newProfiles = plan.newProfiles else { return render(plan, endpoint: record.key.endpoint, format: format) }
            let newValue: [UInt8]
            do {
                newValue = try EndpointDocument.replacingProfiles(in: value, with: newProfiles)
            } catch {
                throw .invalidValue("Endpoint \(record.key.endpoint) has a malformed value in etcd at \(path) (\(error.reason)); it was left as it is.")
            }
            do {
                let result = try await store.commit(Transaction(
                    compares: [.modRevision(key: path, equals: modRevision)],
                    operations: [.put(key: path, value: newValue)]))
                if result.succeeded { return render(plan, endpoint: record.key.endpoint, format: format) }
                // Another writer got there first: re-read and re-apply the same edit to what it wrote.
                guard let fresh = try await store.get(path) else { throw ShellError.endpointUnknown(record.key.endpoint) }
                value = fresh.value
                modRevision = fresh.modRevision
                try await Task.sleep(for: .microseconds(Int.random(in: 0...(1_000 << min(attempt, 6)))))
            } catch {
                throw Self.shellError(error)
            }
        }
        throw .etcd(.compareFailed(key: path))
    }

    private func render(_ plan: ProfileEdit.Plan, endpoint: String, format: OutputFormat) -> CommandResult {
        switch format {
        case .table:
            return CommandResult(output: plan.messages.map { $0 + "\n" }.joined())
        case .json:
            return ShowProfiles.render(endpoint: endpoint, profiles: plan.resultingProfiles, format: .json)
        }
    }
}
