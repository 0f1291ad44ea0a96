import Foundation

/// What etcd's v2 API answers, decoded: a node tree (`GET`), an event (`PUT`, `DELETE`, a watch), or an
/// error (`{"errorCode":101,"message":"Compare failed","cause":"[1 != 4]","index":4}`).
struct V2Node: Decodable, Sendable {
    var key: String?
    var value: String?
    var dir: Bool?
    var modifiedIndex: Int64?
    var nodes: [V2Node]?
}

/// A node answer, or the event a write or a watch answers with.
struct V2Answer: Decodable, Sendable {
    var action: String?
    var node: V2Node?
}

/// etcd's v2 error body. Codes used here: 100 key not found, 101 compare failed, 105 key exists,
/// 401 the watch index was cleared from the event history.
struct V2ErrorBody: Decodable, Sendable {
    var errorCode: Int?
    var message: String?
    var cause: String?
    var index: Int64?

    static let keyNotFound = 100
    static let compareFailed = 101
    static let keyExists = 105
    static let eventIndexCleared = 401
}

/// The headers every v2 answer carries: the store's index after the request and the cluster's identity.
struct V2Headers: Sendable {
    var index: Int64?
    var clusterID: UInt64

    /// `X-Etcd-Cluster-Id` is hex (`cdf818194e3a8c32`), the same number v3 headers carry as an integer.
    init(index: String?, clusterID: String?) {
        self.index = index.flatMap { Int64($0) }
        self.clusterID = clusterID.flatMap { UInt64($0, radix: 16) } ?? 0
    }
}
