import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The one loop every input goes through (terminal, script file, `-c`, stdin, `source`): read a
/// line, join continuations, parse, dispatch, print, flush; stop at the first error unless the
/// source is interactive or the run goes on after errors. Builtins and endpoint commands are
/// dispatched here, in one place (`execute`).
public final class ScriptRunner: Sendable {
    public enum Outcome: Equatable, Sendable {
        /// Every line was read.
        case finished
        /// A command failed and the run stops there.
        case stopped
        /// `exit N`.
        case exit(Int32)
        /// Standard output could not be written (a closed pipe, a full disk): nothing more runs.
        case outputFailed(OutputFailure)
    }

    /// What a command needs to know of the source its line came from.
    struct Origin: Sendable {
        var name: String
        var directory: String
        var isInteractive: Bool
    }

    private struct State {
        var options: RunOptions
        /// Commands that failed so far.
        var failures = 0
        /// Scripts being run, for `source` cycle detection.
        var sourceStack: [String] = []
    }

    private let output: any OutputWriter
    private let executor: @Sendable () async throws -> Executor
    private let state: Mutex<State>
    /// With `--atomic`: the edits staged so far.
    private let batch: AtomicBatch?
    /// The command a person is waiting for at the terminal: what Ctrl-C cancels.
    private let running = Mutex<Task<Outcome?, Never>?>(nil)

    public init(
        options: RunOptions,
        output: any OutputWriter,
        executor: @escaping @Sendable () async throws -> Executor
    ) {
        self.state = Mutex(State(options: options))
        self.output = output
        self.executor = executor
        self.batch = options.atomic ? AtomicBatch() : nil
    }

    public var options: RunOptions { state.withLock { $0.options } }
    public var failures: Int { state.withLock { $0.failures } }

    /// Ctrl-C: cancels the command an interactive source is running, if any; the loop goes on.
    public func cancelRunningCommand() {
        running.withLock { $0?.cancel() }
    }

    /// Ends a run: with `--atomic`, commits the staged edits as one transaction when everything
    /// succeeded, and otherwise says that nothing was written. Returns the exit status.
    public func finish(_ outcome: Outcome) async -> Int32 {
        let status = exitStatus(for: outcome)
        if case .outputFailed(let failure) = outcome, !failure.isClosedPipe {
            output.standardError("calico-shell: \(failure)\n")
        }
        guard let batch else { return status }
        guard status == 0 else {
            if !batch.isEmpty {
                output.standardError("--atomic: nothing was written (\(batch.endpointCount) endpoint(s) staged)\n")
            }
            return status
        }
        guard !batch.isEmpty else {
            output.standardError("--atomic: no edits to commit; nothing was written.\n")
            return 0
        }
        do {
            let revision = try await executor().commit(batch)
            output.standardError(
                "--atomic: committed \(batch.editCount) edit(s) to \(batch.endpointCount) endpoint(s) "
                    + "at revision \(revision).\n"
            )
            return 0
        } catch {
            output.standardError("\(DisplayEscaping.visible(Executor.shellError(error).description))\n")
            return 1
        }
    }

    /// The process exit status for a run that ended with `outcome`.
    public func exitStatus(for outcome: Outcome) -> Int32 {
        if case .exit(let status) = outcome { return status }
        if case .outputFailed = outcome { return 1 }
        return failures > 0 ? 1 : 0
    }

    /// Runs every line of `source`; returns how the run ended.
    public func run(_ source: inout some LineSource) async -> Outcome {
        if let path = source.path { state.withLock { $0.sourceStack.append(Self.canonicalPath(path)) } }
        defer { if source.path != nil { state.withLock { _ = $0.sourceStack.popLast() } } }
        while let line = Self.readLogicalLine(from: &source) {
            let origin = Origin(name: source.name, directory: source.directory, isInteractive: source.isInteractive)
            let outcome: Outcome?
            if origin.isInteractive {
                // A task of its own, so that Ctrl-C cancels this command and not the loop.
                let task = Task { await self.runLine(line, from: origin) }
                running.withLock { $0 = task }
                outcome = await task.value
                running.withLock { $0 = nil }
            } else {
                outcome = await runLine(line, from: origin)
            }
            if let outcome { return outcome }
        }
        return .finished
    }

    /// Joins lines ending in an unescaped backslash with the next one. The joined line counts
    /// toward the length limit as it grows: past it, the rest is read and dropped (only whether it
    /// goes on is kept), so continuations cannot build a line of unbounded size.
    static func readLogicalLine(from source: inout some LineSource) -> SourceLine? {
        guard var line = source.readLine() else { return nil }
        var length = byteCount(of: line)
        while endsWithContinuation(line.text) {
            guard let next = source.readContinuationLine() else {
                if line.problem == nil { line.problem = .unterminatedContinuation }
                break
            }
            if let problem = next.problem, !isTooLong(problem) {
                line.problem = problem  // unreadable input: nothing after it is read
                break
            }
            line.text.removeLast()
            length += byteCount(of: next) - 1
            if line.problem == nil && next.problem == nil && length <= maximumLineLength {
                line.text += next.text
            } else {
                line.problem = .lineTooLong(bytes: length)
                line.text = endsWithContinuation(next.text) ? "\\" : ""
            }
        }
        if let problem = line.problem, isTooLong(problem) {
            line.problem = .lineTooLong(bytes: length)
            line.text = ""
        }
        return line
    }

