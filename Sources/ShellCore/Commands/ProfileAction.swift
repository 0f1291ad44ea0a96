/// What `endpoint <ID> profile <verb>` does to the endpoint's profile list.
public enum ProfileAction: String, Equatable, Sendable, CaseIterable {
    case append, remove, set
}
