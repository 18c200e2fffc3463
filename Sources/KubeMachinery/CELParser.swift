/// Recursive-descent parser for the CEL subset, producing `CELExpr` with macros expanded.

indirect enum CELExpr: Sendable {
    case literal(CELValue)
    case ident(String)
    case select(CELExpr, String)
    /// `has(x.f)`: whether `x` has field `f`.
    case has(CELExpr, String)
    case index(CELExpr, CELExpr)
    case call(target: CELExpr?, function: String, args: [CELExpr])
    case list([CELExpr])
    case map([CELMapEntry])
    case not(CELExpr)
    case negate(CELExpr)
    case binary(String, CELExpr, CELExpr)
    case and(CELExpr, CELExpr)
    case or(CELExpr, CELExpr)
    case conditional(CELExpr, CELExpr, CELExpr)
    /// all / exists / exists_one / map / filter over `range`, binding `variable`.
    case comprehension(macro: String, range: CELExpr, variable: String, predicate: CELExpr?, transform: CELExpr?)
}

struct CELMapEntry: Sendable {
    var key: CELExpr
    var value: CELExpr
}

struct CELParser {
    static let globalFunctions: Set<String> = [
        "size", "int", "uint", "double", "string", "bool", "bytes", "duration", "timestamp", "type", "dyn", "matches",
    ]
    static let memberFunctions: Set<String> = [
        "size", "startsWith", "endsWith", "contains", "matches", "lowerAscii", "upperAscii", "trim", "split", "replace",
        "indexOf", "lastIndexOf", "join", "substring", "charAt", "isSorted", "sum", "min", "max",
        "getHours", "getMinutes", "getSeconds", "getMilliseconds", "getFullYear", "getMonth", "getDayOfMonth", "getDayOfWeek",
    ]
    static let macros: Set<String> = ["all", "exists", "exists_one", "map", "filter"]

    var tokens: [CELToken]
    var pos = 0
    var scope: [String]
    var usesOldSelf = false

    init(_ source: String, variables: [String]) throws(CELError) {
        tokens = try CELLexer.tokenize(source)
        scope = variables
    }

    static func parse(_ source: String, variables: [String] = ["self", "oldSelf"]) throws(CELError) -> (CELExpr, usesOldSelf: Bool) {
        var parser = try CELParser(source, variables: variables)
        let expr = try parser.parseExpr()
        guard parser.current.kind == .end else { throw parser.error("extraneous input \(parser.describe(parser.current))") }
        return (expr, parser.usesOldSelf)
    }

    var current: CELToken { tokens[min(pos, tokens.count - 1)] }

    func error(_ message: String, at token: CELToken? = nil) -> CELError {
        CELError("ERROR: <input>:1:\((token ?? current).offset + 1): Syntax error: \(message)")
    }

    func describe(_ t: CELToken) -> String {
        switch t.kind {
        case .identifier(let s): return "'\(s)'"
        case .symbol(let s): return "'\(s)'"
        case .end: return "<EOF>"
        default: return "literal"
        }
    }

    func isSymbol(_ s: String) -> Bool { current.kind == .symbol(s) }

    mutating func accept(_ s: String) -> Bool {
        if isSymbol(s) { pos += 1; return true }
        return false
    }

    mutating func expect(_ s: String) throws(CELError) {
        guard accept(s) else { throw error("mismatched input \(describe(current)) expecting '\(s)'") }
    }

    mutating func parseExpr() throws(CELError) -> CELExpr {
        let condition = try parseOr()
        guard accept("?") else { return condition }
        let then = try parseOr()
        try expect(":")
        return .conditional(condition, then, try parseExpr())
    }

    mutating func parseOr() throws(CELError) -> CELExpr {
        var left = try parseAnd()
        while accept("||") { left = .or(left, try parseAnd()) }
        return left
    }

    mutating func parseAnd() throws(CELError) -> CELExpr {
        var left = try parseRelation()
        while accept("&&") { left = .and(left, try parseRelation()) }
        return left
    }

    mutating func parseRelation() throws(CELError) -> CELExpr {
        var left = try parseAddition()
        while true {
            if case .symbol(let s) = current.kind, ["==", "!=", "<", "<=", ">", ">="].contains(s) {
                pos += 1
                left = .binary(s, left, try parseAddition())
            } else if current.kind == .identifier("in") {
                pos += 1
                left = .binary("in", left, try parseAddition())
            } else {
                return left
            }
        }
    }

    mutating func parseAddition() throws(CELError) -> CELExpr {
        var left = try parseMultiplication()
        while case .symbol(let s) = current.kind, s == "+" || s == "-" {
            pos += 1
            left = .binary(s, left, try parseMultiplication())
        }
        return left
    }

    mutating func parseMultiplication() throws(CELError) -> CELExpr {
        var left = try parseUnary()
        while case .symbol(let s) = current.kind, s == "*" || s == "/" || s == "%" {
            pos += 1
            left = .binary(s, left, try parseUnary())
        }
        return left
    }

