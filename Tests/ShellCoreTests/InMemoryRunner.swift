import ShellDevTools
import ShellTesting

@testable import ShellCore

/// A script runner over an in-memory store holding `data` (the reference page's endpoints unless
/// told otherwise), with its output captured: what the unit tests of the loop drive.
func makeInMemoryRunner(
    _ options: RunOptions = RunOptions(),
    data: [(key: String, value: [UInt8])] = SampleData.reference(layout: KeyLayout())
) async throws -> (ScriptRunner, CapturedOutput, InMemoryStore) {
    let store = InMemoryStore()
    try await BulkLoader.load(data, into: store)
    let output = CapturedOutput()
    let session = Session(
        configuration: EtcdConfiguration(endpoints: []),
        layout: KeyLayout(),
        showProgress: false,
        output: output,
        makeStore: { _ in store }
    )
    return (ScriptRunner(options: options, output: output, executor: { try await session.executor() }), output, store)
}
