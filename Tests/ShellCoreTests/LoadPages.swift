import Foundation
import ShellDevTools
import ShellTesting

@testable import ShellCore

/// A hosts range as a load's scan hands it to an answer made from pages (`AnswerFromPages`):
/// shared by the tests of the detailed table and of the plan made that way.
enum LoadPages {
    /// Random endpoints over a few hosts (with `oddNames`, some whose names make etcd's order
    /// differ from the tables'), values of every shape (or of `values`), and keys that are not endpoints among
    /// them, in etcd's key order.
    static func pairs(
        _ count: Int,
        oddNames: Bool,
        values: [String] = DetailedValueShapes.all,
        layout: KeyLayout,
        random: inout SeededGenerator
    ) -> [KeyValue] {
        let hosts = oddNames ? ["host-1", "host-1-a", "host-2"] : ["host-1", "host-2", "host-3"]
        var pairs: [KeyValue] = []
        for number in 0..<count {
            let key = EndpointKey(
                host: hosts.randomElement(using: &random)!,
                orchestrator: Bool.random(using: &random) ? "k8s" : "docker",
                workload: "w\(number)",
                endpoint: String(format: "%08x", number)
            )
            let value = values.randomElement(using: &random)!
            pairs.append(KeyValue(key: key.path(in: layout), value: Array(value.utf8), modRevision: 2))
        }
        // Not endpoints: a host's own key, and two under a workload that do not fit the layout.
        for key in ["host-2/bird_ip", "host-1/workload/k8s/w1/odd", "host-3/workload/k8s/w/endpoint/.."] {
            pairs.append(KeyValue(key: layout.hostsPrefix + key, value: Array("x".utf8), modRevision: 2))
        }
        return pairs.sorted { KeyText.less($0.key, $1.key) }
    }

    /// `pairs` in pages of random sizes, the last one saying so.
    static func pages(_ pairs: [KeyValue], random: inout SeededGenerator) -> [RangePage] {
        var pages: [RangePage] = []
        var start = 0
        repeat {
            let end = min(pairs.count, start + Int.random(in: 1...max(1, pairs.count / 3), using: &random))
            pages.append(RangePage(pairs: Array(pairs[start..<end]), more: end < pairs.count, revision: 2))
            start = end
        } while start < pairs.count
        return pages
    }

    /// Whether etcd's order of `pairs` differs from the tables' order of the endpoints `index`
    /// holds (made from `pairs`): an answer from the pages must then be given up.
    static func outOfTableOrder(_ pairs: [KeyValue], in index: EndpointIndex) -> Bool {
        index.records(matching: EndpointFilter()).map(\.key)
            != pairs.compactMap {
                if case .endpoint(let key) = index.layout.classify(hostKey: $0.key) { key } else { nil }
            }
    }

    /// A session over an in-memory store holding the reference data, loading in pages of 2 keys.
    static func referenceSession(layout: KeyLayout) async throws -> Session {
        let store = InMemoryStore()
        try await BulkLoader.load(SampleData.reference(layout: layout), into: store)
        return Session(
            configuration: EtcdConfiguration(endpoints: []),
            layout: layout,
            showProgress: false,
            output: CapturedOutput(),
            pageSize: 2,
            makeStore: { _ in store }
        )
    }
}
