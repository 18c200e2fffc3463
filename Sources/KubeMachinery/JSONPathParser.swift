/// Recursive-descent parser for `JSONPathExpression`.
import KubeCore

struct JSONPathParser {
    typealias Segment = JSONPathExpression.Segment
    var text: [Character]
    var source: String
    var pos = 0

    init(text: [Character], source: String) {
        self.text = text
        self.source = source
    }

    var atEnd: Bool { pos >= text.count }
    var peek: Character? { atEnd ? nil : text[pos] }

    func error(_ what: String) -> JSONPathError {
        JSONPathError("invalid JSONPath \(source): \(what) at position \(pos)")
    }

    mutating func skipSpaces() { while peek == " " { pos += 1 } }

    /// Segments until the end, or until `)` when parsing a filter's `@` path.
    mutating func parseSegments(untilClose close: Character?) throws(JSONPathError) -> [Segment] {
        var segments: [Segment] = []
        while let c = peek {
            if let close, c == close || c == " " || "=!<>".contains(c) { break }
            switch c {
            case ".":
                pos += 1
                if peek == "." {
                    pos += 1
                    let name = peek == "*" ? { pos += 1; return "*" }() : parseName()
                    guard !name.isEmpty else { throw error("expected a name after ..") }
                    segments.append(.recursive(name))
                } else if peek == "*" {
                    pos += 1
                    segments.append(.wildcard)
                } else if peek == "[" || atEnd {
                    continue  // `.` alone (the whole value) or `.[0]`
                } else {
                    let name = parseName()
                    guard !name.isEmpty else { throw error("expected a field name") }
                    segments.append(.field(name))
                }
            case "[":
                pos += 1
                segments.append(try parseBracket())
            default:
                if segments.isEmpty && close == nil {
                    // A bare leading name, as in `metadata.name`.
                    let name = parseName()
                    guard !name.isEmpty else { throw error("unexpected \"\(c)\"") }
                    segments.append(.field(name))
                } else {
                    throw error("unexpected \"\(c)\"")
                }
            }
        }
        return segments
    }

    /// A field name: anything up to `.`, `[`, or an operator; `\.` escapes a dot.
    mutating func parseName() -> String {
        var name = ""
        while let c = peek {
            if c == "\\", pos + 1 < text.count { name.append(text[pos + 1]); pos += 2; continue }
            if c == "." || c == "[" || c == " " || c == ")" || "=!<>".contains(c) { break }
            name.append(c)
            pos += 1
        }
        return name
    }

    mutating func parseBracket() throws(JSONPathError) -> Segment {
        skipSpaces()
        if peek == "*" {
            pos += 1
            try expect("]")
            return .wildcard
        }
        if peek == "?" {
            pos += 1
            try expect("(")
            skipSpaces()
            try expect("@")
            let path = try parseSegments(untilClose: ")")
            skipSpaces()
            var comparison: (op: String, literal: JSONValue)?
            if let c = peek, "=!<>".contains(c) {
                var op = String(c)
                pos += 1
                if peek == "=" { op.append("="); pos += 1 }
                guard ["==", "!=", "<", ">", "<=", ">="].contains(op) else { throw error("unknown operator \(op)") }
                skipSpaces()
                comparison = (op, try parseLiteral())
                skipSpaces()
            }
            try expect(")")
            try expect("]")
            return .filter(.init(path: path, comparison: comparison))
        }
        if peek == "'" || peek == "\"" {
            var names: [String] = []
            while true {
                guard case .string(let s) = try parseLiteral() else { throw error("expected a quoted name") }
                names.append(s)
                skipSpaces()
                if peek == "," { pos += 1; skipSpaces(); continue }
                break
            }
            try expect("]")
            return names.count == 1 ? .field(names[0]) : .union(names)
        }
        let first = parseInt()
        skipSpaces()
        if peek == ":" {
            pos += 1
            let end = parseInt()
            skipSpaces()
            if peek == ":" { pos += 1; _ = parseInt() }  // step: accepted, ignored (always 1 in practice)
            try expect("]")
            return .slice(first, end)
        }
        guard let first else { throw error("expected an index") }
        try expect("]")
        return .index(first)
    }

    mutating func parseInt() -> Int? {
        var digits = ""
        if peek == "-" { digits.append("-"); pos += 1 }
        while let c = peek, c.isASCII, c.isNumber { digits.append(c); pos += 1 }
        return Int(digits)
    }

    mutating func parseLiteral() throws(JSONPathError) -> JSONValue {
        guard let c = peek else { throw error("expected a value") }
        if c == "'" || c == "\"" {
            pos += 1
            var s = ""
            while let d = peek, d != c {
                if d == "\\", pos + 1 < text.count { s.append(text[pos + 1]); pos += 2; continue }
                s.append(d)
                pos += 1
            }
            try expect(c)
            return .string(s)
        }
        var word = ""
        while let d = peek, d != ")", d != " ", d != "]" { word.append(d); pos += 1 }
        switch word {
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "null", "nil": return .null
        default:
            if let i = Int64(word) { return .int(i) }
            if let d = Double(word) { return .double(d) }
            throw error("invalid literal \(word)")
        }
    }

    mutating func expect(_ c: Character) throws(JSONPathError) {
        skipSpaces()
        guard peek == c else { throw error("expected \"\(c)\"") }
        pos += 1
    }
}