    mutating func parseUnary() throws(CELError) -> CELExpr {
        if accept("!") { return .not(try parseUnary()) }
        if isSymbol("-") {
            pos += 1
            // Fold negative literals so that -9223372036854775808 parses.
            if case .int(let i) = current.kind { pos += 1; return try parseMemberSuffix(.literal(.int(-i))) }
            if case .double(let d) = current.kind { pos += 1; return try parseMemberSuffix(.literal(.double(-d))) }
            return .negate(try parseUnary())
        }
        return try parseMemberSuffix(try parsePrimary())
    }

    mutating func parseMemberSuffix(_ base: CELExpr) throws(CELError) -> CELExpr {
        var expr = base
        while true {
            if accept(".") {
                guard case .identifier(let name) = current.kind else { throw error("no viable alternative at input '.'") }
                pos += 1
                if accept("(") {
                    expr = try parseMemberCall(target: expr, name: name)
                } else {
                    expr = .select(expr, name)
                }
            } else if accept("[") {
                let index = try parseExpr()
                try expect("]")
                expr = .index(expr, index)
            } else {
                return expr
            }
        }
    }

    mutating func parseMemberCall(target: CELExpr, name: String) throws(CELError) -> CELExpr {
        let nameToken = tokens[pos - 2]
        if Self.macros.contains(name) {
            guard case .identifier(let variable) = current.kind else {
                if name == "map" || name == "filter" || name == "all" || name == "exists" || name == "exists_one" {
                    throw error("argument must be a simple name")
                }
                throw error("unexpected \(describe(current))")
            }
            pos += 1
            try expect(",")
            scope.append(variable)
            defer { scope.removeLast() }
            let first = try parseExpr()
            var second: CELExpr?
            if accept(",") { second = try parseExpr() }
            try expect(")")
            switch name {
            case "map":
                if let second { return .comprehension(macro: name, range: target, variable: variable, predicate: first, transform: second) }
                return .comprehension(macro: name, range: target, variable: variable, predicate: nil, transform: first)
            default:
                guard second == nil else { throw error("\(name)() takes two arguments", at: nameToken) }
                return .comprehension(macro: name, range: target, variable: variable, predicate: first, transform: nil)
            }
        }
        guard Self.memberFunctions.contains(name) else {
            throw CELError("ERROR: <input>:1:\(nameToken.offset + 1): undeclared reference to '\(name)' (in container '')")
        }
        return .call(target: target, function: name, args: try parseArguments())
    }

    mutating func parseArguments() throws(CELError) -> [CELExpr] {
        var args: [CELExpr] = []
        if accept(")") { return args }
        repeat { args.append(try parseExpr()) } while accept(",")
        try expect(")")
        return args
    }

    mutating func parsePrimary() throws(CELError) -> CELExpr {
        let token = current
        pos += 1
        switch token.kind {
        case .int(let i): return .literal(.int(i))
        case .uint(let u): return .literal(.uint(u))
        case .double(let d): return .literal(.double(d))
        case .string(let s): return .literal(.string(s))
        case .bytes(let b): return .literal(.bytes(b))
        case .identifier(let name):
            switch name {
            case "true": return .literal(.bool(true))
            case "false": return .literal(.bool(false))
            case "null": return .literal(.null)
            default: break
            }
            if accept("(") {
                if name == "has" {
                    let arg = try parseExpr()
                    try expect(")")
                    guard case .select(let target, let field) = arg else {
                        throw CELError("ERROR: <input>:1:\(token.offset + 1): invalid argument to has() macro")
                    }
                    return .has(target, field)
                }
                guard Self.globalFunctions.contains(name) else {
                    throw CELError("ERROR: <input>:1:\(token.offset + 1): undeclared reference to '\(name)' (in container '')")
                }
                return .call(target: nil, function: name, args: try parseArguments())
            }
            guard scope.contains(name) else {
                throw CELError("ERROR: <input>:1:\(token.offset + 1): undeclared reference to '\(name)' (in container '')")
            }
            if name == "oldSelf" { usesOldSelf = true }
            return .ident(name)
        case .symbol("("):
            let e = try parseExpr()
            try expect(")")
            return e
        case .symbol("["):
            var items: [CELExpr] = []
            while !isSymbol("]") {
                items.append(try parseExpr())
                if !accept(",") { break }
            }
            try expect("]")
            return .list(items)
        case .symbol("{"):
            var entries: [CELMapEntry] = []
            while !isSymbol("}") {
                let key = try parseExpr()
                try expect(":")
                entries.append(CELMapEntry(key: key, value: try parseExpr()))
                if !accept(",") { break }
            }
            try expect("}")
            return .map(entries)
        default:
            pos -= 1
            throw error(token.kind == .end ? "mismatched input '<EOF>'" : "mismatched input \(describe(token))", at: token)
        }
    }
}
