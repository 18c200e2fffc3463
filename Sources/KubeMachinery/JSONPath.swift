/// The JSONPath subset kubectl and CRD printer columns use: `.a.b`, `[0]`, `[*]`, `.*`,
/// `..name`, `['key']`, `[1:3]`, and filters like `[?(@.type=="Ready")]`.
import KubeCore

public struct JSONPathError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public struct JSONPathExpression: Sendable {
    indirect enum Segment: Sendable, Equatable {
        case field(String)
        case recursive(String)
        case wildcard
        case index(Int)
        case slice(Int?, Int?)
        case union([String])
        case filter(FilterExpression)
    }

    struct FilterExpression: Sendable, Equatable {
        var path: [Segment]
        /// nil: existence test.
        var comparison: (op: String, literal: JSONValue)?

        static func == (a: Self, b: Self) -> Bool {
            a.path == b.path && a.comparison?.op == b.comparison?.op && a.comparison?.literal == b.comparison?.literal
        }
    }

    public let text: String
    let segments: [Segment]

    /// Accepts `.spec.replicas` or the template form `{.spec.replicas}`.
    public init(_ text: String) throws(JSONPathError) {
        self.text = text
        var body = Substring(text.trimmingWhitespace())
        if body.hasPrefix("{") && body.hasSuffix("}") { body = body.dropFirst().dropLast() }
        if body.hasPrefix("$") { body = body.dropFirst() }
        var parser = JSONPathParser(text: Array(body), source: text)
        segments = try parser.parseSegments(untilClose: nil)
    }

    /// Every value the path selects, in document order; an empty list when nothing matches.
    public func evaluate(_ value: JSONValue) -> [JSONValue] {
        Self.evaluate(segments[...], on: [value])
    }

    static func evaluate(_ segments: ArraySlice<Segment>, on values: [JSONValue]) -> [JSONValue] {
        var current = values
        for segment in segments {
            current = current.flatMap { apply(segment, to: $0) }
        }
        return current
    }

    static func apply(_ segment: Segment, to value: JSONValue) -> [JSONValue] {
        switch segment {
        case .field(let name):
            if case .object(let o) = value, let v = o[name] { return [v] }
            return []
        case .union(let names):
            guard case .object(let o) = value else { return [] }
            return names.compactMap { o[$0] }
        case .recursive(let name):
            var found: [JSONValue] = []
            collect(name, in: value, into: &found)
            return found
        case .wildcard:
            switch value {
            case .array(let a): return a
            case .object(let o): return o.keys.sorted().compactMap { o[$0] }
            default: return []
            }
        case .index(let i):
            guard case .array(let a) = value else { return [] }
            let index = i < 0 ? a.count + i : i
            return a.indices.contains(index) ? [a[index]] : []
        case .slice(let start, let end):
            guard case .array(let a) = value else { return [] }
            func clamp(_ i: Int) -> Int { max(0, min(a.count, i < 0 ? a.count + i : i)) }
            let s = clamp(start ?? 0), e = clamp(end ?? a.count)
            return s < e ? Array(a[s..<e]) : []
        case .filter(let f):
            guard case .array(let a) = value else { return [] }
            return a.filter { f.matches($0) }
        }
    }

    static func collect(_ name: String, in value: JSONValue, into found: inout [JSONValue]) {
        switch value {
        case .object(let o):
            if name == "*" { found += o.keys.sorted().compactMap { o[$0] } } else if let v = o[name] { found.append(v) }
            for key in o.keys.sorted() { if let v = o[key] { collect(name, in: v, into: &found) } }
        case .array(let a):
            for v in a { collect(name, in: v, into: &found) }
        default: break
        }
    }
}

extension JSONPathExpression.FilterExpression {
    func matches(_ item: JSONValue) -> Bool {
        let results = JSONPathExpression.evaluate(path[...], on: [item])
        guard let comparison else { return !results.isEmpty }
        guard let left = results.first else { return false }
        let right = comparison.literal
        if let l = left.doubleValue, let r = right.doubleValue {
            switch comparison.op {
            case "==": return l == r
            case "!=": return l != r
            case "<": return l < r
            case ">": return l > r
            case "<=": return l <= r
            case ">=": return l >= r
            default: return false
            }
        }
        switch comparison.op {
        case "==": return left == right
        case "!=": return left != right
        default:
            guard let l = left.stringValue, let r = right.stringValue else { return false }
            switch comparison.op {
            case "<": return l < r
            case ">": return l > r
            case "<=": return l <= r
            case ">=": return l >= r
            default: return false
            }
        }
    }
}

extension String {
    func trimmingWhitespace() -> Substring {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return s
    }
}
