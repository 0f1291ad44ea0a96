/// A string that is equal, hashed and ordered by its bytes, as an etcd key part: for sets and
/// dictionary keys of names (see `KeyText`).
public struct ExactString: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var text: String

    public init(_ text: String) { self.text = text }

    public static func == (a: Self, b: Self) -> Bool { KeyText.equal(a.text, b.text) }
    public static func < (a: Self, b: Self) -> Bool { KeyText.less(a.text, b.text) }
    public func hash(into hasher: inout Hasher) { KeyText.hash(text, into: &hasher) }
    public var description: String { text }
}
