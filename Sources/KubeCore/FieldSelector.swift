/// A parsed field selector (`?fieldSelector=metadata.name=x,status.phase!=Failed`),
/// following apimachinery `fields.ParseSelector`: terms joined by `,`, each `=`, `==`
/// or `!=`, with `\` escaping `,`, `=` and `!` inside values.
public struct FieldSelector: Sendable, Hashable, CustomStringConvertible {
    public struct Requirement: Sendable, Hashable {
        public var field: String
        public var negated: Bool
        public var value: String

        public init(field: String, negated: Bool = false, value: String) {
            self.field = field
            self.negated = negated
            self.value = value
        }
    }

    public var requirements: [Requirement]

    public init(requirements: [Requirement] = []) { self.requirements = requirements }

    public var isEverything: Bool { requirements.isEmpty }
    public var fields: [String] { requirements.map(\.field) }

    /// Matches given the object's selectable fields; a missing field counts as "".
    public func matches(_ fields: [String: String]) -> Bool {
        requirements.allSatisfy { r in
            let v = fields[r.field] ?? ""
            return r.negated ? v != r.value : v == r.value
        }
    }

    /// The value required for `field` by an `=` term, if any (used to narrow a lookup,
    /// e.g. `metadata.name=x` turns a list into a get).
    public func requiredValue(for field: String) -> String? {
        requirements.first { $0.field == field && !$0.negated }?.value
    }

    public var description: String {
        requirements.map { "\($0.field)\($0.negated ? "!=" : "=")\(escape($0.value))" }.joined(separator: ",")
    }

    private func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            if c == "\\" || c == "," || c == "=" || c == "!" { out.append("\\") }
            out.append(c)
        }
        return out
    }

    public static func parse(_ text: String) throws(SelectorParseError) -> FieldSelector {
        if text.trimmingCharacters(in: " ").isEmpty { return FieldSelector() }
        var terms: [String] = []
        var current = ""
        var escaped = false
        for c in text {
            if escaped { current.append("\\"); current.append(c); escaped = false; continue }
            if c == "\\" { escaped = true; continue }
            if c == "," { terms.append(current); current = ""; continue }
            current.append(c)
        }
        if escaped { throw SelectorParseError(message: "invalid field selector: trailing backslash in \"\(text)\"") }
        terms.append(current)
        var reqs: [Requirement] = []
        for term in terms {
            guard let (field, negated, rawValue) = splitTerm(term) else {
                throw SelectorParseError(message: "invalid selector: '\(text)'; can't understand '\(term)'")
            }
            reqs.append(Requirement(field: field, negated: negated, value: unescape(rawValue)))
        }
        return FieldSelector(requirements: reqs)
    }

    private static func splitTerm(_ term: String) -> (String, Bool, String)? {
        let chars = Array(term)
        var i = 0
        while i < chars.count {
            if chars[i] == "\\" { i += 2; continue }
            if chars[i] == "!" && i + 1 < chars.count && chars[i + 1] == "=" {
                return (String(chars[0..<i]).trimmingCharacters(in: " "), true, String(chars[(i + 2)...]))
            }
            if chars[i] == "=" {
                let rest = i + 1 < chars.count && chars[i + 1] == "=" ? i + 2 : i + 1
                return (String(chars[0..<i]).trimmingCharacters(in: " "), false, String(chars[rest...]))
            }
            i += 1
        }
        return nil
    }

    private static func unescape(_ s: String) -> String {
        var out = ""
        var escaped = false
        for c in s {
            if escaped { out.append(c); escaped = false; continue }
            if c == "\\" { escaped = true; continue }
            out.append(c)
        }
        return out
    }
}

extension String {
    func trimmingCharacters(in c: Character) -> String {
        var s = Substring(self)
        while s.first == c { s = s.dropFirst() }
        while s.last == c { s = s.dropLast() }
        return String(s)
    }
}
