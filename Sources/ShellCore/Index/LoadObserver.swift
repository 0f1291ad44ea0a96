/// Sees the index's first load page by page as it arrives (the hosts range, then the profiles
/// range), before the index holds the hosts: a command given before the load started can answer
/// from the pages (all read at the load's one revision, which etcd chose after the command was
/// given) instead of waiting for the whole index (`AnswerFromPages`).
public protocol LoadObserver: Sendable {
    /// A page of the hosts range, in key order, on the loading task. A page that `startsOver`
    /// drops every page before it; the page whose `more` is false is the range's last. Returns
    /// whether the observer is still making its answer: the load then holds the pages (a bounded
    /// number of bytes of them) and puts them in the index once the answer is made (`answerMade`).
    func sawHostsPage(_ page: RangePage) -> Bool
    /// A page of the profiles range, read after the hosts range at the same revision (already put
    /// in the index). A page that `startsOver` drops every page before it.
    func sawProfilesPage(_ page: RangePage)
    /// Returns once the answer is made, or given up (asked after both ranges are read: an
    /// observer that missed its last hosts page gives up).
    func answerMade() async
    /// The load ended: loaded (`error` nil) or failed.
    func loadEnded(_ error: (any Error)?)
}

extension LoadObserver {
    public func sawProfilesPage(_ page: RangePage) {}
}
