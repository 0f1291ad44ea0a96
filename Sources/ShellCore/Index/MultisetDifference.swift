/// What changed between two short lists taken as multisets (an endpoint's profiles: a value may
/// name a profile twice, and the profile's members then count the endpoint twice).
enum MultisetDifference {
    /// The elements of `before` that `after` lacks, once per missing copy, and those of `after` that
    /// `before` lacks; `same(b, a)` compares an element of `before` with one of `after`. Quadratic,
    /// for the handful of profiles an endpoint carries: no hashing, no dictionary.
    static func of<Element>(
        _ before: [Element],
        _ after: [Element],
        same: (Element, Element) -> Bool
    ) -> (removed: [Element], added: [Element]) {
        var unmatched = [Bool](repeating: true, count: after.count)
        var removed: [Element] = []
        for element in before {
            if let match = after.indices.first(where: { unmatched[$0] && same(element, after[$0]) }) {
                unmatched[match] = false
            } else {
                removed.append(element)
            }
        }
        let added = after.indices.filter { unmatched[$0] }.map { after[$0] }
        return (removed, added)
    }
}
