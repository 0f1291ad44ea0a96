import Foundation
import ShellCore
import ShellDevTools

/// The reference page's example outputs, byte for byte (extracted into Golden/).
enum Golden {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func text(_ name: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    }

    /// The reference page's data in an index.
    static func referenceIndex(layout: KeyLayout = KeyLayout()) -> EndpointIndex {
        var index = EndpointIndex(layout: layout)
        let pairs = SampleData.reference(layout: layout).enumerated().map {
            KeyValue(key: $1.key, value: $1.value, modRevision: Int64($0 + 2))
        }
        index.load(pairs, revision: Int64(pairs.count + 1))
        return index
    }
}
