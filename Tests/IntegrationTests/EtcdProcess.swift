import Foundation
import ShellCore

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
        dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("calico-shell-etcd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        log = dataDirectory.appendingPathComponent("etcd.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
    }

    func start(initialCluster: String, extraArguments: [String] = []) throws {
        arguments = [
            "--name", name, "--data-dir", dataDirectory.appendingPathComponent("data").path,
            "--listen-client-urls", url, "--advertise-client-urls", url,
            "--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL,
            "--initial-cluster", initialCluster, "--initial-cluster-token", "calico-shell-test",
        ] + (tls.map { ["--cert-file", $0.serverCertificate, "--key-file", $0.serverKey, "--trusted-ca-file", $0.caCertificate, "--client-cert-auth"] } ?? [])
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
        ["/usr/bin/etcd", "/usr/local/bin/etcd"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/etcd"
    }

    /// A client for this etcd, once it answers.
    func client(dialTimeout: Duration = .seconds(5), credentials: EtcdConfiguration.Credentials? = nil) async throws -> GRPCEtcdClient {
        let client = try GRPCEtcdClient(configuration: configuration(dialTimeout: dialTimeout, credentials: credentials))
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            do {
                _ = try await client.currentRevision()
                return client
            } catch {
                if ContinuousClock.now > deadline { throw error }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    func configuration(dialTimeout: Duration = .seconds(5), credentials: EtcdConfiguration.Credentials? = nil) throws -> EtcdConfiguration {
        EtcdConfiguration(endpoints: try EtcdConfiguration.parseEndpoints(url, source: "test"),
                          tls: tls.map { .init(caCertificate: $0.caCertificate, certificate: $0.clientCertificate, key: $0.clientKey) } ?? .init(),
                          credentials: credentials, dialTimeout: dialTimeout)
    }

    /// etcdctl against this member (for setting up users, compaction and the like).
    @discardableResult
    func etcdctl(_ arguments: [String]) throws -> String {
        var tlsArguments: [String] = []
        if let tls { tlsArguments = ["--cacert", tls.caCertificate, "--cert", tls.clientCertificate, "--key", tls.clientKey] }
        let output = try ClosingPipe()
        let process = try ChildProcess("/usr/bin/etcdctl", ["--endpoints", url] + tlsArguments + arguments,
                                       environment: ["ETCDCTL_API": "3", "PATH": "/usr/bin:/bin"],
                                       stdout: output.writeEnd, stderr: output.writeEnd)
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

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                guard bind(fd, pointer, length) == 0 else { return -1 }
                return getsockname(fd, pointer, &length)
            }
        }
        guard bound == 0 else { throw NSError(domain: "EtcdProcess", code: 1, userInfo: [NSLocalizedDescriptionKey: "no free port"]) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A 3-member cluster on loopback.
final class EtcdCluster {
    let members: [EtcdProcess]

    init(size: Int = 3) throws {
        members = try (0..<size).map { try EtcdProcess(name: "m\($0)", clientPort: EtcdProcess.freePort(), peerPort: EtcdProcess.freePort()) }
        let initial = members.map { "\($0.name)=\($0.peerURL)" }.joined(separator: ",")
        for member in members { try member.start(initialCluster: initial) }
    }

    var urls: String { members.map(\.url).joined(separator: ",") }

    func configuration() throws -> EtcdConfiguration {
        EtcdConfiguration(endpoints: try EtcdConfiguration.parseEndpoints(urls, source: "test"))
    }

    func stop() { members.forEach { $0.stop() } }
}
