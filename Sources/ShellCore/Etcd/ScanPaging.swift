/// How many keys each page of a full scan asks for.
///
/// etcd 3.4 answers a limited Range by first collecting every key from the page's start to the end
/// of the range (to count them), then reading `limit` of them: a scan of N keys in pages of P walks
/// about N²/2P keys. With a fixed P that is quadratic: at 1,000,000 endpoints a limit-1 Range of
/// the whole prefix costs etcd 0.35-0.5 s of CPU, and pages of 10,000 made it walk the prefix about
/// 50 times. So pages grow with the range: the first page's `count` tells how many keys there are,
/// and the rest come in at most `maximumPages` pages (about maximumPages / 2 walks: linear in N),
/// never under `minimumLimit` nor the first page's size, nor over `maximumLimit` (one page's memory,
/// and gRPC's 256 MiB message limit, stay bounded however large the range).
///
/// `minimumLimit` keeps a mid-sized range to a few pages: 100,000 endpoints in pages of 11,250 took
/// nine walks and 0.26 s to read, against 0.16 s for one Range; pages of at least 50,000 (about
/// 12 MB) read them in three.
public struct ScanPaging: Equatable, Sendable {
    /// Pages after the first, at most (until `maximumLimit` caps them). More pages hold less in
    /// memory at once; fewer make etcd walk less.
    public var maximumPages: Int64
    public var minimumLimit: Int64
    public var maximumLimit: Int64

    /// Keys with values (about 250 bytes each for Calico endpoints): 8 pages, at most 200,000 keys.
    public static let values = ScanPaging(maximumPages: 8, minimumLimit: 50_000, maximumLimit: 200_000)
    /// Keys only (about 100 bytes each): the rest in one page of at most 600,000 keys (etcd's CPU for
    /// a 1M one-shot: 5.1 s in pages of 50,000, 3.5 s in 8 pages). One-shot summaries ask for one
    /// page of everything; this is their paging when that answer was too large for the client.
    public static let keysOnly = ScanPaging(maximumPages: 1, minimumLimit: 0, maximumLimit: 600_000)
    /// The first page of a scan that asked for one page and got an answer too large for the client.
    public static let fallbackPageSize: Int64 = 50_000

    /// The limit of the page after one that reported `remaining` keys from its own start on, of
    /// which it returned `returned`.
    public func nextLimit(minimum: Int64, remaining: Int64, returned: Int64) -> Int64 {
        let left = max(remaining - returned, 0)
        let spread = (left + maximumPages - 1) / maximumPages
        return max(minimum, min(max(spread, minimumLimit), maximumLimit))
    }
}
