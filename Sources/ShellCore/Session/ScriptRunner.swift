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
    /// A command's answer made while the index loads, when it can be (`Session.answerWhileLoading`).
    private let answerWhileLoading: @Sendable (EndpointCommand, CommandContext) async throws -> CommandResult?
    private let state: Mutex<State>
    /// With `--atomic` or `--dry-run`: the edits staged so far.
    private let batch: StagedEdits?
    /// The command a person is waiting for at the terminal: what Ctrl-C cancels.
    private let running = Mutex<Task<Step, Never>?>(nil)

    public init(
        options: RunOptions,
        output: any OutputWriter,
        executor: @escaping @Sendable () async throws -> Executor,
        answerWhileLoading: @escaping @Sendable (EndpointCommand, CommandContext) async throws -> CommandResult? = {
            _,
            _ in nil
        }
    ) {
        self.state = Mutex(State(options: options))
        self.output = output
        self.executor = executor
        self.answerWhileLoading = answerWhileLoading
        if options.dryRun {
            self.batch = StagedEdits(.plan, limit: options.atomic ? StagedEdits.maximumOperations : nil)
        } else {
            self.batch = options.atomic ? StagedEdits(.atomic) : nil
        }
    }

    /// At the terminal, a bulk edit that would change more endpoints than this asks first.
    public static let confirmationThreshold = 10

    public var options: RunOptions { state.withLock { $0.options } }
    public var failures: Int { state.withLock { $0.failures } }

    /// Ctrl-C: cancels the command an interactive source is running, if any; the loop goes on.
    public func cancelRunningCommand() {
        running.withLock { $0?.cancel() }
    }

    /// Ends a run: with `--dry-run`, prints the plan; with `--atomic`, commits the staged edits as
    /// one transaction when everything succeeded, and otherwise says that nothing was written.
    /// Returns the exit status.
    public func finish(_ outcome: Outcome) async -> Int32 {
        let status = exitStatus(for: outcome)
        if case .outputFailed(let failure) = outcome, !failure.isClosedPipe {
            output.standardError("calico-shell: \(failure)\n")
        }
        guard let batch else { return status }
        if batch.purpose == .plan {
            if case .outputFailed = outcome { return status }
            let options = self.options
            output.standardOutput(
                PlanRenderer.render(batch.plan(failedLines: failures), format: options.format, colour: options.colour)
            )
            if options.atomic && status != 0 {
                output.standardError("--atomic: a line would fail, so the run would write nothing.\n")
            }
            return output.failure == nil ? status : 1
        }
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
        while let line = await Self.readLogicalLine(from: &source) {
            let origin = Origin(name: source.name, directory: source.directory, isInteractive: source.isInteractive)
            var step = await perform(from: origin) { await self.runLine(line, from: origin) }
            if case .ask(let question, let confirmed) = step {
                if Self.isYes(await source.answer(question)) {
                    step = await perform(from: origin) { await self.run(confirmed, line: line, from: origin) }
                } else {
                    output.standardOutput("Nothing was written.\n")
                    step = .next
                }
            }
            if case .end(let outcome) = step { return outcome }
        }
        return .finished
    }

    /// What comes after a line.
    private enum Step: Sendable {
        case next
        case end(Outcome)
        /// Ask `question` at the terminal; a yes runs `command`.
        case ask(String, then: Command)
    }

    /// Runs `work` for a line of `origin`: at the terminal in a task of its own, so that Ctrl-C
    /// cancels this command and not the loop.
    private func perform(from origin: Origin, _ work: @escaping @Sendable () async -> Step) async -> Step {
        guard origin.isInteractive else { return await work() }
        let task = Task { await work() }
        running.withLock { $0 = task }
        let step = await task.value
        running.withLock { $0 = nil }
        return step
    }

    static func isYes(_ answer: String?) -> Bool {
        guard let answer else { return false }
        let word = String(answer.trimmingLeadingBlanks.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
            .lowercased()
        return word == "y" || word == "yes"
    }

    /// Joins lines ending in an unescaped backslash with the next one. The joined line counts
    /// toward the length limit as it grows: past it, the rest is read and dropped (only whether it
    /// goes on is kept), so continuations cannot build a line of unbounded size.
    static func readLogicalLine(from source: inout some LineSource) async -> SourceLine? {
        guard var line = await source.readLine() else { return nil }
        var length = byteCount(of: line)
        while endsWithContinuation(line.text) {
            guard let next = await source.readContinuationLine() else {
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

    /// Runs one line.
    private func runLine(_ line: SourceLine, from origin: Origin) async -> Step {
        let command: Command
        do {
            if let problem = line.problem { throw problem }
            command = try CommandParser.parse(line.text)
        } catch {
            return failed(error, at: line, from: origin)
        }
        if command == .nothing { return .next }
        if options.echo { output.standardOutput("> \(line.text.trimmingLeadingBlanks)\n") }
        return await run(command, line: line, from: origin)
    }

    private func run(_ command: Command, line: SourceLine, from origin: Origin) async -> Step {
        do {
            let step = try await execute(command, from: origin)
            // A failed write ends the run at once: nothing that follows may run unseen.
            if let failure = output.failure { return .end(.outputFailed(failure)) }
            return step
        } catch {
            return failed(error, at: line, from: origin)
        }
    }

    private func failed(_ error: any Error, at line: SourceLine, from origin: Origin) -> Step {
        if let failure = output.failure { return .end(.outputFailed(failure)) }
        let shellError = Executor.shellError(error)
        state.withLock { $0.failures += 1 }
        report(shellError, at: line, from: origin)
        if origin.isInteractive || options.continueOnError { return .next }
        return .end(.stopped)
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
    private func execute(_ command: Command, from origin: Origin) async throws -> Step {
        switch command {
        case .nothing:
            return .next
        case .help(let topic):
            output.standardOutput(try Self.help(topic))
        case .echo(let text):
            output.standardOutput(text + "\n")
        case .setOutput(let format):
            state.withLock { $0.options.format = format }
        case .setConsistency(let consistency):
            state.withLock { $0.options.consistency = consistency }
        case .exit(let status):
            return .end(.exit(status))
        case .source(let path):
            return try await runSourced(path, from: origin).map { .end($0) } ?? .next
        case .complete(let line):
            // Completion lists profiles and networks from the secondary indexes.
            let completion = try await executor().withIndex(options.consistency, needsSecondaryIndexes: true) {
                Completer.complete(line, index: $0)
            }
            // One string grown in place: a line string per candidate, then their join, was two
            // allocations for each of the hundreds of IDs a short prefix lists at 1,000,000 endpoints.
            var lines = ""
            lines.reserveCapacity(completion.candidates.reduce(0) { $0 + $1.utf8.count + 1 })
            for candidate in completion.candidates {
                lines += DisplayEscaping.visible(candidate)
                lines += "\n"
            }
            output.standardOutput(lines)
        case .endpoint(.watch(let filter, let limits)):
            let output = self.output
            try await executor().watch(filter, limits: limits, format: options.format) { output.standardOutput($0) }
        case .endpoint(let command):
            return try await runEndpoint(command, from: origin)
        }
        return .next
    }

    private func runEndpoint(_ command: EndpointCommand, from origin: Origin) async throws -> Step {
        let options = self.options
        // At the terminal, a bulk edit shows how much it would change and asks first (see
        // `confirmationThreshold`), and its writing shows a progress bar; scripts never ask.
        let progress = ProgressReporter(
            enabled: origin.isInteractive || options.progress,
            output: output,
            after: .milliseconds(300)
        )
        let context = CommandContext(
            format: options.format,
            consistency: options.consistency,
            staged: batch,
            colour: options.colour,
            confirmAbove: origin.isInteractive ? Self.confirmationThreshold : nil,
            progress: { progress.report(written: $0, of: $1) }
        )
        let result: CommandResult
        do {
            if let answer = try await answerWhileLoading(command, context) {
                result = answer
            } else {
                result = try await executor().run(command, context)
            }
            progress.finish()
        } catch {
            progress.finish()  // ends the progress line before the error is printed under it
            throw error
        }
        for warning in result.warnings { output.standardError(DisplayEscaping.visible(warning) + "\n") }
        output.standardOutput(result.output)
        if let question = result.question,
            case .bulkEditProfiles(let filter, let action, let names, var flags) = command
        {
            flags.yes = true
            return .ask(question, then: .endpoint(.bulkEditProfiles(filter, action, names, flags)))
        }
        return .next
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
