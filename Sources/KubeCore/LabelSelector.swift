/// A parsed label selector, the string form of `?labelSelector=` (apimachinery
/// `labels.Parse`): `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x,y)`, `a`, `!a`,
/// `a>1`, `a<1`, joined by commas (AND).
public struct LabelSelector: Sendable, Hashable, CustomStringConvertible {
    public enum Operator: String, Sendable, Hashable {
        case equals = "="
        case doubleEquals = "=="
        case notEquals = "!="
        case `in` = "in"
        case notIn = "notin"
        case exists = "exists"
        case doesNotExist = "!"
        case greaterThan = "gt"
        case lessThan = "lt"
    }

    public struct Requirement: Sendable, Hashable {
        public var key: String
        public var op: Operator
        public var values: [String]

        public init(key: String, op: Operator, values: [String] = []) {
            self.key = key
            self.op = op
            self.values = values
        }

        public func matches(_ labels: [String: String]) -> Bool {
            let value = labels[key]
            switch op {
            case .equals, .doubleEquals, .in:
                guard let value else { return false }
                return values.contains(value)
            case .notEquals, .notIn:
                guard let value else { return true }
                return !values.contains(value)
            case .exists: return value != nil
            case .doesNotExist: return value == nil
            case .greaterThan, .lessThan:
                guard let value, let have = Int64(value), let bound = values.first.flatMap({ Int64($0) }) else { return false }
                return op == .greaterThan ? have > bound : have < bound
            }
        }

        var rendered: String {
            switch op {
            case .exists: return key
            case .doesNotExist: return "!\(key)"
            case .in: return "\(key) in (\(values.sorted().joined(separator: ",")))"
            case .notIn: return "\(key) notin (\(values.sorted().joined(separator: ",")))"
            case .greaterThan: return "\(key)>\(values.first ?? "")"
            case .lessThan: return "\(key)<\(values.first ?? "")"
            default: return "\(key)\(op.rawValue)\(values.first ?? "")"
            }
        }
    }

    public var requirements: [Requirement]

    public init(requirements: [Requirement] = []) { self.requirements = requirements }

    /// Equality requirements for each label: the selector of `matchLabels`.
    public init(matchLabels: [String: String]) {
        self.requirements = matchLabels.keys.sorted().map { Requirement(key: $0, op: .equals, values: [matchLabels[$0] ?? ""]) }
    }

    /// `metav1.LabelSelector` as JSON (`matchLabels`, `matchExpressions`).
    public init(labelSelectorObject object: JSONValue) throws(SelectorParseError) {
        var reqs = LabelSelector(matchLabels: object["matchLabels"].stringMap).requirements
        for expr in object["matchExpressions"].arrayValue ?? [] {
            guard let key = expr["key"].stringValue, let op = expr["operator"].stringValue else {
                throw SelectorParseError(message: "matchExpressions entries need a key and an operator")
            }
            let values = (expr["values"].arrayValue ?? []).compactMap(\.stringValue)
            switch op {
            case "In": reqs.append(Requirement(key: key, op: .in, values: values))
            case "NotIn": reqs.append(Requirement(key: key, op: .notIn, values: values))
            case "Exists": reqs.append(Requirement(key: key, op: .exists))
            case "DoesNotExist": reqs.append(Requirement(key: key, op: .doesNotExist))
            default: throw SelectorParseError(message: "\"\(op)\" is not a valid label selector operator")
            }
        }
        self.requirements = reqs
    }

