import CEdit
import Foundation
import ShellCore
import Synchronization

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
        // The prompt never waits for the whole index: it loads behind the prompt, and a command that
        // needs it waits for it (with a progress line; Ctrl-C stops the wait). A small cluster is
        // loaded before the banner is printed, which then says how many endpoints it holds.
        let address = configuration.endpoints.map(\.description).joined(separator: ",")
        var banner = "calico-shell \(ProductVersion.number): "
        do {
            try await session.startLoading(publishingSnapshots: true)
            let version = await Self.version(of: session, within: .milliseconds(300))
            banner += (version.map { "etcd \($0) " } ?? "etcd ") + "(\(datastore())) at " + address
            if let executor = await session.executor(within: .milliseconds(300)) {
                banner += ", \(await executor.synchronizer.currentIndex().count) endpoints indexed"
            } else {
                banner += ", loading the endpoint index in the background"
            }
        } catch {
            output.standardError("calico-shell: \(Executor.shellError(error))\n")
            banner += "etcd at \(address)"
        }
        if runner.options.consistency == .serializable {
            banner += "; reads answer from the watched index (--consistency=s)"
        }
        output.standardOutput(banner + ". Type 'help' for help.\n")

        let historyPath =
            options.noHistory
            ? nil : (options.historyFile ?? HistoryFile.defaultPath(environment: ProcessEnvironment.current))
        let layout = await session.layout
        let editor = LineEditor(prompt: "\(cluster)> ", history: historyPath.map(HistoryFile.init)) { line in
            let index = session.indexSnapshot ?? EndpointIndex(layout: layout)
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

    /// The etcd version for the banner, if etcd says it within `timeout` (a slow or frozen member
    /// must not hold the prompt back). The call goes on without us after the timeout: cancelling it
    /// cannot be relied on to end it at once (datastore detection, a connection still dialling).
    private static func version(of session: Session, within timeout: Duration) async -> String? {
        let answer = OnceAnswer<String?>()
        return await withCheckedContinuation { continuation in
            answer.onAnswer { continuation.resume(returning: $0) }
            Task { answer.give(try? await session.connection().status().version) }
            Task {
                try? await Task.sleep(for: timeout)
                answer.give(nil)
            }
        }
    }
}

/// The first of several answers, handed on once; later ones are dropped.
private final class OnceAnswer<Value: Sendable>: Sendable {
    private let state = Mutex<(given: Bool, deliver: (@Sendable (Value) -> Void)?)>((false, nil))

    func onAnswer(_ deliver: @escaping @Sendable (Value) -> Void) {
        state.withLock { $0.deliver = deliver }
    }

    func give(_ value: Value) {
        let deliver: (@Sendable (Value) -> Void)? = state.withLock { state in
            guard !state.given else { return nil }
            state.given = true
            return state.deliver
        }
        deliver?(value)
    }
}
