import ShellTesting
import XCTest

@testable import ShellCore

/// The interactive loading line: shown only when enabled and only once loading has been slow.
final class ProgressReporterTests: XCTestCase {
    func testASlowLoadShowsCountsOnOneLineThenEndsIt() {
        let output = CapturedOutput()
        let reporter = ProgressReporter(enabled: true, output: output, after: .zero)
        reporter.report(10_000)
        reporter.report(40_000)
        reporter.finish()
        XCTAssertEqual(output.errors, "\rLoading endpoints… 10,000\rLoading endpoints… 40,000\n")
        XCTAssertEqual(output.output, "")
    }

    func testABulkEditsBarIsRewrittenInPlaceThenEnded() {
        let output = CapturedOutput()
        let reporter = ProgressReporter(enabled: true, output: output, after: .zero)
        reporter.report(written: 128, of: 256)
        reporter.report(written: 256, of: 256)
        reporter.finish()
        let lines = output.errors.split(separator: "\r", omittingEmptySubsequences: true)
        XCTAssertEqual(lines.count, 2, output.errors)
        XCTAssertTrue(lines[0].hasPrefix("Writing [##########          ] 128/256 endpoints, "), output.errors)
        XCTAssertTrue(lines[1].hasPrefix("Writing [####################] 256/256 endpoints, "), output.errors)
        XCTAssertTrue(output.errors.hasSuffix("/s\n"), output.errors)
        XCTAssertEqual(output.output, "")
    }

    func testAQuickLoadShowsNothing() {
        let output = CapturedOutput()
        let reporter = ProgressReporter(enabled: true, output: output, after: .seconds(60))
        reporter.report(10_000)
        reporter.finish()
        XCTAssertEqual(output.errors, "")
    }

    func testScriptsAndPipesShowNothing() {
        let output = CapturedOutput()
        let reporter = ProgressReporter(enabled: false, output: output, after: .zero)
        reporter.report(10_000)
        reporter.finish()
        XCTAssertEqual(output.errors, "")
    }

    func testThousandsSeparators() {
        XCTAssertEqual(
            [0, 999, 1_000, 40_000, 1_234_567].map { $0.formatted() },
            ["0", "999", "1,000", "40,000", "1,234,567"]
        )
    }
}
