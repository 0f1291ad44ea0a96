/// Where results (stdout) and errors and warnings (stderr) go.
public protocol OutputWriter: Sendable {
    func standardOutput(_ text: String)
    func standardError(_ text: String)
    /// The first failed write to standard output, if any: the run must stop there.
    var failure: OutputFailure? { get }
}
