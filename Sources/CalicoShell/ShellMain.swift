import ArgumentParser
import NIOCore
import NIOPosix
import ShellCore

#if canImport(Glibc)
import Glibc
#endif

/// Entry point: parse arguments, connect lazily, pick the line source, run the one loop, exit.
@main
enum ShellMain {
    static func main() async {
        SignalHandling.install()
        let options: CalicoShellOptions
        do {
            options = try CalicoShellOptions.parseReportingUnknownOptionsFirst()
        } catch {
            let code = CalicoShellOptions.exitCode(for: error)
            if code == .success {
                print(CalicoShellOptions.fullMessage(for: error))
                exit(0)
            }
            // One line, then where to read more. Bad arguments to calico-shell itself are exit
            // status 2, as documented.
            let lines = CalicoShellOptions.message(for: error).split(separator: "\n")
            let message = DisplayEscaping.visible(lines.first.map(String.init) ?? "bad arguments")
            StandardStreams().standardError("calico-shell: \(message) (see calico-shell --help)\n")
            exit(2)
        }
        let status = await run(options)
        if status == SignalHandling.closedPipeStatus { SignalHandling.endByClosedPipe() }
        exit(status)
    }

    static func run(_ options: CalicoShellOptions) async -> Int32 {
        let output = StandardStreams()
        let environment = ProcessEnvironment.current
        let interactive =
            (options.script ?? options.file) == nil && options.commands.isEmpty
            && isatty(0) == 1 && isatty(1) == 1
        if !interactive {
            // Scripts, `-c` and pipes run their async work on NIO's event loops instead of hopping
            // between them and Swift's thread pool for every etcd call: measured 20-35% less CPU and
            // latency per call on 2 cores. Their input never blocks a loop: a read that would wait
            // (a pipe whose writer is silent) waits off the loop (`InputReadiness`). The terminal's
            // line editor blocks its thread, so an interactive shell keeps Swift's pool.
            NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }

        if interactive && options.atomic {
            output.standardError(
                "calico-shell: --atomic is for scripts: give a SCRIPT, -c commands or commands on stdin\n"
            )
            return 2
        }
        if interactive && options.dryRun {
            output.standardError(
                "calico-shell: --dry-run is for scripts: give a SCRIPT, -c commands or commands on stdin "
                    + "(at the prompt, add --dry-run to an edit)\n"
            )
            return 2
        }
        if options.showConfig { return ShowConfig.run(options, environment: environment, output: output) }
        let configuration: EtcdConfiguration
        do {
            configuration = try ConnectionSettings.configuration(
                from: options,
                environment: environment,
                interactive: interactive
            )
        } catch {
            output.standardError("calico-shell: \(error)\n")
            return 2
        }
        if configuration.tls.skipVerify {
            output.standardError(
                "warning: --insecure-skip-tls-verify: etcd's certificate is not checked; "
                    + "anyone on the path can read and change what this shell sends\n"
            )
        }
        // Configuration that only connecting would reject (a host that does not resolve, a file that
        // is no certificate) is a bad argument too: found here, before any command runs.
        // One-shot summaries need keys only, about a third of the bytes: they take larger pages too.
        let keysOnly = Self.onlySummaries(options.commands)
        // The datastore: the one a setting names, else detected on first use (etcd v3 when it holds the
        // prefix, else v2 when that does). `--atomic` needs it known before the script runs.
        let store: any KeyValueStore
        do {
            store =
                try configuration.datastore.map { try DatastoreDetection.makeStore($0, configuration: configuration) }
                ?? DetectingStore(configuration: configuration, prefix: options.prefix)
        } catch {
            output.standardError("calico-shell: \(DisplayEscaping.visible(String(describing: error)))\n")
            return 2
        }
        if options.atomic, await Self.datastore(of: store, configured: configuration.datastore) == .etcdv2 {
            output.standardError(
                "calico-shell: --atomic needs a transaction over several keys, which etcd's v2 API "
                    + "(datastore etcdv2) does not have; nothing was written\n"
            )
            await store.shutdown()
            return 2
        }
        let session = Session(
            configuration: configuration,
            layout: KeyLayout(prefix: options.prefix),
            showProgress: interactive || options.progress,
            output: output,
            keysOnly: keysOnly,
            // Keys only: one page (falling back to pages when etcd's answer is too large for gRPC's
            // limit). etcd 3.4 walks the whole range's index for every page; at 1,000,000 endpoints
            // one page made a one-shot summary 3.14 -> 2.90 s (etcdctl 2.85-4.28 s).
            pageSize: keysOnly ? 0 : Int64(options.pageSize),
            makeStore: { _ in store }
        )
        // No close at the end: the process exits right after the run, and the kernel closes the
        // connection at once; a graceful gRPC shutdown would only make every run wait for its watch.
        // Configuration that only connecting would reject (a host name that does not resolve) is a
        // bad argument too: the client is made here, before any command runs (it connects lazily).
        do {
            _ = try await session.connection()
        } catch {
            output.standardError("calico-shell: \(DisplayEscaping.visible(String(describing: error)))\n")
            return 2
        }

        let runOptions = RunOptions(
            continueOnError: options.continueOnError,
            echo: options.echo,
            format: options.output,
            atomic: options.atomic,
            consistency: options.consistency,
            dryRun: options.dryRun,
            colour: isatty(1) == 1 && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb",
            progress: isatty(2) == 1 || options.progress
        )
        let runner = ScriptRunner(
            options: runOptions,
            output: output,
            executor: { try await session.executor() },
            answerWhileLoading: { try await session.answerWhileLoading($0, $1) }
        )

        if interactive {
            return await InteractiveShell(
                runner: runner,
                session: session,
                options: options,
                output: output,
                datastore: {
                    guard let detecting = store as? DetectingStore else {
                        return (configuration.datastore ?? .etcdv3).apiName + ", chosen"
                    }
                    return detecting.detected?.summary ?? "etcd v3 API, detected"
                }
            ).run()
        }
        let outcome: ScriptRunner.Outcome
        if !options.commands.isEmpty {
            var source = CommandsLineSource(options.commands)
            outcome = await runner.run(&source)
        } else if let path = options.script ?? options.file, path != "-" {
            do {
                var source = try StreamLineSource(path: path)
                outcome = await runner.run(&source)
            } catch {
                output.standardError("calico-shell: \(error)\n")
                return 1
            }
        } else {
            // No script, or `-`: standard input, as most Unix tools read it.
            var source = StreamLineSource()
            outcome = await runner.run(&source)
        }
        let status = await runner.finish(outcome)
        // Never freed: the process exits right after, and tearing down the index record by record
        // only delays that exit (about 10 ms for 100,000 endpoints, at the end of every one-shot run).
        _ = Unmanaged.passRetained(session)
        if case .outputFailed(let failure) = outcome, failure.isClosedPipe { return SignalHandling.closedPipeStatus }
        return status
    }
}

extension ShellMain {
    /// The API `store` speaks: the configured one, else detected now.
    static func datastore(of store: any KeyValueStore, configured: DatastoreKind?) async -> DatastoreKind? {
        if let configured { return configured }
        return try? await (store as? DetectingStore)?.choice().kind
    }

    /// Whether the `-c` commands only ask for summary tables (and builtins that read nothing), so
    /// that the index can be loaded without values: the light path for one-shot runs.
    static func onlySummaries(_ commands: [String]) -> Bool {
        guard !commands.isEmpty else { return false }
        var sawSummary = false
        for text in commands.flatMap({ $0.split(whereSeparator: \.isNewline) }) {
            switch try? CommandParser.parse(String(text)) {
            case .endpoint(.showEndpoints(let filter, detailed: false, wide: _))? where !filter.needsValues:
                sawSummary = true
            case .echo?, .nothing?, .help?: continue
            default: return false
            }
        }
        return sawSummary
    }
}
