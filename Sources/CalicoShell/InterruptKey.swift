#if canImport(Glibc)
import Glibc
#endif

/// Switches the terminal's interrupt character (normally ^C) off while a line is being edited, so
/// that ^C reaches libedit as a key (bound to "abandon the line") instead of raising SIGINT; it is
/// back on while a command runs, so ^C then cancels the command.
///
/// Done on the terminal itself, around `el_gets`: libedit derives its editing mode from the
/// terminal's settings each time it starts reading, and silently dropped `EL_SETTY intr=` when it
/// did (the interrupt character stayed ^C, and ^C threw libedit back into line mode).
enum InterruptKey {
    static func disabled<Result>(_ body: () -> Result) -> Result {
        var saved = termios()
        guard tcgetattr(0, &saved) == 0 else { return body() }
        var editing = saved
        // VINTR is an index into c_cc, a C array Swift sees as a tuple.
        withUnsafeMutableBytes(of: &editing.c_cc) { bytes in
            bytes[Int(VINTR)] = 0  // _POSIX_VDISABLE on Linux
        }
        // TCSANOW, never TCSAFLUSH: keys typed ahead must not be lost.
        tcsetattr(0, TCSANOW, &editing)
        defer { tcsetattr(0, TCSANOW, &saved) }
        return body()
    }
}
