import Foundation
import ShellCore
import Synchronization

/// A private etcd for one test case: free loopback ports, a temporary data folder, stopped by PID.
/// It can be killed and restarted on the same ports and data, be one member of a cluster, and
/// serve TLS.
final class EtcdProcess {
    let name: String
    let clientPort: Int
    let peerPort: Int
    let dataDirectory: URL
    let tls: TLSMaterial?
    private var process: ChildProcess?
    private let log: URL
    private var arguments: [String] = []

    var url: String { "\(tls == nil ? "http" : "https")://127.0.0.1:\(clientPort)" }
    var peerURL: String { "http://127.0.0.1:\(peerPort)" }

    /// A single-member etcd, started.
    convenience init(extraArguments: [String] = [], tls: TLSMaterial? = nil) throws {
        try self.init(name: "test", clientPort: EtcdProcess.freePort(), peerPort: EtcdProcess.freePort(), tls: tls)
        try start(initialCluster: "\(name)=\(peerURL)", extraArguments: extraArguments)
    }

    /// A member, not started yet (clusters start all members with one `--initial-cluster`).
    init(name: String, clientPort: Int, peerPort: Int, tls: TLSMaterial? = nil) throws {
        self.name = name
        self.clientPort = clientPort
        self.peerPort = peerPort
        self.tls = tls
        dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "calico-shell-etcd-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        log = dataDirectory.appendingPathComponent("etcd.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
    }

    func start(initialCluster: String, extraArguments: [String] = []) throws {
        arguments =
            [
                "--name", name, "--data-dir", dataDirectory.appendingPathComponent("data").path,
                "--listen-client-urls", url, "--advertise-client-urls", url,
                "--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL,
                "--initial-cluster", initialCluster, "--initial-cluster-token", "calico-shell-test",
            ]
            + (tls.map {
                [
                    "--cert-file", $0.serverCertificate, "--key-file", $0.serverKey, "--trusted-ca-file",
                    $0.caCertificate, "--client-cert-auth",
                ]
            } ?? [])
            + extraArguments
        try launch()
    }

