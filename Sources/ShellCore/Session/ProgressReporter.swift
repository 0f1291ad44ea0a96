import Synchronization

/// `Loading endpoints… 40,000` on stderr, only once loading has taken more than a second (and only
/// while `wanted` says someone waits): a quick load shows nothing, a long one shows that something
/// is happening.
final class ProgressReporter: Sendable {
    private let enabled: Bool
    private let wanted: @Sendable () -> Bool
    private let output: any OutputWriter
    private let start = ContinuousClock.now
    private let delay: Duration
    private let shown = Mutex(false)

    init(
        enabled: Bool,
        output: any OutputWriter,
        after delay: Duration = .seconds(1),
        wanted: @escaping @Sendable () -> Bool = { true }
    ) {
        self.enabled = enabled
        self.wanted = wanted
        self.output = output
        self.delay = delay
    }

    func report(_ count: Int) {
        guard enabled, ContinuousClock.now - start >= delay, wanted() else { return }
        shown.withLock { $0 = true }
        output.standardError("\rLoading endpoints… \(count.formatted())")
    }

    func finish() {
        if shown.withLock({ $0 }) { output.standardError("\n") }
    }
}

extension Int {
    /// 40000 → "40,000".
    func formatted() -> String {
        let digits = Array(String(self))
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }
}
