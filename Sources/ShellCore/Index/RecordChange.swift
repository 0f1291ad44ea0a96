/// One endpoint's value before and after a watch event (nil: it did not exist / was deleted), as
/// the index saw it: what `endpoint watch` turns into lines.
public struct RecordChange: Equatable, Sendable {
    public var key: EndpointKey
    public var before: [UInt8]?
    public var after: [UInt8]?
    /// The revision of the event.
    public var revision: Int64

    public init(key: EndpointKey, before: [UInt8]?, after: [UInt8]?, revision: Int64) {
        self.key = key
        self.before = before
        self.after = after
        self.revision = revision
    }
}
