import CEdit
import Foundation
import ShellCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The terminal front end: banner, prompt, libedit, and the same `ScriptRunner` as scripts.
/// Ctrl-C at the prompt abandons the line (see `LineEditor`); during a command it cancels that
/// command only; Ctrl-D on an empty line, `exit` and `quit` leave.
struct InteractiveShell {
    let runner: ScriptRunner
    let session: Session
    let options: CalicoShellOptions
    let output: StandardStreams

    func run() async -> Int32 {
        let configuration = await session.configuration
        let cluster = configuration.endpoints.first?.authority ?? "etcd"
        var synchronizer: IndexSynchronizer?
        do {
            let executor = try await session.executor()
            synchronizer = executor.synchronizer
            await executor.synchronizer.publishSnapshots()
            let count = await executor.synchronizer.currentIndex().count
            var version = "?"
            if let status = try? await session.connection().status() {
                version = status.version
            }
            output.standardOutput("calico-shell: etcd \(version) at \(configuration.endpoints.map(\.description).joined(separator: ",")), \(count) endpoints indexed. Type 'help' for help.\n")
        } catch {
            output.standardError("calico-shell: \(Executor.shellError(error))\n")
        }

        let historyPath = options.noHistory ? nil : (options.historyFile ?? HistoryFile.defaultPath(environment: Environment.current))
        let layout = await session.layout
        let editor = LineEditor(prompt: "\(cluster)> ", history: historyPath.map(HistoryFile.init)) { line in
            let index = synchronizer?.snapshot ?? EndpointIndex(layout: layout)
            return Completer.complete(line, index: index, limit: 100)
        }

        // SIGINT while a command runs cancels that command; at the prompt libedit has it. The C
        // handler only writes a byte to a pipe; a thread of ours reads it and cancels the task.
        let running = Mutex<Task<ScriptRunner.Outcome?, Never>?>(nil)
        var fds: [Int32] = [0, 0]
        if pipe(&fds) == 0 {
            cedit_forward_sigint(fds[1])
            let readEnd = fds[0]
            Thread.detachNewThread {
                var byte: UInt8 = 0
                while true {
                    let count = read(readEnd, &byte, 1)
                    if count > 0 {
                        running.withLock { $0?.cancel() }
                    } else if count < 0 && errno == EINTR {
                        continue
                    } else {
                        return
                    }
                }
            }
        }

        let shared = Unchecked((runner, editor))
        while let line = editor.readLine() {
            let task = Task { await shared.value.0.runLine(line, source: shared.value.1) }
            running.withLock { $0 = task }
            let outcome = await task.value
            running.withLock { $0 = nil }
            if case .exit(let status) = outcome { return status }
            if case .outputFailed(let failure) = outcome {
                output.standardError("calico-shell: \(failure)\n")
                return 1
            }
        }
        // As psql: leaving with Ctrl-D or `quit` is a success, whatever commands failed on the way.
        return 0
    }
}

/// Hands the runner and editor to the task that runs one command. Safe because the loop waits for
/// that task before touching either again: only one task uses them at a time.
struct Unchecked<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
