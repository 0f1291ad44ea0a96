/// A calicoctl configuration file that cannot be used: one line naming the file and, where the YAML
/// parser or the checks know it, the line (`/etc/calico/calicoctl.cfg:4: spec must be a mapping`).
public struct ConfigFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var line: Int?
    public var message: String

    public init(path: String, line: Int? = nil, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String {
        "config file \(path)\(line.map { ":\($0)" } ?? ""): \(message)"
    }
}
