import Synchronization

/// A command's answer made from the index's first load as its pages arrive, for the command that
/// starts the load (a piped shell's or `-c`'s first): its work on each page is done while etcd
/// reads the next one, and the answer is made as soon as the last page is in, before the index
/// holds the pages (the load holds them for it, see `LoadObserver`). Such an answer is as fresh
/// as a loaded index's: every page is read at the load's one revision, which etcd chose after the
/// command was given.
protocol AnswerFromPages: LoadObserver {
    /// The answer once the pages are in; nil when it was given up (the command then answers from
    /// the index as any other); throws when the load failed or the wait is cancelled (Ctrl-C).
    func answer() async throws -> CommandResult?
}

/// The observer for `command` when its answer can be made from the load's pages, else nil.
func answerFromPages(
    for command: EndpointCommand,
    _ context: CommandContext,
    layout: KeyLayout
) -> (any AnswerFromPages)? {
    DetailedTableFromPages(command, context, layout: layout) ?? PlanFromPages(command, context, layout: layout)
}

/// What every answer from pages waits for: the command for the answer's outcome, the load until
/// the answer is made (drawn, or given up) before it takes the cores back (`answerMade`).
final class PageAnswerWaits<Made: Sendable>: Sendable {
    enum Outcome: Sendable {
        /// What the answer is drawn from.
        case made(Made)
        case givenUp
        case failed(any Error)
    }

    private struct State {
        var outcome: Outcome?
        var waiter: CheckedContinuation<Outcome, Never>?
        /// Whether the answer is drawn or given up, and who waits for that.
        var drawn = false
        var drawnWaiters: [CheckedContinuation<Void, Never>] = []

        mutating func drawnNow() {
            drawn = true
            for waiter in drawnWaiters { waiter.resume() }
            drawnWaiters = []
        }
    }

    private let state = Mutex(State())

    /// Whether the outcome is known.
    var isEnded: Bool { state.withLock { $0.outcome != nil } }

    /// Whether the answer is still being made: the load holds its pages meanwhile.
    var isMaking: Bool { state.withLock { !$0.drawn } }

    /// Sets the outcome; the first one set stands. Anything but `made` also ends the making.
    func end(_ outcome: Outcome) {
        state.withLock { state in
            guard state.outcome == nil else { return }
            state.outcome = outcome
            state.waiter?.resume(returning: outcome)
            state.waiter = nil
            if case .made = outcome { return }
            state.drawnNow()
        }
    }

    /// The outcome, once set; cancelling the wait ends it as failed.
    private func outcome() async -> Outcome {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
                state.withLock { state in
                    if Task.isCancelled && state.outcome == nil {
                        state.outcome = .failed(CancellationError())
                        state.drawnNow()
                    }
                    if let outcome = state.outcome {
                        continuation.resume(returning: outcome)
                    } else {
                        state.waiter = continuation
                    }
                }
            }
        } onCancel: {
            end(.failed(CancellationError()))
        }
    }

    /// The answer `draw` makes of what was made; nil when it was given up; throws the load's
    /// failure or a cancelled wait. The load may take the cores back once `draw` returns.
    func answer(_ draw: (Made) -> CommandResult) async throws -> CommandResult? {
        switch await outcome() {
        case .made(let made):
            defer { drawn() }
            return draw(made)
        case .givenUp:
            return nil
        case .failed(let error):
            throw error
        }
    }

    /// The answer is drawn: the load may take the cores back.
    private func drawn() {
        state.withLock { $0.drawnNow() }
    }

    /// Returns once the answer is drawn or given up.
    func untilDrawn() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            state.withLock { state in
                if state.drawn {
                    continuation.resume()
                } else {
                    state.drawnWaiters.append(continuation)
                }
            }
        }
    }
}
