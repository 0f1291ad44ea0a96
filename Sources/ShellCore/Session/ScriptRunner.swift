#if canImport(Glibc)
import Glibc
#endif

/// How a run behaves, from the command line.
public struct RunOptions: Sendable {
    /// Go on after a failing command (the run still exits 1). Off by default: a script stops at its
    /// first error, as `psql -v ON_ERROR_STOP=1` and `sqlite3 -bail` do.
    public var continueOnError = false
    /// Print each command (prefixed with `> `) before its output, for logs.
    public var echo = false
    public var format = OutputFormat.table
    /// Errors print without a `FILE:LINE:` prefix and never stop the loop.
    public var interactive = false
    /// Stage every edit and commit them all at the end in one transaction, or nothing.
    public var atomic = false

    public init(continueOnError: Bool = false, echo: Bool = false, format: OutputFormat = .table, interactive: Bool = false, atomic: Bool = false) {
        self.continueOnError = continueOnError
        self.echo = echo
        self.format = format
        self.interactive = interactive
        self.atomic = atomic
    }
}

/// The one loop every input goes through (terminal, script file, `-c`, stdin): read a line, join
/// continuations, parse, run, print, flush; stop at the first error unless told otherwise.
public final class ScriptRunner {
    public enum Outcome: Equatable, Sendable {
        /// Every line was read.
        case finished
        /// A command failed and the run stops there.
        case stopped
        /// `exit N`.
        case exit(Int32)
    }

    private let output: any OutputWriter
    private let executor: @Sendable () async throws -> Executor
    public private(set) var options: RunOptions
    /// Commands that failed so far.
    public private(set) var failures = 0
    /// Scripts being run, for `source` cycle detection.
    private var sourceStack: [String] = []
    /// With `--atomic`: the edits staged so far.
    private let batch: AtomicBatch?

    public init(options: RunOptions, output: any OutputWriter, executor: @escaping @Sendable () async throws -> Executor) {
        self.options = options
        self.output = output
        self.executor = executor
        self.batch = options.atomic ? AtomicBatch() : nil
    }

    /// Ends a run: with `--atomic`, commits the staged edits as one transaction when everything
    /// succeeded, and otherwise says that nothing was written. Returns the exit status.
    public func finish(_ outcome: Outcome) async -> Int32 {
        let status = exitStatus(for: outcome)
        guard let batch, !batch.isEmpty else { return status }
        guard status == 0 else {
            output.standardError("--atomic: nothing was written (\(batch.endpointCount) endpoint(s) staged)\n")
            return status
        }
        do {
            _ = try await executor().commit(batch)
            return 0
        } catch {
            output.standardError("\(Executor.shellError(error))\n")
            return 1
        }
    }

    /// The process exit status for a run that ended with `outcome`.
    public func exitStatus(for outcome: Outcome) -> Int32 {
        if case .exit(let status) = outcome { return status }
        return failures > 0 ? 1 : 0
    }

    public func run(_ source: inout some LineSource) async -> Outcome {
        if let path = source.path { sourceStack.append(Self.canonicalPath(path)) }
        defer { if source.path != nil { sourceStack.removeLast() } }
        while let line = readLogicalLine(from: &source) {
            let outcome = await runLine(line, source: source)
            if let outcome { return outcome }
        }
        return .finished
    }

    /// Joins lines ending in an unescaped backslash with the next one.
    private func readLogicalLine(from source: inout some LineSource) -> SourceLine? {
        guard var line = source.readLine() else { return nil }
        while line.overlongBytes == nil, Self.endsWithContinuation(line.text), let next = source.readLine() {
            line.text.removeLast()
            if let overlong = next.overlongBytes { line.overlongBytes = overlong; break }
            line.text += next.text
        }
        return line
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
    public func runLine(_ line: SourceLine, source: some LineSource) async -> Outcome? {
        do {
            if let bytes = line.overlongBytes {
                throw ShellError.syntax("line is \(bytes) bytes long; the limit is \(maximumLineLength)")
            }
            let command = try CommandParser.parse(line.text)
            if command == .nothing { return nil }
            if options.echo { output.standardOutput("> \(line.text.trimmingLeadingBlanks)\n") }
            return try await execute(command, source: source)
        } catch {
            let shellError = Executor.shellError(error)
            failures += 1
            report(shellError, at: line, source: source)
            if options.interactive || options.continueOnError { return nil }
            return .stopped
        }
    }

    private func report(_ error: ShellError, at line: SourceLine, source: some LineSource) {
        if case .nestedFailure = error { return }
        let message = error.description
        if options.interactive {
            output.standardError("\(message)\n")
        } else {
            output.standardError("\(source.name):\(line.number): \(message)\n")
        }
    }

    private func execute(_ command: Command, source: some LineSource) async throws -> Outcome? {
        switch command {
        case .nothing:
            return nil
        case .help(let topic):
            output.standardOutput(try Self.help(topic))
        case .echo(let text):
            output.standardOutput(text + "\n")
        case .setOutput(let format):
            options.format = format
        case .exit(let status):
            return .exit(status)
        case .source(let path):
            return try await runSourced(path, from: source)
        case .complete(let line):
            let index = try await executor().freshIndex()
            let completion = Completer.complete(line, index: index)
            output.standardOutput(completion.candidates.map { $0 + "\n" }.joined())
        case .showEndpoints, .showProfiles, .editProfiles:
            let result = try await executor().run(command, format: options.format, batch: batch)
            for warning in result.warnings { output.standardError(warning + "\n") }
            output.standardOutput(result.output)
        }
        return nil
    }

    static func help(_ topic: String?) throws(ShellError) -> String {
        switch topic {
        case nil: return HelpText.overview
        case "endpoint"?: return HelpText.endpoint
        case let other?:
            if CommandParser.commandWords.contains(other) { return HelpText.overview }
            throw .usage("No help for '\(Validation.printable(other))': try 'help' or 'help endpoint'\(Suggestion.hint(for: other, in: CommandParser.commandWords))")
        }
    }

    private func runSourced(_ path: String, from parent: some LineSource) async throws -> Outcome? {
        let resolved = path.hasPrefix("/") ? path : (parent.directory == "." ? path : parent.directory + "/" + path)
        let canonical = Self.canonicalPath(resolved)
        if sourceStack.contains(canonical) {
            throw ShellError.script("source: \(path) is already being run (a cycle: \((sourceStack + [canonical]).joined(separator: " -> ")))")
        }
        var nested = try StreamLineSource(path: resolved)
        let failuresBefore = failures
        let outcome = await run(&nested)
        switch outcome {
        case .finished:
            return nil
        case .exit:
            return outcome
        case .stopped:
            // The nested script already reported its own FILE:LINE; the `source` line fails with it.
            failures = failuresBefore
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
