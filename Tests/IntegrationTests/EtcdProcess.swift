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
    private var process: Process?
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.etcdBinary)
        process.arguments = arguments
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/etcdctl")
        var tlsArguments: [String] = []
        if let tls { tlsArguments = ["--cacert", tls.caCertificate, "--cert", tls.clientCertificate, "--key", tls.clientKey] }
        process.arguments = ["--endpoints", url] + tlsArguments + arguments
        process.environment = ["ETCDCTL_API": "3", "PATH": "/usr/bin:/bin"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "etcdctl", code: Int(process.terminationStatus), userInfo: [NSLocalizedDescriptionKey: text])
        }
        return text
    }

    /// SIGKILL, data kept: a crash.
    func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Stops etcd by its PID (SIGTERM, then SIGKILL) and removes its data.
    func stop() {
        if let process, process.isRunning {
            Glibc.kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
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

/// Certificates made with openssl at test time: a CA, a server certificate for 127.0.0.1 and a
/// client certificate, plus a second CA that signed nothing here (an untrusted one).
struct TLSMaterial {
    let folder: URL
    var caCertificate: String { folder.appendingPathComponent("ca.pem").path }
    var otherCACertificate: String { folder.appendingPathComponent("other-ca.pem").path }
    var serverCertificate: String { folder.appendingPathComponent("server.pem").path }
    var serverKey: String { folder.appendingPathComponent("server-key.pem").path }
    var clientCertificate: String { folder.appendingPathComponent("client.pem").path }
    var clientKey: String { folder.appendingPathComponent("client-key.pem").path }

    static func make() throws -> TLSMaterial {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("calico-shell-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let script = """
            set -e
            cd '\(folder.path)'
            openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=test-ca -keyout ca-key.pem -out ca.pem 2>/dev/null
            openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=other-ca -keyout other-ca-key.pem -out other-ca.pem 2>/dev/null
            printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nextendedKeyUsage=serverAuth,clientAuth\\n' > server.ext
            openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server-key.pem -out server.csr 2>/dev/null
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 -extfile server.ext -out server.pem 2>/dev/null
            printf 'extendedKeyUsage=clientAuth\\n' > client.ext
            openssl req -newkey rsa:2048 -nodes -subj /CN=root -keyout client-key.pem -out client.csr 2>/dev/null
            openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 -extfile client.ext -out client.pem 2>/dev/null
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "openssl", code: Int(process.terminationStatus), userInfo: [NSLocalizedDescriptionKey: "openssl failed"])
        }
        return TLSMaterial(folder: folder)
    }
}

/// Runs the built `calico-shell` binary.
enum ShellBinary {
    static var path: String {
        // Tests run from the package root; the binary sits next to the test bundle.
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent("calico-shell").path,
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent(".build/debug/calico-shell").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[1]
    }

    struct Result {
        var status: Int32
        var output: String
        var errors: String
    }

    static func run(_ arguments: [String], input: String? = nil, environment: [String: String] = [:], executable: String? = nil) throws -> Result {
        let shell = try RunningShell(arguments, environment: environment, executable: executable)
        if let input { shell.send(Data(input.utf8)) }
        try shell.closeInput()
        return shell.finish()
    }
}

/// A `calico-shell` process with its three streams on pipes, killed by a watchdog if it hangs.
final class RunningShell {
    let process = Process()
    let input = Pipe(), output = Pipe(), errors = Pipe()
    private var watchdog: Watchdog?

    init(_ arguments: [String], environment: [String: String] = [:], executable: String? = nil, seconds: Double = 60) throws {
        process.executableURL = URL(fileURLWithPath: executable ?? ShellBinary.path)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for key in ["ETCD_ENDPOINTS", "ETCD_AUTHORITY", "ETCD_SCHEME", "ETCD_USERNAME", "ETCD_PASSWORD"] { env[key] = nil }
        env.merge(environment) { $1 }
        process.environment = env
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        watchdog = Watchdog(process: process, seconds: seconds)
    }

    deinit { watchdog?.disarm() }

    func send(_ data: Data) { input.fileHandleForWriting.write(data) }

    func closeInput() throws { try input.fileHandleForWriting.close() }

    /// Reads stdout and stderr to their end (on two threads, so a full pipe cannot block the
    /// child) and waits for the process to exit.
    func finish() -> ShellBinary.Result {
        let errorReader = Thread.detachNewThreadReturning { [errors] in errors.fileHandleForReading.readDataToEndOfFile() }
        let outputRead = output.fileHandleForReading.readDataToEndOfFile()
        let errorsRead = errorReader.wait()
        process.waitUntilExit()
        watchdog?.disarm()
        return ShellBinary.Result(status: process.terminationStatus, output: String(decoding: outputRead, as: UTF8.self),
                                  errors: String(decoding: errorsRead, as: UTF8.self))
    }
}

/// Kills a child process that outlives its time, so a hang fails one test instead of the whole run.
final class Watchdog: @unchecked Sendable {
    private let item: DispatchWorkItem

    init(process: Process, seconds: Double) {
        let pid = process.processIdentifier
        item = DispatchWorkItem {
            FileHandle.standardError.write(Data("watchdog: killing pid \(pid) after \(seconds) s\n".utf8))
            Glibc.kill(pid, SIGKILL)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: item)
    }

    func disarm() { item.cancel() }
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
    static func detachNewThreadReturning<Value: Sendable>(_ body: @escaping @Sendable () -> Value) -> ThreadResult<Value> {
        let result = ThreadResult<Value>()
        Thread.detachNewThread { result.set(body()) }
        return result
    }
}
