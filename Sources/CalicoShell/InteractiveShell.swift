import CEdit
import Foundation
import ShellCore

#if canImport(Glibc)
import Glibc
#endif

/// The terminal front end: banner, prompt, libedit as the line source of the same loop that runs
/// scripts (`ScriptRunner.run`). Ctrl-C at the prompt abandons the line (see `LineEditor`); during a
/// command it cancels that command only; Ctrl-D on an empty line, `exit` and `quit` leave.
struct InteractiveShell {
    let runner: ScriptRunner
    let session: Session
    let options: CalicoShellOptions
    let output: StandardStreams
    /// Which API the shell speaks and whether it was detected (`etcd v2 API, detected`), once connected.
    let datastore: @Sendable () -> String

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
            output.standardOutput(
                "calico-shell \(ProductVersion.number): etcd \(version) (\(datastore())) at "
                    + "\(configuration.endpoints.map(\.description).joined(separator: ",")), "
                    + "\(count) endpoints indexed. Type 'help' for help.\n"
            )
        } catch {
            output.standardError("calico-shell: \(Executor.shellError(error))\n")
        }

        let historyPath =
            options.noHistory ? nil : (options.historyFile ?? HistoryFile.defaultPath(environment: Environment.current))
        let layout = await session.layout
        let editor = LineEditor(prompt: "\(cluster)> ", history: historyPath.map(HistoryFile.init)) { line in
            let index = synchronizer?.snapshot ?? EndpointIndex(layout: layout)
            return Completer.complete(line, index: index, limit: 100)
        }

        // SIGINT while a command runs cancels that command; at the prompt libedit has it. The C
        // handler only writes a byte to a pipe; a thread of ours reads it and tells the runner.
        var fds: [Int32] = [0, 0]
        if pipe(&fds) == 0 {
            cedit_forward_sigint(fds[1])
            let readEnd = fds[0]
            let runner = self.runner
            Thread.detachNewThread {
                var byte: UInt8 = 0
                while true {
                    let count = read(readEnd, &byte, 1)
                    if count > 0 {
                        runner.cancelRunningCommand()
                    } else if count < 0 && errno == EINTR {
                        continue
                    } else {
                        return
                    }
                }
            }
        }

        var source = editor
        switch await runner.run(&source) {
        case .exit(let status):
            return status
        case .outputFailed(let failure):
            output.standardError("calico-shell: \(failure)\n")
            return 1
        case .finished, .stopped:
            // As psql: leaving with Ctrl-D or `quit` is a success, whatever commands failed on the way.
            return 0
        }
    }
}
