import ArgumentParser
import NIOCore
import NIOPosix
import ShellCore
import ShellDevTools

/// `calico-shell-dev`: what developers, `scripts/demo`, `scripts/bench` and the tests need around
/// calico-shell, kept out of the shipped binary: loading demo and synthetic data, and the raw
/// etcd baseline the benchmarks compare with.
@main
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calico-shell-dev",
        abstract: "Developer tools for calico-shell: sample data and raw etcd benchmarks.",
        discussion: """
            Not installed with calico-shell. Examples:
              calico-shell-dev load-demo --endpoints http://127.0.0.1:2379
              calico-shell-dev load --count 100000 --hosts 500
              calico-shell-dev raw-benchmark get --count 2000
              calico-shell-dev churn --count 100000 --hosts 500 --rate 2000 --duration 60
              calico-shell-dev churn --count 100000 --hosts 500 --burst 100000 --marker-profile done
              calico-shell-dev watch-count --events 100001
            """,
        subcommands: [
            LoadDemo.self, LoadSynthetic.self, RawBenchmarkCommand.self, ChurnCommand.self, WatchCountCommand.self,
        ]
    )

    static func main() async {
        // NIO's event loops run the async work, as in calico-shell's scripts and pipes
        // (`ShellMain.run`): the raw baselines must run the client as the shell does.
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await main(nil)
    }
}

/// Where the data goes: the same `--endpoints`, `ETCD_*` variables and key prefix as calico-shell.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "etcd members, comma-separated (default: $ETCD_ENDPOINTS, else http://127.0.0.1:2379).",
            valueName: "URL[,URL...]"
        )
    )
    var endpoints: String?

    @Option(name: .long, help: ArgumentHelp("Key prefix of the Calico data.", valueName: "PREFIX"))
    var prefix: String = "/calico/v1"

    @Option(name: .long, help: ArgumentHelp("CA certificate of etcd's server certificate.", valueName: "FILE"))
    var cacert: String?

    @Option(name: .long, help: ArgumentHelp("Client certificate for mutual TLS.", valueName: "FILE"))
    var cert: String?

    @Option(name: .long, help: ArgumentHelp("Client key for mutual TLS.", valueName: "FILE"))
    var key: String?

    @Option(name: .long, help: ArgumentHelp("etcd user and password.", valueName: "USER:PASSWORD"))
    var user: String?

    @Option(name: .long, help: ArgumentHelp("Which etcd API to write and read.", valueName: "etcdv3|etcdv2"))
    var datastore: String = "etcdv3"

    var layout: KeyLayout { KeyLayout(prefix: prefix) }

    /// A connected client; the caller shuts it down.
    func store() throws -> any KeyValueStore {
        let environment = ProcessEnvironment.current
        let endpoints = try EtcdConfiguration.resolveEndpoints(option: endpoints, environment: environment)
        var credentials: EtcdConfiguration.Credentials?
        if let user {
            guard let colon = user.firstIndex(of: ":") else {
                throw ValidationError("--user needs USER:PASSWORD")
            }
            credentials = .init(user: String(user[..<colon]), password: String(user[user.index(after: colon)...]))
        }
        let kind = try DatastoreKind.parse(datastore, source: "--datastore")
        let configuration = EtcdConfiguration(
            endpoints: endpoints,
            tls: .init(caCertificate: cacert, certificate: cert, key: key),
            credentials: credentials,
            datastore: kind
        )
        try configuration.validate()
        return try DatastoreDetection.makeStore(kind, configuration: configuration)
    }

    /// Runs `body` with a client, shutting it down however `body` ends. Failures are one line on
    /// stderr and exit status 1.
    func withStore(_ body: (any KeyValueStore) async throws -> Void) async throws {
        let store = try store()
        do {
            try await body(store)
            await store.shutdown()
        } catch {
            await store.shutdown()
            StandardStreams().standardError("calico-shell-dev: \(Executor.shellError(error))\n")
            throw ExitCode.failure
        }
    }
}

struct LoadDemo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load-demo",
        abstract: "Write the demo data: the reference page's endpoints and profiles, and 300 more endpoints.",
        discussion: "Idempotent: loading twice leaves the same data."
    )

    @OptionGroup var store: StoreOptions

    func run() async throws {
        try await store.withStore { client in
            try await BulkLoader.load(SampleData.demo(layout: store.layout), into: client)
        }
    }
}

struct LoadSynthetic: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Write N synthetic endpoints (deterministic, for benchmarks) in batched transactions."
    )

    @OptionGroup var store: StoreOptions

    // Numbers are taken as they come (`.unconditional`): `-1` is a bad value, not a missing one.
    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Endpoints to write.", valueName: "N"))
    var count: Int

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Hosts to spread them over.", valueName: "N"))
    var hosts: Int = 500

    func validate() throws {
        guard (0...10_000_000).contains(count) else { throw ValidationError("--count must be 0 to 10000000") }
        guard (1...1_000_000).contains(hosts) else { throw ValidationError("--hosts must be 1 to 1000000") }
    }

    func run() async throws {
        try await store.withStore { client in
            let clock = ContinuousClock()
            let start = clock.now
            let pairs = SampleData.synthetic(count: count, hosts: hosts, layout: store.layout)
            let generated = clock.now
            try await BulkLoader.load(pairs, into: client)
            let end = clock.now
            let bytes = pairs.reduce(0) { $0 + $1.key.utf8.count + $1.value.count }
            // On stderr, so that scripts reading stdout see nothing new; the bench prints it.
            StandardStreams().standardError(
                "calico-shell-dev: loaded \(pairs.count) keys (\(bytes >> 20) MiB) in "
                    + "\(Churn.seconds(end - start).formatted2) s "
                    + "(generating them \(Churn.seconds(generated - start).formatted2) s, "
                    + "\(BulkLoader.operationsPerTransaction) puts per transaction)\n"
            )
        }
    }
}

