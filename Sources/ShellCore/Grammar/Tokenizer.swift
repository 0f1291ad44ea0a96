/// Splits one command line into words, the same way for every input path (terminal, script, `-c`, stdin).
///
/// Rules, a small subset of the POSIX shell's that operators already know:
/// - words are separated by blanks (space, tab);
/// - `'single quotes'` keep everything literally;
/// - `"double quotes"` allow `\"`, `\\` and `\` before any other character, which stays literal;
/// - outside quotes a backslash escapes the next character;
/// - `#` at the start of a word, outside quotes, starts a comment that runs to the end of the line;
/// - a line's first word that starts with a backslash is taken as it is: psql-style aliases
///   (`\q`, `\?`, `\i FILE`) are command words, not escapes.
public enum Tokenizer {
    public static func tokenize(_ line: String) throws(ShellError) -> [String] {
        try tokenizeWithOffsets(line).map(\.text)
    }

    /// A word and where it started in the line (in `Character`s), which completion needs.
    public struct Word: Equatable, Sendable {
        public var text: String
        public var start: Int
    }

    /// Like `tokenize`, but also tells whether the line ended inside quotes (for completion of a
    /// half-typed quoted word) instead of failing.
    public static func tokenizeWithOffsets(_ line: String, lenient: Bool = false) throws(ShellError) -> [Word] {
        enum Quote { case none, single, double }
        var words: [Word] = []
        var current = ""
        var inWord = false
        var wordStart = 0
        var quote = Quote.none
        var escaping = false
        var position = 0

        func finishWord() {
            if inWord { words.append(Word(text: current, start: wordStart)) }
            current = ""
            inWord = false
        }

        for character in line {
            defer { position += 1 }
            if words.isEmpty && character == "\\" && !escaping && quote == .none && (!inWord || current.hasPrefix("\\"))
            {
                if !inWord {
                    inWord = true
                    wordStart = position
                }
                current.append(character)
                continue
            }
            if escaping {
                if quote == .double && character != "\"" && character != "\\" {
                    current.append("\\")
                }
                current.append(character)
                escaping = false
                continue
            }
            switch quote {
            case .single:
                if character == "'" { quote = .none } else { current.append(character) }
                continue
            case .double:
                if character == "\"" {
                    quote = .none
                } else if character == "\\" {
                    escaping = true
                } else {
                    current.append(character)
                }
                continue
            case .none:
                break
            }
            switch character {
            case " ", "\t", "\r", "\n":
                finishWord()
            case "#" where !inWord:
                finishWord()
                return words
            case "'", "\"", "\\":
                if !inWord {
                    inWord = true
                    wordStart = position
                }
                if character == "'" {
                    quote = .single
                } else if character == "\"" {
                    quote = .double
                } else {
                    escaping = true
                }
            default:
                if !inWord {
                    inWord = true
                    wordStart = position
                }
                current.append(character)
            }
        }
        if quote != .none && !lenient {
            throw .unterminatedQuote(single: quote == .single)
        }
        if escaping { current.append("\\") }
        if inWord || quote != .none { words.append(Word(text: current, start: wordStart)) }
        return words
    }
}
