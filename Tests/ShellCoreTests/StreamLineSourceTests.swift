import Dispatch
import Foundation
import Synchronization
import XCTest

@testable import ShellCore

/// Input that may wait (a pipe) is awaited without holding the thread: scripts run on NIO's event
/// loops, which also serve the etcd connection and the watch that keeps the index current.
final class StreamLineSourceTests: XCTestCase {
    func testWaitingForAPipeLeavesTheThreadToOtherWork() async throws {
        let executor = OneThreadExecutor()
        var ends: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&ends), 0)
        let (readEnd, writeEnd) = (ends[0], ends[1])
        let path = "/dev/fd/\(readEnd)"
        let reading = Task(executorPreference: executor) { () -> [String] in
            guard let source = try? StreamLineSource(path: path) else { return ["cannot open"] }
            var lines: [String] = []
            while let line = await source.readLine() { lines.append(line.text) }
            return lines
        }
        // However the read goes, the input ends after 3 s, so the test ends either way. Whoever
        // comes first writes its lines and closes the pipe.
        let spoke = Mutex(false)
        let end = { @Sendable (text: String) in
            spoke.withLock { spoke in
                guard !spoke else { return }
                spoke = true
                _ = text.withCString { write(writeEnd, $0, strlen($0)) }
                close(writeEnd)
            }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + 3) { end("late\n") }
        try await Task.sleep(for: .milliseconds(200))  // the reader is waiting for its first line now
        let started = ContinuousClock.now
        let other = Task(executorPreference: executor) { ContinuousClock.now }
        let ranAt = await other.value
        XCTAssertLessThan(ranAt - started, .seconds(1), "the waiting read held the only thread")
        end("first\nmore\n")
        let lines = await reading.value
        XCTAssertEqual(lines, ["first", "more"])
        close(readEnd)
    }
}

/// A task executor with one thread: a job that blocks it holds up every other job. Its thread runs
/// for the rest of the test process.
final class OneThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []

    init() {
        let thread = Thread { [self] in
            while true {
                condition.lock()
                while jobs.isEmpty { condition.wait() }
                let job = jobs.removeFirst()
                condition.unlock()
                job.runSynchronously(on: asUnownedTaskExecutor())
            }
        }
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }
}
