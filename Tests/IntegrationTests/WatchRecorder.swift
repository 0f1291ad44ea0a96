import Foundation
import ShellCore
import Synchronization

/// Records a watch's batches as they arrive, so a test can wait for the next one with a deadline.
/// Awaiting the stream's iterator directly would hang the whole test run if etcd never answered.
final class WatchRecorder: Sendable {
    private struct State {
        var batches: [WatchBatch] = []
        var failure: (any Error)?
        var taken = 0
    }

    /// The reader task's and the test's shared view (a class, so the task can hold it).
    private final class Shared: Sendable {
        let state = Mutex(State())
    }

    private let shared = Shared()
    private let reader: Task<Void, Never>

    init(_ subscription: WatchSubscription) {
        let shared = self.shared
        reader = Task {
            do {
                for try await batch in subscription.batches { shared.state.withLock { $0.batches.append(batch) } }
            } catch {
                shared.state.withLock { $0.failure = error }
            }
        }
    }

    deinit { reader.cancel() }

    struct Timeout: Error, CustomStringConvertible {
        let seconds: Double
        var description: String { "no watch batch within \(seconds) s" }
    }

    /// The next batch not yet returned; throws `Timeout` if none arrives within `seconds`, or the
    /// watch's own error if it ended.
    func next(within seconds: Double = 10) async throws -> WatchBatch {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while true {
            let (batch, failure) = shared.state.withLock { state -> (WatchBatch?, (any Error)?) in
                guard state.taken < state.batches.count else { return (nil, state.failure) }
                state.taken += 1
                return (state.batches[state.taken - 1], nil)
            }
            if let batch { return batch }
            if let failure { throw failure }
            if ContinuousClock.now >= deadline { throw Timeout(seconds: seconds) }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
