import GRPCCore
import XCTest

@testable import ShellCore

/// What a gRPC failure means is decided where it is mapped, by its code, never by its text.
final class EtcdErrorTests: XCTestCase {
    let configuration = EtcdConfiguration(
        endpoints: try! EtcdConfiguration.parseEndpoints("http://127.0.0.1:2379", source: "test")
    )

    private func mapped(_ code: RPCError.Code, _ message: String, revision: Int64 = 0) -> EtcdError {
        ErrorMapping.map(
            RPCError(code: code, message: message),
            operation: "writing /k",
            revision: revision,
            configuration: configuration
        ).error
    }

    func testACancelledCallHasAnUnknownOutcome() {
        let error = mapped(.cancelled, "context canceled")
        XCTAssertEqual(error, .interrupted(operation: "writing /k", message: "cancelled"))
        XCTAssertTrue(error.outcomeUnknown)
        XCTAssertEqual(error.description, "etcd refused writing /k: cancelled")
    }

    func testARefusalHasAKnownOutcomeWhateverItsText() {
        // Words that once made a refusal look interrupted, when the outcome was read from the text.
        let error = mapped(.failedPrecondition, "etcdserver: request cancelled, connection closed")
        XCTAssertEqual(error, .server(operation: "writing /k", message: "request cancelled, connection closed"))
        XCTAssertFalse(error.outcomeUnknown)
    }

    func testNoAnswerHasAnUnknownOutcome() {
        XCTAssertTrue(mapped(.unavailable, "Stream unexpectedly closed.").outcomeUnknown)
        XCTAssertTrue(mapped(.deadlineExceeded, "timeout").outcomeUnknown)
    }

    func testACompactedReadReportsTheRevisionAfterTheOneAskedFor() {
        let error = mapped(.outOfRange, "etcdserver: mvcc: required revision has been compacted", revision: 41)
        XCTAssertEqual(error, .compacted(revision: 42))
        XCTAssertFalse(error.outcomeUnknown)
    }
}
