import ShellCore
#if canImport(Glibc)
import Glibc
#endif

/// The terminal front end: banner, prompt, line editing, and the same `ScriptRunner` as scripts.
struct InteractiveShell {
    let runner: ScriptRunner
    let session: Session
    let options: CalicoShellOptions
    let output: StandardStreams

    func run() async -> Int32 {
        let configuration = await session.configuration
        let cluster = configuration.endpoints.first?.authority ?? "etcd"
        do {
            let executor = try await session.executor()
            let count = await executor.synchronizer.currentIndex().count
            var version = "?"
            if let client = try? await session.connection() as? GRPCEtcdClient, let status = try? await client.status() {
                version = status.version
            }
            output.standardOutput("calico-shell: etcd \(version) at \(configuration.endpoints.map(\.description).joined(separator: ",")), \(count) endpoints indexed. Type 'help' for help.\n")
        } catch {
            output.standardError("calico-shell: \(Executor.shellError(error))\n")
        }
        var source = TerminalLineSource(prompt: "\(cluster)> ")
        let outcome = await runner.run(&source)
        if case .exit(let status) = outcome { return status }
        return 0
    }
}

/// A plain prompt-and-read source (line editing comes from libedit in `LineEditor`).
struct TerminalLineSource: LineSource {
    let name = "<terminal>"
    let directory = "."
    let prompt: String
    private var number = 0

    init(prompt: String) {
        self.prompt = prompt
    }

    mutating func readLine() -> SourceLine? {
        StandardStreams().standardOutput(prompt)
        guard let text = Swift.readLine(strippingNewline: true) else {
            StandardStreams().standardOutput("\n")
            return nil
        }
        number += 1
        return SourceLine(text: text, number: number)
    }
}
