import ArgumentParser

/// Range checks for numeric options, each failing with one line that names the option, its range
/// and the value given (`nan`, `inf` and `1e300` included: they are numbers to the parser).
enum NumericOption {
    static func check(_ name: String, _ value: Double, in range: ClosedRange<Double>, unit: String) throws {
        guard value.isFinite, range.contains(value) else {
            throw ValidationError(
                "\(name) must be a number of \(unit) from \(format(range.lowerBound)) to "
                    + "\(format(range.upperBound)), not \(format(value))"
            )
        }
    }

    static func check(_ name: String, _ value: Int, in range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            throw ValidationError(
                "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), "
                    + "not \(value)"
            )
        }
    }

    /// `5` rather than `5.0`; `0.001` as it is.
    private static func format(_ value: Double) -> String {
        value.isFinite && value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
