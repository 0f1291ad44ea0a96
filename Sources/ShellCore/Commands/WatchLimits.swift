/// When `endpoint watch` ends on its own (besides Ctrl-C and signals): after `count` changes,
/// after `timeout`, whichever comes first; nil means never.
public struct WatchLimits: Equatable, Hashable, Sendable {
    public var count: Int?
    public var timeout: Duration?

    public init(count: Int? = nil, timeout: Duration? = nil) {
        self.count = count
        self.timeout = timeout
    }
}
