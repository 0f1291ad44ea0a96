import XCTest

@testable import ShellCore

/// Keys are bytes: decoding keeps every byte, comparisons look at bytes, not at Unicode equivalence.
final class KeyTextTests: XCTestCase {
    func testEveryByteSequenceRoundTrips() {
        var generator = SeededGenerator(
            seed: UInt64(ProcessInfo.processInfo.environment["KEYTEXT_SEED"] ?? "") ?? 20_261_127
        )
        print("KeyTextTests seed: \(generator.seed)")
        let alphabet: [UInt8] = [
            0x2F, 0x41, 0x7F, 0x80, 0xBF, 0xC3, 0xA9, 0xCC, 0x81, 0xE2, 0x82, 0xAC, 0xF0, 0xF4, 0x8F, 0xBE, 0xFF, 0x00,
        ]
        for _ in 0..<5_000 {
            let bytes = (0..<Int.random(in: 0...12, using: &generator)).map { _ in
                alphabet.randomElement(using: &generator)!
            }
            XCTAssertEqual(KeyText.encode(KeyText.decode(bytes)), bytes, "\(bytes)")
        }
        // Text that itself spells an escape scalar is escaped too, so the mapping stays one-to-one.
        let spelled = Array("\u{10FFAB}".utf8)
        XCTAssertEqual(KeyText.encode(KeyText.decode(spelled)), spelled)
        XCTAssertNotEqual(KeyText.decode(spelled), "\u{10FFAB}")
    }

    func testValidTextIsUnchanged() {
        for text in ["/calico/v1/host/node-1", "café", "日本", ""] {
            XCTAssertEqual(KeyText.decode(Array(text.utf8)), text)
            XCTAssertEqual(KeyText.encode(text), Array(text.utf8))
        }
    }

    func testComparisonsAreByBytes() {
        let nfc = "caf\u{E9}"
        let nfd = "cafe\u{301}"
        XCTAssertEqual(nfc, nfd, "Swift's own == is canonical equivalence")
        XCTAssertFalse(KeyText.equal(nfc, nfd))
        XCTAssertTrue(KeyText.less(nfd, nfc))  // 0x65 < 0xC3
        XCTAssertEqual(Set([ExactString(nfc), ExactString(nfd)]).count, 2)
        XCTAssertNotEqual(
            EndpointKey(host: nfc, orchestrator: "o", workload: "w", endpoint: "e"),
            EndpointKey(host: nfd, orchestrator: "o", workload: "w", endpoint: "e")
        )
        XCTAssertTrue(KeyText.less("a", "ab"))
        XCTAssertTrue(KeyText.equal("", ""))
        XCTAssertFalse(KeyText.hasPrefix(nfd, nfc))
    }

    func testIndexKeepsNormalizationTwinsApart() {
        var index = EndpointIndex(layout: KeyLayout())
        for (n, host) in ["caf\u{E9}", "cafe\u{301}"].enumerated() {
            let key = EndpointKey(host: host, orchestrator: "k8s", workload: "w", endpoint: "e\(n)")
            index.put(KeyValue(key: key.path(in: KeyLayout()), value: [], modRevision: Int64(n + 1)))
        }
        XCTAssertEqual(index.summary(matching: EndpointFilter()).count, 2)
        XCTAssertEqual(index.records(matching: EndpointFilter(host: "caf\u{E9}")).map(\.key.endpoint), ["e0"])
        XCTAssertEqual(index.hostNames.count, 2)
    }
}

/// A small, seedable generator (SplitMix64) for reproducible random tests.
struct SeededGenerator: RandomNumberGenerator {
    let seed: UInt64
    private var state: UInt64

    init(seed: UInt64) {
        self.seed = seed
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
