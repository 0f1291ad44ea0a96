import Foundation

/// Runs the built `calico-shell` binary.
enum ShellBinary {
    static var path: String {
        // CALICO_SHELL_BINARY runs the tests against another build, e.g. to see a new test fail on
        // the code before a fix.
        built("calico-shell", unlessSetIn: "CALICO_SHELL_BINARY")
    }

    /// The developer tool (`calico-shell-dev`); CALICO_SHELL_DEV_BINARY chooses another build.
    static var devPath: String {
        built("calico-shell-dev", unlessSetIn: "CALICO_SHELL_DEV_BINARY")
    }

    private static func built(_ name: String, unlessSetIn variable: String) -> String {
        if let chosen = ProcessInfo.processInfo.environment[variable], !chosen.isEmpty { return chosen }
        // Tests run from the package root; the binary sits next to the test bundle.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent(name).path,
            root.appendingPathComponent(".build/debug/\(name)").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[1]
    }

    struct Result {
        var status: Int32
        var output: String
        var errors: String
    }

    static func run(
        _ arguments: [String],
        input: String? = nil,
        environment: [String: String] = [:],
        executable: String? = nil
    ) throws -> Result {
        let shell = try RunningShell(arguments, environment: environment, executable: executable)
        if let input { shell.send(Data(input.utf8)) }
        try shell.closeInput()
        return shell.finish()
    }
}

/// A `calico-shell` process with its three streams on pipes, killed by a watchdog if it hangs.
final class RunningShell {
    let process: ChildProcess
    // The test's ends of the child's stdin, stdout and stderr.
    private var input: Int32?
    private let output: Int32
    private let errors: Int32
    private let watchdog: Watchdog

    /// With `mergingErrors`, stderr goes to the stdout pipe, in the order written (as `2>&1`).
    init(
        _ arguments: [String],
        environment: [String: String] = [:],
        executable: String? = nil,
        seconds: Double = 60,
        mergingErrors: Bool = false
    ) throws {
        var env = ProcessInfo.processInfo.environment
        for key in ["ETCD_ENDPOINTS", "ETCD_AUTHORITY", "ETCD_SCHEME", "ETCD_USERNAME", "ETCD_PASSWORD"] {
            env[key] = nil
        }
        env.merge(environment) { $1 }
        let input = try ClosingPipe()
        let output = try ClosingPipe()
        let errors = try ClosingPipe()
        defer { for descriptor in [input.readEnd, output.writeEnd, errors.writeEnd] { close(descriptor) } }
        process = try ChildProcess(
            executable ?? ShellBinary.path,
            arguments,
            environment: env,
            stdin: input.readEnd,
            stdout: output.writeEnd,
            stderr: mergingErrors ? output.writeEnd : errors.writeEnd
        )
        self.input = input.writeEnd
        self.output = output.readEnd
        self.errors = errors.readEnd
        watchdog = Watchdog(process: process, seconds: seconds)
    }

    deinit {
        watchdog.disarm()
        if process.isRunning {
            process.signal(SIGKILL)
            process.wait()
        }
        if let input { close(input) }
        close(output)
        close(errors)
    }

    func send(_ data: Data) {
        if let input { ClosingPipe.writeAll(input, data) }
    }

    func closeInput() throws {
        if let input { close(input) }
        input = nil
    }

    /// What the shell has written to stdout so far, waiting for at least one byte; empty once it
    /// has closed stdout (exited).
    func readOutput() -> Data { ClosingPipe.readSome(output) }

    /// What the shell has written to stderr so far, waiting for at least one byte.
    func readErrors() -> Data { ClosingPipe.readSome(errors) }

    /// Reads `stream` until `text` has arrived (or the stream ends), returning all that was read.
    func read(until text: String, from stream: (RunningShell) -> Data) -> String {
        var received = Data()
        while !String(decoding: received, as: UTF8.self).contains(text) {
            let chunk = stream(self)
            if chunk.isEmpty { break }
            received.append(chunk)
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Closes stdin, reads stdout and stderr to their end (on two threads, so a full pipe cannot
    /// block the child) and waits for the process to exit.
    func finish() -> ShellBinary.Result {
        try? closeInput()  // a shell reading stdin ends at its end
        let errors = self.errors
        let errorReader = Thread.detachNewThreadReturning { ClosingPipe.readAll(errors) }
        let outputRead = ClosingPipe.readAll(output)
        let errorsRead = errorReader.wait()
        let status = process.wait()
        watchdog.disarm()
        return ShellBinary.Result(
            status: status ?? -1,
            output: String(decoding: outputRead, as: UTF8.self),
            errors: String(decoding: errorsRead, as: UTF8.self)
        )
    }
}

/// Kills a child process that outlives its time, so a hang fails one test instead of the whole run.
/// It waits on a thread of its own, so no amount of blocked work elsewhere can delay it.
final class Watchdog: Sendable {
    private let disarmed = DispatchSemaphore(value: 0)

    init(process: ChildProcess, seconds: Double) {
        let disarmed = self.disarmed
        Thread.detachNewThread {
            guard disarmed.wait(timeout: .now() + seconds) == .timedOut else { return }
            FileHandle.standardError.write(Data("watchdog: killing pid \(process.pid) after \(seconds) s\n".utf8))
            process.signal(SIGKILL)
        }
    }

    /// Idempotent: extra signals are never waited for.
    func disarm() { disarmed.signal() }
}

/// A value computed on its own thread (reading a pipe to its end), waited for once.
final class ThreadResult<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var value: Value?

    fileprivate func set(_ value: Value) {
        self.value = value
        done.signal()
    }

    func wait() -> Value {
        done.wait()
        return value!
    }
}

extension Thread {
    static func detachNewThreadReturning<Value: Sendable>(
        _ body: @escaping @Sendable () -> Value
    ) -> ThreadResult<Value> {
        let result = ThreadResult<Value>()
        Thread.detachNewThread { result.set(body()) }
        return result
    }
}
