/// Tokenizer for the CEL subset.

struct CELToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case identifier(String)
        case int(Int64)
        case uint(UInt64)
        case double(Double)
        case string(String)
        case bytes([UInt8])
        case symbol(String)
        case end
    }
    var kind: Kind
    /// 0-based offset into the source, for error columns.
    var offset: Int
}

struct CELLexer {
    let chars: [Character]
    var pos = 0

    init(_ source: String) { chars = Array(source) }

    static func tokenize(_ source: String) throws(CELError) -> [CELToken] {
        var lexer = CELLexer(source)
        var tokens: [CELToken] = []
        while true {
            let t = try lexer.next()
            tokens.append(t)
            if t.kind == .end { return tokens }
        }
    }

    func error(_ message: String, at offset: Int) -> CELError {
        CELError("ERROR: <input>:1:\(offset + 1): Syntax error: \(message)")
    }

    var peek: Character? { pos < chars.count ? chars[pos] : nil }
    func peek(_ n: Int) -> Character? { pos + n < chars.count ? chars[pos + n] : nil }

    mutating func next() throws(CELError) -> CELToken {
        while let c = peek, c.isWhitespace { pos += 1 }
        if peek == "/" && peek(1) == "/" {
            while let c = peek, c != "\n" { pos += 1 }
            return try next()
        }
        let start = pos
        guard let c = peek else { return CELToken(kind: .end, offset: pos) }
        if c.isLetter || c == "_" {
            if (c == "r" || c == "R" || c == "b" || c == "B"), let q = peek(1), q == "\"" || q == "'" {
                pos += 1
                let s = try readString(raw: c == "r" || c == "R")
                return CELToken(kind: c == "b" || c == "B" ? .bytes(Array(s.utf8)) : .string(s), offset: start)
            }
            var name = ""
            while let d = peek, d.isLetter || d.isNumber || d == "_" { name.append(d); pos += 1 }
            return CELToken(kind: .identifier(name), offset: start)
        }
        if c.isASCII && c.isNumber || (c == "." && peek(1).map { $0.isASCII && $0.isNumber } == true) {
            return try readNumber(start: start)
        }
        if c == "\"" || c == "'" {
            return CELToken(kind: .string(try readString(raw: false)), offset: start)
        }
        for symbol in ["==", "!=", "<=", ">=", "&&", "||"] where String(chars[pos..<min(pos + 2, chars.count)]) == symbol {
            pos += 2
            return CELToken(kind: .symbol(symbol), offset: start)
        }
        if "+-*/%<>!?:.,[](){}".contains(c) {
            pos += 1
            return CELToken(kind: .symbol(String(c)), offset: start)
        }
        throw error("token recognition error at: '\(c)'", at: start)
    }

    mutating func readNumber(start: Int) throws(CELError) -> CELToken {
        if peek == "0", peek(1) == "x" || peek(1) == "X" {
            pos += 2
            var hex = ""
            while let d = peek, d.isHexDigit { hex.append(d); pos += 1 }
            if peek == "u" || peek == "U" {
                pos += 1
                guard let u = UInt64(hex, radix: 16) else { throw error("invalid uint literal", at: start) }
                return CELToken(kind: .uint(u), offset: start)
            }
            guard let i = Int64(hex, radix: 16) else { throw error("invalid int literal", at: start) }
            return CELToken(kind: .int(i), offset: start)
        }
        var text = ""
        var isDouble = false
        while let d = peek, d.isASCII && d.isNumber { text.append(d); pos += 1 }
        if peek == ".", let d = peek(1), d.isASCII && d.isNumber {
            isDouble = true
            text.append("."); pos += 1
            while let d = peek, d.isASCII && d.isNumber { text.append(d); pos += 1 }
        }
        if peek == "e" || peek == "E" {
            isDouble = true
            text.append("e"); pos += 1
            if peek == "+" || peek == "-" { text.append(peek ?? "+"); pos += 1 }
            while let d = peek, d.isASCII && d.isNumber { text.append(d); pos += 1 }
        }
        if isDouble {
            guard let d = Double(text) else { throw error("invalid double literal \(text)", at: start) }
            return CELToken(kind: .double(d), offset: start)
        }
        if peek == "u" || peek == "U" {
            pos += 1
            guard let u = UInt64(text) else { throw error("invalid uint literal", at: start) }
            return CELToken(kind: .uint(u), offset: start)
        }
        guard let i = Int64(text) else { throw error("invalid int literal", at: start) }
        return CELToken(kind: .int(i), offset: start)
    }

    mutating func readString(raw: Bool) throws(CELError) -> String {
        let start = pos
        guard let quote = peek else { throw error("missing quote", at: pos) }
        let triple = peek(1) == quote && peek(2) == quote
        pos += triple ? 3 : 1
        var s = ""
        while true {
            guard let c = peek else { throw error("unterminated string", at: start) }
            if triple {
                if c == quote && peek(1) == quote && peek(2) == quote { pos += 3; return s }
            } else if c == quote {
                pos += 1
                return s
            } else if c == "\n" {
                throw error("unterminated string", at: start)
            }
            if c == "\\" && !raw {
                pos += 1
                guard let e = peek else { throw error("unterminated string", at: start) }
                pos += 1
                switch e {
                case "n": s.append("\n")
                case "t": s.append("\t")
                case "r": s.append("\r")
                case "a": s.append("\u{07}")
                case "b": s.append("\u{08}")
                case "f": s.append("\u{0C}")
                case "v": s.append("\u{0B}")
                case "\\", "'", "\"", "`", "?": s.append(e)
                case "u", "U", "x":
                    let count = e == "u" ? 4 : e == "U" ? 8 : 2
                    var hex = ""
                    for _ in 0..<count { if let h = peek, h.isHexDigit { hex.append(h); pos += 1 } }
                    guard hex.count == count, let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v) else {
                        throw error("invalid escape sequence", at: pos)
                    }
                    s.unicodeScalars.append(scalar)
                default:
                    if e.isASCII, let d0 = e.wholeNumberValue, d0 < 8 {
                        // Octal escape: exactly three digits.
                        var v = UInt32(d0)
                        for _ in 0..<2 { if let d = peek?.wholeNumberValue, d < 8 { v = v * 8 + UInt32(d); pos += 1 } }
                        if let scalar = Unicode.Scalar(v) { s.unicodeScalars.append(scalar) }
                    } else {
                        throw error("invalid escape sequence \\\(e)", at: pos - 2)
                    }
                }
                continue
            }
            s.append(c)
            pos += 1
        }
    }
}
