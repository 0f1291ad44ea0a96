import Synchronization

/// `Loading endpoints… 40,000` (or a bulk edit's `Writing [#####     ] 2,560/10,000 endpoints,
/// 3,412/s`) on stderr, on one line rewritten in place, only once the work has taken longer than
/// `delay` (and only while `wanted` says someone waits): quick work shows nothing, long work shows
/// that something is happening.
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
        show { _ in "Loading endpoints… \(count.formatted())" }
    }

    /// A bulk edit's progress: `written` of `total` endpoints.
    func report(written: Int, of total: Int) {
        show { elapsed in Self.writing(written, of: total, after: elapsed) }
    }

    private func show(_ line: (Duration) -> String) {
        let elapsed = ContinuousClock.now - start
        guard enabled, elapsed >= delay, wanted() else { return }
        shown.withLock { $0 = true }
        output.standardError("\r" + line(elapsed))
    }

    /// `Writing [#####               ] 2,560/10,000 endpoints, 3,412/s`: a bar of 20 cells.
    static func writing(_ written: Int, of total: Int, after elapsed: Duration) -> String {
        let cells = 20
        let filled = total > 0 ? min(cells, written * cells / total) : cells
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Int((Double(written) / seconds).rounded()) : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: " ", count: cells - filled)
        return "Writing [\(bar)] \(written.formatted())/\(total.formatted()) endpoints, \(rate.formatted())/s"
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
