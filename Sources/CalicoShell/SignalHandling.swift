import CEdit

#if canImport(Glibc)
import Glibc
#endif

/// Signals that end calico-shell the way Unix tools end.
enum SignalHandling {
    /// What `run` returns when standard output was a pipe its reader closed (never a real exit
    /// status: those are 0...255).
    static let closedPipeStatus: Int32 = -1

    /// At start: Ctrl-\ quits (killed by SIGQUIT) instead of a crash report from the Swift runtime,
    /// and a closed pipe is an error a write returns (EPIPE), so the run stops where it is.
    static func install() {
        cedit_quit_quietly_on_sigquit()
        signal(SIGPIPE, SIG_IGN)
    }

    /// Ends the process as `yes | head -1` ends `yes`: killed by SIGPIPE, quietly. (SIGPIPE itself is
    /// ignored while running, so that a closed pipe is an error the run can stop at.)
    static func endByClosedPipe() -> Never {
        signal(SIGPIPE, SIG_DFL)
        raise(SIGPIPE)
        exit(128 + SIGPIPE)
    }
}
