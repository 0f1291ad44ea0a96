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
///
/// The last pages halve, down to about `finalLimit` keys: what the reader does with a page (index it, lay
/// out its rows) runs while etcd reads the next, so all that is left after etcd's last byte is one
/// small page, where a last page of 50,000 kept a first `--detailed` answer waiting 25 ms more at
/// 100,000 endpoints. Each such page costs etcd a walk of only what is left, and one round trip.
public struct ScanPaging: Equatable, Sendable {
    /// Pages after the first, at most (until `maximumLimit` caps them). More pages hold less in
    /// memory at once; fewer make etcd walk less.
    public var maximumPages: Int64
    public var minimumLimit: Int64
    public var maximumLimit: Int64
    /// The size the last pages halve down to; 0: the last page takes everything left.
    public var finalLimit: Int64 = 0

    /// Keys with values (about 250 bytes each for Calico endpoints): 8 pages, at most 200,000 keys,
    /// and the last ones halving down to 5,000.
    public static let values = ScanPaging(
        maximumPages: 8,
        minimumLimit: 50_000,
        maximumLimit: 200_000,
        finalLimit: 5_000
    )
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
        let limit = max(minimum, min(max(spread, minimumLimit), maximumLimit))
        // Halving stops once both halves would be under `finalLimit`: that last page takes the rest.
        guard finalLimit > 0, left > 2 * finalLimit else { return limit }
        return min(limit, (left + 1) / 2)
    }
}
