/// How an edit that lost a compare-and-swap race keeps trying: it never gives up while other
/// writers make progress, only when a whole `budget` of time has gone by without its write landing.
///
/// The wait comes *before* the next read (full jitter: a random time up to a cap that doubles with
/// each loss), so the write that follows is decided on data read just before it, not before a
/// sleep; racing writers spread out instead of colliding again in lockstep.
public struct ContentionBackoff: Sendable {
    /// How long an edit may keep losing races before it reports the key as too contended.
    public var budget: Duration
    /// The cap of the first wait; it doubles with every loss, up to `maximum`.
    public var initial: Duration
    public var maximum: Duration

    public init(
        budget: Duration = .seconds(30),
        initial: Duration = .milliseconds(2),
        maximum: Duration = .milliseconds(100)
    ) {
        self.budget = budget
        self.initial = initial
        self.maximum = maximum
    }

    /// The wait after the `losses`-th lost race (1 for the first): uniform in [0, cap].
    public func delay(afterLosses losses: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let cap = min(maximum, initial * (1 << min(max(losses - 1, 0), 16)))
        let microseconds = max(
            Int64(cap.components.seconds) * 1_000_000 + cap.components.attoseconds / 1_000_000_000_000,
            1
        )
        return .microseconds(Int64.random(in: 0...microseconds, using: &generator))
    }

    /// Runs `attempt` until it returns a value, waiting between losses (nil), until the budget is spent.
    /// `exhausted` makes the error reported then.
    func run<Value>(
        _ attempt: () async throws(ShellError) -> Value?,
        exhausted: () -> ShellError
    ) async throws(ShellError) -> Value {
        let deadline = ContinuousClock.now + budget
        var generator = SystemRandomNumberGenerator()
        var losses = 0
        while true {
            if let value = try await attempt() { return value }
            losses += 1
            guard ContinuousClock.now < deadline else { throw exhausted() }
            do {
                try await Task.sleep(for: delay(afterLosses: losses, using: &generator))
            } catch {
                throw .cancelled
            }
        }
    }
}
