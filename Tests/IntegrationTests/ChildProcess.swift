import Foundation

/// A child process started with `posix_spawn` and reaped with `waitpid`: what the tests use to run
/// etcd, etcdctl, openssl and `calico-shell`.
///
/// Why not Foundation's `Process`: on Linux it learns of a child's exit through one shared manager
/// thread and a run loop polled by `waitUntilExit()`, and it works out which descriptors to close
/// in the child before spawning, so two launches on two threads can leak one child's pipe ends into
/// the other. A suite that starts a few hundred processes from async tests can then hang for good.
/// Here every descriptor the tests make is close-on-exec, the child gets exactly stdin, stdout and
/// stderr, and only this object ever waits for its pid.
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    private let lock = NSLock()
    /// Held while spawning and while making a pipe (see `ClosingPipe`).
    static let spawnLock = NSLock()
    private var waitStatus: Int32?

    /// Starts `executable`. A nil descriptor means /dev/null. The caller keeps (and closes) its own
    /// descriptors; the child gets duplicates.
    init(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        stdin: Int32? = nil,
        stdout: Int32? = nil,
        stderr: Int32? = nil
    ) throws {
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        guard null >= 0 else { throw ChildProcessError.spawn(executable, errno) }
        defer { close(null) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 clears close-on-exec on the copy, so exactly these three reach the child.
        posix_spawn_file_actions_adddup2(&actions, stdin ?? null, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout ?? null, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr ?? null, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Default signal handling and no blocked signals in the child, whatever the test process set.
        var empty = sigset_t()
        var all = sigset_t()
        sigemptyset(&empty)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let environment = environment ?? ProcessInfo.processInfo.environment
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv + envp { free(pointer) }
        }
        var pid = pid_t()
        let result = Self.spawnLock.withLock { posix_spawn(&pid, executable, &actions, &attributes, argv, envp) }
        guard result == 0 else { throw ChildProcessError.spawn(executable, result) }
        self.pid = pid
    }

    /// Sends `signal` unless the child has already been reaped (its pid may then belong to another).
    func signal(_ signal: Int32) {
        lock.withLock {
            if waitStatus == nil { _ = kill(pid, signal) }
        }
    }

    var isRunning: Bool { reap() == nil }

    /// Waits until the child exits, or at most `seconds`; returns its exit status (128 + the signal
    /// that killed it), or nil if it still runs.
    @discardableResult
    func wait(seconds: Double = .infinity) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if let status = reap() { return status }
            if Date() >= deadline { return nil }
            usleep(5_000)
        }
    }

    /// The exit status once the child has been reaped.
    var terminationStatus: Int32 { reap() ?? -1 }

    /// The exit status if the child has exited (reaping it then), nil while it runs. Never blocks:
    /// a wait with a deadline is a loop over this.
    private func reap() -> Int32? {
        lock.withLock {
            if waitStatus == nil {
                var status: Int32 = 0
                var result: pid_t
                repeat { result = waitpid(pid, &status, WNOHANG) } while result == -1 && errno == EINTR
                if result == pid { waitStatus = status }
            }
            guard let status = waitStatus else { return nil }
            let signal = status & 0x7f
            return signal == 0 ? (status >> 8) & 0xff : 128 + signal
        }
    }
}

enum ChildProcessError: Error, CustomStringConvertible {
    case spawn(String, Int32)

    var description: String {
        switch self {
        case let .spawn(path, code): "cannot start \(path): \(String(cString: strerror(code)))"
        }
    }
}

/// A pipe whose two ends are close-on-exec, so no child inherits them by accident.
struct ClosingPipe {
    let readEnd: Int32
    let writeEnd: Int32

    init() throws {
        var ends: [Int32] = [0, 0]
        // Glibc's module has no pipe2: make the pipe and mark it under the lock every spawn takes,
        // so no child can be started between the two steps.
        let made = ChildProcess.spawnLock.withLock { () -> Bool in
            guard pipe(&ends) == 0 else { return false }
            for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
            return true
        }
        guard made else { throw ChildProcessError.spawn("pipe", errno) }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    /// Everything until end of file.
    static func readAll(_ descriptor: Int32) -> Data {
        var data = Data()
        while case let chunk = readSome(descriptor), !chunk.isEmpty { data.append(chunk) }
        return data
    }

    /// Whatever is there, waiting for at least one byte; empty at end of file.
    static func readSome(_ descriptor: Int32) -> Data {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count >= 0 { return Data(buffer[..<max(count, 0)]) }
            if errno != EINTR { return Data() }
        }
    }

    /// Writing to a pipe whose reader has gone must be an error, not SIGPIPE killing the tests.
    private static let ignoreBrokenPipes: Void = { _ = Glibc.signal(SIGPIPE, SIG_IGN) }()

    static func writeAll(_ descriptor: Int32, _ data: Data) {
        ignoreBrokenPipes
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < bytes.count {
                let count = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if count > 0 { offset += count } else if errno != EINTR { return }
            }
        }
    }
}
