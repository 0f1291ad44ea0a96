import ShellDevTools
import XCTest

@testable import ShellCore

/// `ValueCompression` must give back every value exactly, whatever it holds, and shrink the values
/// Calico writes.
final class ValueCompressionTests: XCTestCase {
    private func roundTrip(_ value: [UInt8]) -> [UInt8] {
        guard let stored = value.withUnsafeBytes({ ValueCompression.encode($0) }) else { return value }
        return stored.withUnsafeBytes { ValueCompression.decode($0) }
    }

    func testCalicoValuesShrinkAndComeBack() {
        for n in 0..<200 {
            let value = SampleData.syntheticEndpoint(n, hosts: 7, layout: KeyLayout()).value
            let stored = value.withUnsafeBytes { ValueCompression.encode($0) }
            XCTAssertNotNil(stored)
            XCTAssertLessThan(stored?.count ?? .max, value.count * 6 / 10, String(decoding: value, as: UTF8.self))
            XCTAssertEqual(roundTrip(value), value)
        }
        let reference = SampleData.reference(layout: KeyLayout()).map(\.value)
        for value in reference { XCTAssertEqual(roundTrip(value), value) }
    }

    /// Seeded: strings made of the fragments, pieces of them, JSON punctuation, code bytes and
    /// arbitrary bytes, each given back exactly.
    func testAnyBytesComeBack() {
        let seed = UInt64.random(in: 0..<1_000_000)
        print("ValueCompressionTests seed \(seed)")
        var random = SeededGenerator(seed: seed)
        let pieces: [[UInt8]] =
            ValueCompression.fragments + ValueCompression.fragments.map { Array($0.dropLast()) }
            + ValueCompression.fragments.map { Array($0.dropFirst()) }
            + [
                [0], [1], [9], [10], [13], [23], [24], [31], [0xFF], Array("\"".utf8), Array("],".utf8),
                Array("é".utf8),
            ]
        for _ in 0..<3_000 {
            var value: [UInt8] = []
            for _ in 0..<Int.random(in: 0..<30, using: &random) {
                if Int.random(in: 0..<4, using: &random) == 0 {
                    value.append(UInt8.random(in: 0...255, using: &random))
                } else {
                    value += pieces.randomElement(using: &random)!
                }
            }
            XCTAssertEqual(roundTrip(value), value, "seed \(seed): \(value)")
        }
    }
}