    private func launch() throws {
        let log = open(self.log.path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard log >= 0 else { throw ChildProcessError.spawn(self.log.path, errno) }
        defer { close(log) }
        process = try ChildProcess(Self.etcdBinary, arguments, stdout: log, stderr: log)
    }

    /// Starts again after `kill()`/`terminate()`, on the same ports and data.
    func restart() throws {
        try launch()
    }

    static var etcdBinary: String {
        ["/usr/bin/etcd", "/usr/local/bin/etcd"].first { FileManager.default.isExecutableFile(atPath: $0) }
            ?? "/usr/bin/etcd"
    }

    /// A client for this etcd, once it answers.
    func client(
        dialTimeout: Duration = .seconds(5),
        credentials: EtcdConfiguration.Credentials? = nil
    ) async throws -> GRPCEtcdClient {
        let client = try GRPCEtcdClient(
            configuration: configuration(dialTimeout: dialTimeout, credentials: credentials)
        )
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            do {
                _ = try await client.currentRevision()
                return client
            } catch {
                if ContinuousClock.now > deadline {
                    throw NSError(
                        domain: "etcd",
                        code: 1,
                        userInfo: [NSLocalizedDescriptionKey: "\(error); etcd's log ends:\n\(logTail)"]
                    )
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    func configuration(
        dialTimeout: Duration = .seconds(5),
        credentials: EtcdConfiguration.Credentials? = nil
    ) throws -> EtcdConfiguration {
        EtcdConfiguration(
            endpoints: try EtcdConfiguration.parseEndpoints(url, source: "test"),
            tls: tls.map {
                .init(caCertificate: $0.caCertificate, certificate: $0.clientCertificate, key: $0.clientKey)
            } ?? .init(),
            credentials: credentials,
            dialTimeout: dialTimeout
        )
    }

    /// etcdctl against this member (for setting up users, compaction and the like); with `v2`, etcdctl
    /// speaks the v2 API (`ETCDCTL_API=2`, whose TLS flags have other names): an independent check of
    /// what calico-shell's v2 store wrote.
    @discardableResult
    func etcdctl(_ arguments: [String], v2: Bool = false) throws -> String {
        var tlsArguments: [String] = []
        if let tls {
            tlsArguments =
                v2
                ? ["--ca-file", tls.caCertificate, "--cert-file", tls.clientCertificate, "--key-file", tls.clientKey]
                : ["--cacert", tls.caCertificate, "--cert", tls.clientCertificate, "--key", tls.clientKey]
        }
        let output = try ClosingPipe()
        let process = try ChildProcess(
            "/usr/bin/etcdctl",
            ["--endpoints", url] + tlsArguments + arguments,
            environment: ["ETCDCTL_API": v2 ? "2" : "3", "PATH": "/usr/bin:/bin"],
            stdout: output.writeEnd,
            stderr: output.writeEnd
        )
        close(output.writeEnd)
        let text = String(decoding: ClosingPipe.readAll(output.readEnd), as: UTF8.self)
        close(output.readEnd)
        let status = process.wait(seconds: 30)
        guard status == 0 else {
            process.signal(SIGKILL)
            throw NSError(domain: "etcdctl", code: Int(status ?? -1), userInfo: [NSLocalizedDescriptionKey: text])
        }
        return text
    }

    /// SIGKILL, data kept: a crash.
    func kill() {
        guard let process, process.isRunning else { return }
        process.signal(SIGKILL)
        process.wait()
    }

    /// SIGSTOP: etcd keeps its sockets open but answers nothing, as a hung member would.
    func freeze() { process?.signal(SIGSTOP) }

    /// SIGCONT after `freeze()`.
    func thaw() { process?.signal(SIGCONT) }

    /// Stops etcd by its PID (SIGTERM, then SIGKILL after 5 s) and removes its data.
    func stop() {
        if let process, process.isRunning {
            process.signal(SIGTERM)
            if process.wait(seconds: 5) == nil {
                process.signal(SIGKILL)
                process.wait()
            }
        }
        try? FileManager.default.removeItem(at: dataDirectory)
    }

    deinit { stop() }

    /// A free loopback port below the kernel's ephemeral range. Ports in that range can be taken
    /// by any outgoing connection, or by a client's connect to itself (TCP simultaneous open) while
    /// it retries a stopped etcd, and a restart on the same port would then fail. Never the same
    /// port twice in one test run.
    static func freePort() throws -> Int {
        let ephemeralStart =
            (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))
            .flatMap { $0.split(whereSeparator: \.isWhitespace).first }.flatMap { Int($0) } ?? 32_768
        for _ in 0..<500 {
            let port = Int.random(in: 10_000..<max(ephemeralStart, 10_001))
            guard handedOut.withLock({ $0.insert(port).inserted }), canBind(port) else { continue }
            return port
        }
        throw NSError(domain: "EtcdProcess", code: 1, userInfo: [NSLocalizedDescriptionKey: "no free port"])
    }

    private static let handedOut = Mutex<Set<Int>>([])

    private static func canBind(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// The end of etcd's log, for failure messages.
    var logTail: String {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(5).joined(separator: "\n")
    }
}

/// A 3-member cluster on loopback.
final class EtcdCluster {
    let members: [EtcdProcess]

    /// With `enableV2`, every member serves etcd's v2 API too (`--enable-v2=true`).
    init(size: Int = 3, enableV2: Bool = false) throws {
        members = try (0..<size).map {
            try EtcdProcess(name: "m\($0)", clientPort: EtcdProcess.freePort(), peerPort: EtcdProcess.freePort())
        }
        let initial = members.map { "\($0.name)=\($0.peerURL)" }.joined(separator: ",")
        for member in members {
            try member.start(initialCluster: initial, extraArguments: enableV2 ? ["--enable-v2=true"] : [])
        }
    }

    var urls: String { members.map(\.url).joined(separator: ",") }

    func configuration() throws -> EtcdConfiguration {
        EtcdConfiguration(endpoints: try EtcdConfiguration.parseEndpoints(urls, source: "test"))
    }

    func stop() { for member in members { member.stop() } }
}
