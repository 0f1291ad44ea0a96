import CEdit
import ShellCore

#if canImport(Glibc)
import Glibc
#endif

/// Line editing, TAB completion and Ctrl-C for the terminal, over libedit's native API.
///
/// libedit's callbacks are plain C function pointers: they find this object again through
/// `EL_CLIENTDATA`, never through captured context. Ctrl-C is handled inside the editor: while a
/// line is edited the terminal's interrupt character is switched off (see `readLine`), so `^C`
/// arrives as a key, bound to a function that ends the line as abandoned. A SIGINT handler around
/// `el_gets` would lose typed input and leave libedit in line mode.
final class LineEditor: LineSource {
    let name = "<terminal>"
    let directory = "."
    let isInteractive = true
    private let editline: OpaquePointer
    private let libeditHistory: OpaquePointer
    private let history: HistoryFile?
    private let completer: (String) -> Completer.Completion
    /// The prompt libedit shows: `prompt`, or `continuationPrompt` while a line goes on.
    private var promptBuffer: UnsafeMutablePointer<CChar>
    private let prompt: UnsafeMutablePointer<CChar>
    /// `             > ` under `127.0.0.1:2379> `: the line that ended in a backslash goes on.
    private let continuationPrompt: UnsafeMutablePointer<CChar>
    private var cancelled = false
    private var lastTabLine: String?
    private var number = 0

    init(prompt: String, history: HistoryFile?, completer: @escaping (String) -> Completer.Completion) {
        setlocale(LC_ALL, "")
        // Table widths come from wcwidth, which needs UTF-8 character types whatever LANG says.
        DisplayWidth.useUTF8CharacterTypes()
        self.history = history
        self.completer = completer
        self.prompt = strdup(prompt)
        self.continuationPrompt = strdup(String(repeating: " ", count: max(0, prompt.count - 2)) + "> ")
        self.promptBuffer = self.prompt
        editline = el_init("calico-shell", fdopen(0, "r"), fdopen(1, "w"), fdopen(2, "w"))
        libeditHistory = cedit_history_init()
        cedit_history_set_size(libeditHistory, Int32(HistoryFile.capacity))
        cedit_history_set_unique(libeditHistory, 1)
        cedit_use_history(editline, libeditHistory)
        for line in history?.load() ?? [] { cedit_history_enter(libeditHistory, line) }

        cedit_set_client_data(editline, Unmanaged.passUnretained(self).toOpaque())
        cedit_set_editor(editline, "emacs")
        cedit_set_signal(editline, 1)
        cedit_set_prompt(editline) { editline in
            guard let editline, let data = cedit_get_client_data(editline) else { return nil }
            return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue().promptBuffer
        }
        cedit_add_function(editline, "calico-cancel", "Abandon the line") { editline, _ in
            guard let editline, let data = cedit_get_client_data(editline) else { return UInt8(CC_ERROR) }
            Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue().cancelled = true
            cedit_abandon_line(editline)
            return UInt8(CC_NEWLINE)
        }
        cedit_bind(editline, "^C", "calico-cancel")
        cedit_add_function(editline, "calico-complete", "Complete the word") { editline, _ in
            guard let editline, let data = cedit_get_client_data(editline) else { return UInt8(CC_ERROR) }
            return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue().complete()
        }
        cedit_bind(editline, "^I", "calico-complete")
        cedit_bind(editline, "^R", "em-inc-search-prev")
        // The user's own key bindings ($EDITRC or ~/.editrc) win over ours.
        el_source(editline, nil)
    }

    deinit {
        el_end(editline)
        history_end(libeditHistory)
        free(prompt)
        free(continuationPrompt)
    }

    // The terminal's reads block their thread: the interactive shell runs on Swift's own thread
    // pool, never on NIO's event loops (see `ShellMain.run`).
    func readContinuationLine() async -> SourceLine? {
        promptBuffer = continuationPrompt
        defer { promptBuffer = prompt }
        return readEditedLine()
    }

    func readLine() async -> SourceLine? {
        readEditedLine()
    }

