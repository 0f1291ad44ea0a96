/// The `state` of an endpoint, as `--state` takes it.
public enum EndpointState: String, CaseIterable, Sendable {
    case active, inactive
}