    public var isEverything: Bool { requirements.isEmpty }

    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { $0.matches(labels) }
    }

    public var description: String { requirements.map(\.rendered).joined(separator: ",") }

    /// Parses the string form. Errors read like apimachinery's.
    public static func parse(_ text: String) throws(SelectorParseError) -> LabelSelector {
        var lexer = SelectorLexer(text)
        var reqs: [Requirement] = []
        var tokens: [SelectorLexer.Token] = []
        while let t = try lexer.next() { tokens.append(t) }
        var i = 0
        func peek() -> SelectorLexer.Token? { i < tokens.count ? tokens[i] : nil }
        while i < tokens.count {
            var negate = false
            if case .bang = tokens[i] { negate = true; i += 1 }
            guard case .identifier(let key) = peek() else {
                throw SelectorParseError(message: "found '\(peek()?.text ?? "")', expected: identifier")
            }
            i += 1
            try validateLabelKey(key)
            if negate {
                reqs.append(Requirement(key: key, op: .doesNotExist))
            } else {
                switch peek() {
                case nil, .comma:
                    reqs.append(Requirement(key: key, op: .exists))
                case .equals, .doubleEquals, .notEquals, .greaterThan, .lessThan:
                    let opToken = tokens[i]
                    i += 1
                    var value = ""
                    if case .identifier(let v) = peek() {
                        value = v
                        i += 1
                    } else if opToken == .greaterThan || opToken == .lessThan {
                        throw SelectorParseError(message: "found '\(peek()?.text ?? "")', expected: number")
                    }
                    let op: Operator
                    switch opToken {
                    case .equals: op = .equals
                    case .doubleEquals: op = .doubleEquals
                    case .notEquals: op = .notEquals
                    case .greaterThan: op = .greaterThan
                    default: op = .lessThan
                    }
                    if op == .greaterThan || op == .lessThan {
                        guard Int64(value) != nil else {
                            throw SelectorParseError(message: "for 'Gt', 'Lt' operators, the value must be an integer")
                        }
                    } else {
                        try validateLabelValue(value)
                    }
                    reqs.append(Requirement(key: key, op: op, values: [value]))
                case .identifier(let word) where word == "in" || word == "notin":
                    i += 1
                    guard case .openParen = peek() else {
                        throw SelectorParseError(message: "found '\(peek()?.text ?? "")', expected: '('")
                    }
                    i += 1
                    var values: [String] = []
                    var expectValue = true
                    loop: while true {
                        switch peek() {
                        case .closeParen?:
                            if expectValue && !values.isEmpty { values.append("") }
                            i += 1
                            break loop
                        case .comma?:
                            if expectValue { values.append("") }
                            expectValue = true
                            i += 1
                        case .identifier(let v)?:
                            guard expectValue else { throw SelectorParseError(message: "found '\(v)', expected: ',' or ')'") }
                            try validateLabelValue(v)
                            values.append(v)
                            expectValue = false
                            i += 1
                        default:
                            throw SelectorParseError(message: "found '\(peek()?.text ?? "")', expected: ',', ')' or identifier")
                        }
                    }
                    if values.isEmpty { values = [""] }
                    reqs.append(Requirement(key: key, op: word == "in" ? .in : .notIn, values: values))
                default:
                    throw SelectorParseError(message: "found '\(peek()?.text ?? "")', expected: in, notin, =, ==, !=, gt, lt")
                }
            }
            switch peek() {
            case nil: break
            case .comma?:
                i += 1
                if i == tokens.count { throw SelectorParseError(message: "found '', expected: identifier after ','") }
            default:
                throw SelectorParseError(message: "found '\(peek()?.text ?? "")', expected: ','")
            }
        }
        return LabelSelector(requirements: reqs)
    }
}

public struct SelectorParseError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

struct SelectorLexer {
    enum Token: Equatable {
        case identifier(String)
        case comma, equals, doubleEquals, notEquals, bang, openParen, closeParen, greaterThan, lessThan

        var text: String {
            switch self {
            case .identifier(let s): return s
            case .comma: return ","
            case .equals: return "="
            case .doubleEquals: return "=="
            case .notEquals: return "!="
            case .bang: return "!"
            case .openParen: return "("
            case .closeParen: return ")"
            case .greaterThan: return ">"
            case .lessThan: return "<"
            }
        }
    }

    let chars: [Character]
    var index = 0
    init(_ text: String) { chars = Array(text) }

    static let special: Set<Character> = [" ", "\t", "\n", ",", "=", "!", "(", ")", "<", ">"]

    mutating func next() throws(SelectorParseError) -> Token? {
        while index < chars.count, chars[index] == " " || chars[index] == "\t" || chars[index] == "\n" { index += 1 }
        guard index < chars.count else { return nil }
        let c = chars[index]
        switch c {
        case ",": index += 1; return .comma
        case "(": index += 1; return .openParen
        case ")": index += 1; return .closeParen
        case ">": index += 1; return .greaterThan
        case "<": index += 1; return .lessThan
        case "=":
            index += 1
            if index < chars.count && chars[index] == "=" { index += 1; return .doubleEquals }
            return .equals
        case "!":
            index += 1
            if index < chars.count && chars[index] == "=" { index += 1; return .notEquals }
            return .bang
        default:
            var s = ""
            while index < chars.count, !Self.special.contains(chars[index]) {
                s.append(chars[index])
                index += 1
            }
            return .identifier(s)
        }
    }
}