    private func readEditedLine() -> SourceLine? {
        cancelled = false
        lastTabLine = nil
        var count: Int32 = 0
        let raw = InterruptKey.disabled { el_gets(editline, &count) }
        // An abandoned line is checked first: abandoned while empty, libedit returns no text at all,
        // which must not be taken for the end of input. It is neither run nor kept in history.
        if cancelled {
            number += 1
            return SourceLine(text: "", number: number)
        }
        guard let raw, count > 0 else {
            StandardStreams().standardOutput("\n")
            return nil
        }
        var text = String(cString: raw)
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        number += 1
        if !text.trimmingLeadingBlanksCount.isEmpty && !text.hasPrefix(" ") {
            cedit_history_enter(libeditHistory, text)
            history?.append(text)
        }
        return SourceLine(text: text, number: number)
    }

    /// The answer to a question (`Apply? [y/N] `), read with the question as the prompt; kept out of
    /// the history. Ctrl-C or Ctrl-D abandons it (nil: no).
    func answer(_ question: String) async -> String? {
        guard let questionPrompt = strdup(question) else { return nil }
        promptBuffer = questionPrompt
        defer {
            promptBuffer = prompt
            free(questionPrompt)
        }
        cancelled = false
        var count: Int32 = 0
        let raw = InterruptKey.disabled { el_gets(editline, &count) }
        if cancelled { return nil }
        guard let raw, count > 0 else {
            StandardStreams().standardOutput("\n")
            return nil
        }
        var text = String(cString: raw)
        while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
        return text
    }

    /// TAB: a unique candidate completes (with a space); several complete their common prefix, and
    /// a second TAB on the same line lists them in columns (the first 100, and how many more).
    private func complete() -> UInt8 {
        var buffer = [CChar](repeating: 0, count: maximumLineLength)
        let length = cedit_line_before_cursor(editline, &buffer, Int32(buffer.count))
        let line = String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let completion = completer(line)
        let typed = String(line.dropFirst(completion.wordStart))
        guard !completion.candidates.isEmpty else { return UInt8(CC_REFRESH_BEEP) }
        let common = Self.commonPrefix(completion.candidates)
        if completion.candidates.count == 1 {
            let word = completion.candidates[0]
            let added = String(word.dropFirst(typed.count)) + (word.hasSuffix("=") ? "" : " ")
            insert(added)
            // `--host=` is a word whose value is still to come: like a word completed only as far as
            // its common prefix, the next TAB lists the candidates at once instead of beeping first.
            lastTabLine = word.hasSuffix("=") ? line + added : nil
            return UInt8(CC_REFRESH)
        }
        if common.count > typed.count {
            let added = String(common.dropFirst(typed.count))
            insert(added)
            lastTabLine = line + added
            return UInt8(CC_REFRESH)
        }
        if lastTabLine == line {
            StandardStreams().standardOutput(
                "\n" + Self.columns(Array(completion.candidates.prefix(100)), total: completion.total)
            )
            lastTabLine = nil
            return UInt8(CC_REDISPLAY)
        }
        lastTabLine = line
        return UInt8(CC_REFRESH_BEEP)
    }

    private func insert(_ text: String) {
        guard !text.isEmpty else { return }
        cedit_insert(editline, text)
    }

    static func commonPrefix(_ words: [String]) -> String {
        guard var prefix = words.first else { return "" }
        for word in words.dropFirst() {
            while !word.hasPrefix(prefix) { prefix.removeLast() }
        }
        return prefix
    }

    /// Candidates laid out in columns for an 80-column terminal; names from etcd are shown escaped.
    static func columns(_ candidates: [String], total: Int) -> String {
        let words = candidates.map(DisplayEscaping.visible)
        let width = (words.map(\.count).max() ?? 0) + 2
        let perLine = max(1, 80 / max(width, 1))
        var out = ""
        for (i, word) in words.enumerated() {
            out += word.padding(toLength: width, withPad: " ", startingAt: 0)
            if (i + 1) % perLine == 0 || i == words.count - 1 { out += "\n" }
        }
        if total > words.count { out += "… and \(total - words.count) more (type more of the word)\n" }
        return out
    }
}

extension String {
    var trimmingLeadingBlanksCount: Substring { drop { $0 == " " || $0 == "\t" } }
}
