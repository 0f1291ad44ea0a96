import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// Waits until a descriptor has something to read (input, its end or an error) without holding the
/// calling thread. Scripts and pipes run their commands on NIO's event loops (see `ShellMain.run`):
/// a `read` that blocked there, while the program writing into the pipe is silent, would also stall
/// the etcd connection and the watch that loop serves, and the index would fall behind etcd.
enum InputReadiness {
    /// Returns at once when input is ready (no thread hop: the common case of a script or a
    /// coprocess that writes ahead); otherwise the waiting is done on a dispatch thread.
    static func wait(for descriptor: Int32) async {
        if isReady(descriptor, timeoutMilliseconds: 0) { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                while !isReady(descriptor, timeoutMilliseconds: -1) {}
                continuation.resume()
            }
        }
    }

    /// Whether `read` would return now. An error of `poll` other than an interrupted wait counts as
    /// ready: the `read` that follows reports it.
    static func isReady(_ descriptor: Int32, timeoutMilliseconds: Int32) -> Bool {
        var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let result = poll(&request, 1, timeoutMilliseconds)
        if result < 0 { return errno != EINTR }
        return result > 0
    }

    /// Whether reading `descriptor` can ever wait: not for a regular file.
    static func mayWait(_ descriptor: Int32) -> Bool {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return true }
        return (status.st_mode & S_IFMT) != S_IFREG
    }
}
