import Dispatch

/// Where an index load does its work: Dispatch's threads, never NIO's event loops, on which
/// scripts and pipes run their commands (`ShellMain.run`). Laying out and indexing a page of
/// 50,000 endpoints on the loop that also serves the etcd connection held up receiving the next
/// page: a piped first `endpoint show --detailed` of 1,000,000 endpoints took 3.7–4.0 s there,
/// against 2.8–2.9 s off the loops. A task preferring this executor runs its code here, the
/// default actors it calls (`IndexSynchronizer`) included; waiting on etcd costs no thread.
final class LoadExecutor: TaskExecutor {
    static let shared = LoadExecutor()

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        DispatchQueue.global().async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
