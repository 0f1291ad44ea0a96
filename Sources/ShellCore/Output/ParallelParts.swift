import Dispatch
import Foundation
import Synchronization

/// Work on a large output split in parts that run at once, one per core: a million-row
/// `--detailed` decodes and lays out every row, and that was most of its first answer after the
/// load (perf). Small work stays in one part (threads cost more than they save there).
enum ParallelParts {
    /// Below this many items, one part: a thread costs tens of microseconds, a row a few.
    static let minimumCount = 4_096

    /// Parts of `0..<count`: one when `count` is under `minimum`, else one per active core.
    static func ranges(_ count: Int, minimum: Int = minimumCount) -> [Range<Int>] {
        let parts = count < minimum ? 1 : max(2, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        guard parts > 1 else { return [0..<count] }
        let size = (count + parts - 1) / parts
        return stride(from: 0, to: count, by: size).map { $0..<min($0 + size, count) }
    }

    /// `body` of each range, at once; the results in the ranges' order.
    static func map<Result: Sendable>(
        _ ranges: [Range<Int>],
        _ body: @Sendable (Range<Int>) -> Result
    ) -> [Result] {
        if ranges.count == 1 { return [body(ranges[0])] }
        let results = Mutex([Result?](repeating: nil, count: ranges.count))
        DispatchQueue.concurrentPerform(iterations: ranges.count) { part in
            let result = body(ranges[part])
            results.withLock { $0[part] = result }
        }
        return results.withLock { $0.map { $0! } }
    }
}
