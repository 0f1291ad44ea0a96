import Foundation
import ShellCore

/// A private etcd for one test case: a free loopback port, a temporary data folder, stopped by PID.
final class EtcdProcess {
    let clientPort: Int
    let peerPort: Int
    let dataDirectory: URL
    private let process: Process
    private let log: URL

    var url: String { "http://127.0.0.1:\(clientPort)" }

    init(extraArguments: [String] = []) throws {
        clientPort = try Self.freePort()
        peerPort = try Self.freePort()
        dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("calico-shell-etcd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        log = dataDirectory.appendingPathComponent("etcd.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: Self.etcdBinary)
        let peer = "http://127.0.0.1:\(peerPort)"
        process.arguments = [
            "--name", "test", "--data-dir", dataDirectory.appendingPathComponent("data").path,
            "--listen-client-urls", url, "--advertise-client-urls", url,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", "test=\(peer)",
        ] + extraArguments
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
    }

    static var etcdBinary: String {
        ["/usr/bin/etcd", "/usr/local/bin/etcd"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "/usr/bin/etcd"
    }

    /// A client for this etcd, once it answers.
    func client(dialTimeout: Duration = .seconds(5)) async throws -> GRPCEtcdClient {
        let client = try GRPCEtcdClient(configuration: configuration(dialTimeout: dialTimeout))
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

    func configuration(dialTimeout: Duration = .seconds(5)) throws -> EtcdConfiguration {
        EtcdConfiguration(endpoints: try EtcdConfiguration.parseEndpoints(url, source: "test"), dialTimeout: dialTimeout)
    }

    /// Stops etcd by its PID (SIGTERM, then SIGKILL) and removes its data.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable ?? path)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for key in ["ETCD_ENDPOINTS", "ETCD_AUTHORITY", "ETCD_SCHEME", "ETCD_USERNAME", "ETCD_PASSWORD"] { env[key] = nil }
        env.merge(environment) { $1 }
        process.environment = env
        let stdout = Pipe(), stderr = Pipe(), stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        // Read both pipes to the end before waiting, so a large output cannot block the child.
        let errorReader = Thread.detachNewThreadReturning { stderr.fileHandleForReading.readDataToEndOfFile() }
        let outputRead = stdout.fileHandleForReading.readDataToEndOfFile()
        let errorsRead = errorReader.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: outputRead, as: UTF8.self),
                      errors: String(decoding: errorsRead, as: UTF8.self))
    }
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
