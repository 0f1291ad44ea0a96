/// calico-shell's version, as `--version` and the interactive banner print it. `number` must equal the
/// `VERSION` file at the top of the repository (a unit test checks it), which release tooling reads.
public enum ProductVersion {
    public static let number = "0.3.0"
    /// How the etcd client talks to etcd: what an operator needs to know to match it with a cluster.
    public static let clientProtocol = "etcd v3 API over gRPC"
    /// `calico-shell 0.3.0 (etcd v3 API over gRPC)`
    public static var description: String { "calico-shell \(number) (\(clientProtocol))" }
}
