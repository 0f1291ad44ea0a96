import XCTest

@testable import ShellCore

final class ContentionBackoffTests: XCTestCase {
    func testWaitsGrowWithLossesUpToTheCap() {
        let backoff = ContentionBackoff(budget: .seconds(30), initial: .milliseconds(2), maximum: .milliseconds(100))
        var generator = SeededGenerator(seed: 7)
        for losses in 1...40 {
            let cap = min(2 << (losses - 1), 100)
            for _ in 0..<50 {
                let wait = backoff.delay(afterLosses: losses, using: &generator)
                XCTAssertGreaterThanOrEqual(wait, .zero)
                XCTAssertLessThanOrEqual(wait, .milliseconds(cap), "after \(losses) losses")
            }
        }
    }

    func testRetriesUntilAValueAndGivesUpOnlyWhenTheBudgetIsSpent() async throws {
        let backoff = ContentionBackoff(
            budget: .milliseconds(200),
            initial: .milliseconds(1),
            maximum: .milliseconds(5)
        )
        var tries = 0
        let value = try await backoff.run(
            { () throws(ShellError) -> Int? in
                tries += 1
                return tries == 30 ? tries : nil
            },
            exhausted: { .atomic(.contended(seconds: 0.2)) }
        )
        XCTAssertEqual(value, 30)

        let start = ContinuousClock.now
        do {
            _ = try await backoff.run(
                { () throws(ShellError) -> Int? in nil },
                exhausted: { .atomic(.contended(seconds: 0.2)) }
            )
            XCTFail("a budget that is spent must end the retries")
        } catch {
            XCTAssertEqual(error, .atomic(.contended(seconds: 0.2)))
        }
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - start, .milliseconds(200))
    }
}