    /// A line's length in bytes, also when it was too long to be kept.
    private static func byteCount(of line: SourceLine) -> Int {
        if case .lineTooLong(let bytes)? = line.problem { return bytes }
        return line.text.utf8.count
    }

    private static func isTooLong(_ problem: ShellError) -> Bool {
        if case .lineTooLong = problem { return true }
        return false
    }

    static func endsWithContinuation(_ text: String) -> Bool {
        var backslashes = 0
        for character in text.reversed() {
            guard character == "\\" else { break }
            backslashes += 1
        }
        return backslashes % 2 == 1
    }

    /// Runs one line; returns an outcome when the run must end here.
    private func runLine(_ line: SourceLine, from origin: Origin) async -> Outcome? {
        do {
            if let problem = line.problem { throw problem }
            let command = try CommandParser.parse(line.text)
            if command == .nothing { return nil }
            if options.echo { output.standardOutput("> \(line.text.trimmingLeadingBlanks)\n") }
            let outcome = try await execute(command, from: origin)
            // A failed write ends the run at once: nothing that follows may run unseen.
            if let failure = output.failure { return .outputFailed(failure) }
            return outcome
        } catch {
            if let failure = output.failure { return .outputFailed(failure) }
            let shellError = Executor.shellError(error)
            state.withLock { $0.failures += 1 }
            report(shellError, at: line, from: origin)
            if origin.isInteractive || options.continueOnError { return nil }
            return .stopped
        }
    }

    private func report(_ error: ShellError, at line: SourceLine, from origin: Origin) {
        if case .nestedFailure = error { return }
        // Errors echo keys, IDs and names that may come from etcd: none reaches the terminal raw.
        let message = DisplayEscaping.visible(error.description)
        if origin.isInteractive {
            output.standardError("\(message)\n")
        } else {
            output.standardError("\(origin.name):\(line.number): \(message)\n")
        }
    }

    /// Every command, builtin or not, is dispatched here.
    private func execute(_ command: Command, from origin: Origin) async throws -> Outcome? {
        switch command {
        case .nothing:
            return nil
        case .help(let topic):
            output.standardOutput(try Self.help(topic))
        case .echo(let text):
            output.standardOutput(text + "\n")
        case .setOutput(let format):
            state.withLock { $0.options.format = format }
        case .setConsistency(let consistency):
            state.withLock { $0.options.consistency = consistency }
        case .exit(let status):
            return .exit(status)
        case .source(let path):
            return try await runSourced(path, from: origin)
        case .complete(let line):
            let index = try await executor().readIndex(options.consistency)
            let completion = Completer.complete(line, index: index)
            output.standardOutput(completion.candidates.map { DisplayEscaping.visible($0) + "\n" }.joined())
        case .endpoint(.watch(let filter, let limits)):
            let output = self.output
            try await executor().watch(filter, limits: limits, format: options.format) { output.standardOutput($0) }
        case .endpoint(let command):
            // A bulk edit must show its plan and ask before writing at a terminal; until that
            // question exists, the terminal refuses it rather than write to many endpoints unasked.
            if origin.isInteractive, case .bulkEditProfiles = command { throw ShellError.usage(.bulkEditAtTheTerminal) }
            let options = self.options
            let result = try await executor().run(
                command,
                format: options.format,
                batch: batch,
                consistency: options.consistency
            )
            for warning in result.warnings { output.standardError(DisplayEscaping.visible(warning) + "\n") }
            output.standardOutput(result.output)
        }
        return nil
    }

    static func help(_ topic: String?) throws(ShellError) -> String {
        switch topic {
        case nil: return HelpText.overview
        case "endpoint"?: return HelpText.endpoint + HelpText.extensions
        case let other?:
            if Grammar.command(named: other) != nil { return HelpText.overview }
            throw .usage(.noHelp(topic: other))
        }
    }

    private func runSourced(_ path: String, from parent: Origin) async throws -> Outcome? {
        let resolved = path.hasPrefix("/") ? path : (parent.directory == "." ? path : parent.directory + "/" + path)
        let canonical = Self.canonicalPath(resolved)
        let stack = state.withLock { $0.sourceStack }
        if stack.contains(canonical) { throw ShellError.sourceCycle(path: path, chain: stack + [canonical]) }
        var nested = try StreamLineSource(path: resolved)
        let failuresBefore = failures
        let outcome = await run(&nested)
        switch outcome {
        case .finished:
            return nil
        case .exit, .outputFailed:
            return outcome
        case .stopped:
            // The nested script already reported its own FILE:LINE; the `source` line fails with it.
            state.withLock { $0.failures = failuresBefore }
            throw ShellError.nestedFailure
        }
    }

    static func canonicalPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

extension String {
    var trimmingLeadingBlanks: Substring { drop { $0 == " " || $0 == "\t" } }
}