extension RawBenchmark.Operation: ExpressibleByArgument {}

struct RawBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raw-benchmark",
        abstract: "Time raw etcd calls from one keep-alive client; prints 'MEAN_US P50_US'.",
        discussion: "The baseline scripts/bench compares calico-shell with: the same client, nothing around it."
    )

    @OptionGroup var store: StoreOptions

    @Argument(
        help: ArgumentHelp(
            "A linearizable read or a write of one key, or a read of every key under --bench-key.",
            valueName: "get|put|range"
        )
    )
    var operation: RawBenchmark.Operation

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Calls to time.", valueName: "N"))
    var count: Int = 1_000

    // Not `--key`: that is the TLS client key, as in calico-shell.
    @Option(name: .long, help: ArgumentHelp("The key read or written.", valueName: "KEY"))
    var benchKey: String = "/calico/bench/raw"

    func validate() throws {
        guard (1...10_000_000).contains(count) else { throw ValidationError("--count must be 1 to 10000000") }
    }

    func run() async throws {
        try await store.withStore { client in
            let figures = try await RawBenchmark.run(operation, count: count, key: benchKey, store: client)
            StandardStreams().standardOutput("\(figures.meanMicroseconds) \(figures.medianMicroseconds)\n")
        }
    }
}

extension Double {
    /// Two decimals, without Foundation's formatters.
    var formatted2: String {
        let hundredths = Int((self * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

struct ChurnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "churn",
        abstract: "Change existing synthetic endpoints (of `load`) at a steady rate, or in one burst.",
        discussion: """
            Prints 'CHANGES SECONDS' when done. --rate N: N changes per second for --duration seconds, \
            in transactions of --batch puts. --burst N: N changes as fast as etcd takes them (batched transactions), \
            then, with --marker-profile, one last change giving the first endpoint that profile.
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Endpoints seeded by `load`.", valueName: "N"))
    var count: Int

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Hosts given to `load`.", valueName: "N"))
    var hosts: Int = 500

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Changes per second.", valueName: "N"))
    var rate: Int?

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Seconds to keep --rate up.", valueName: "S"))
    var duration: Int = 60

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Puts per transaction of --rate.", valueName: "N"))
    var batch: Int = 1

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Changes in one burst.", valueName: "N"))
    var burst: Int?

    @Option(name: .long, help: ArgumentHelp("Profile of the burst's last change.", valueName: "NAME"))
    var markerProfile: String?

    func validate() throws {
        guard (rate == nil) != (burst == nil) else { throw ValidationError("give one of --rate and --burst") }
        guard (1...10_000_000).contains(count) else { throw ValidationError("--count must be 1 to 10000000") }
        guard (1...1_000_000).contains(hosts) else { throw ValidationError("--hosts must be 1 to 1000000") }
        if let rate, !(1...1_000_000).contains(rate) { throw ValidationError("--rate must be 1 to 1000000") }
        if let burst, !(1...10_000_000).contains(burst) { throw ValidationError("--burst must be 1 to 10000000") }
        guard duration >= 1 else { throw ValidationError("--duration must be at least 1") }
        guard (1...128).contains(batch) else { throw ValidationError("--batch must be 1 to 128") }
    }

    func run() async throws {
        try await store.withStore { client in
            let figures: Churn.Figures
            if let rate {
                figures = try await Churn.paced(
                    rate: rate,
                    changes: .max,
                    duration: .seconds(duration),
                    endpoints: count,
                    hosts: hosts,
                    layout: store.layout,
                    store: client,
                    batch: batch
                )
            } else {
                let marker = markerProfile.map { profile in
                    var pair = SampleData.syntheticEndpoint(0, hosts: hosts, layout: store.layout)
                    pair.value = SampleData.endpointValue(name: "marker", mac: nil, profiles: [profile], ipv4: [])
                    return pair
                }
                figures = try await Churn.burst(
                    changes: burst ?? 0,
                    endpoints: count,
                    hosts: hosts,
                    layout: store.layout,
                    marker: marker,
                    store: client
                )
            }
            StandardStreams().standardOutput("\(figures.changes) \(figures.seconds.formatted2)\n")
        }
    }
}

struct WatchCountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch-count",
        abstract: "Watch the endpoints and count events: the raw baseline of how fast changes arrive.",
        discussion: "Prints 'ready' once the watch is created, and 'done N' when N >= --events events arrived."
    )

    @OptionGroup var store: StoreOptions

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Events to wait for.", valueName: "N"))
    var events: Int

    func run() async throws {
        try await store.withStore { client in
            let output = StandardStreams()
            let seen = try await WatchCounter.run(
                prefix: store.layout.prefix + "/",
                count: events,
                store: client,
                ready: { output.standardOutput("ready\n") }
            )
            output.standardOutput("done \(seen)\n")
        }
    }
}
