/// How many keys each page of a full scan asks for.
///
/// etcd 3.4 answers a limited Range by first collecting every key from the page's start to the end
/// of the range (to count them), then reading `limit` of them: a scan of N keys in pages of P walks
/// about N²/2P keys. With a fixed P that is quadratic: at 1,000,000 endpoints, pages of 10,000 made
/// etcd walk 50 million keys, most of a one-shot summary's time. So pages grow with the range: the
/// first page's `count` tells how many keys there are, and no scan takes more than `maximumPages`
/// pages (about N × maximumPages / 2 keys walked: linear in N), while small ranges keep `minimum`
/// (one page in memory at a time, as before).
public enum ScanPaging {
    /// Pages per scan, at most (beyond the first). More pages hold less in memory at once; fewer
    /// make etcd walk less.
    public static let maximumPages: Int64 = 8

    /// The limit of the page after one that reported `remaining` keys from its own start on, of
    /// which it returned `returned`.
    public static func nextLimit(minimum: Int64, remaining: Int64, returned: Int64) -> Int64 {
        let left = max(remaining - returned, 0)
        return max(minimum, (left + maximumPages - 1) / maximumPages)
    }
}
