/// Tree-walking evaluator for `CELExpr`, with CEL's error-absorbing `&&`, `||` and macros.

struct CELEvaluator {
    var bindings: [String: CELValue]

    func eval(_ expr: CELExpr) throws(CELError) -> CELValue {
        switch expr {
        case .literal(let v): return v
        case .ident(let name):
            guard let v = bindings[name] else { throw CELError("no such attribute: \(name)") }
            return v
        case .select(let target, let field):
            let v = try eval(target)
            guard case .map(let m) = v else { throw CELError("type '\(v.typeName)' does not support field selection") }
            guard let value = m[.string(field)] else { throw CELError("no such key: \(field)") }
            return value
        case .has(let target, let field):
            let v = try eval(target)
            guard case .map(let m) = v else { throw CELError("invalid type for field selection: \(v.typeName)") }
            return .bool(m[.string(field)] != nil)
        case .index(let target, let indexExpr):
            return try index(try eval(target), try eval(indexExpr))
        case .call(let target, let function, let args):
            let t: CELValue? = try target.map { (e) throws(CELError) in try eval(e) }
            var values: [CELValue] = []
            for a in args { values.append(try eval(a)) }
            return try CELFunctions.call(function, target: t, args: values)
        case .list(let items):
            var values: [CELValue] = []
            for i in items { values.append(try eval(i)) }
            return .list(values)
        case .map(let entries):
            var m: [CELValue: CELValue] = [:]
            for e in entries {
                let k = try eval(e.key)
                if m[k] != nil { throw CELError("Failed with repeated key: \(k.displayString)") }
                m[k] = try eval(e.value)
            }
            return .map(m)
        case .not(let e):
            guard case .bool(let b) = try eval(e) else { throw CELError("found no matching overload for '!_'") }
            return .bool(!b)
        case .negate(let e):
            switch try eval(e) {
            case .int(let i):
                guard i != .min else { throw CELError("integer overflow") }
                return .int(-i)
            case .double(let d): return .double(-d)
            case .duration(let d): return .duration(-d)
            default: throw CELError("found no matching overload for '-_'")
            }
        case .binary(let op, let l, let r):
            return try CELOperators.binary(op, try eval(l), try eval(r))
        case .and(let l, let r):
            return try logical(l, r, absorbing: false)
        case .or(let l, let r):
            return try logical(l, r, absorbing: true)
        case .conditional(let c, let t, let f):
            guard case .bool(let b) = try eval(c) else { throw CELError("found no matching overload for '_?_:_'") }
            return try eval(b ? t : f)
        case .comprehension(let macro, let range, let variable, let predicate, let transform):
            return try comprehension(macro, range: try eval(range), variable: variable, predicate: predicate, transform: transform)
        }
    }

    /// `&&` (absorbing false) and `||` (absorbing true): an error on one side is ignored
    /// when the other side alone decides the result.
    func logical(_ l: CELExpr, _ r: CELExpr, absorbing: Bool) throws(CELError) -> CELValue {
        let name = absorbing ? "_||_" : "_&&_"
        var firstError: CELError?
        for side in [l, r] {
            do throws(CELError) {
                guard case .bool(let b) = try eval(side) else { throw CELError("no such overload: \(name)") }
                if b == absorbing { return .bool(absorbing) }
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        if let firstError { throw firstError }
        return .bool(!absorbing)
    }

    func index(_ container: CELValue, _ key: CELValue) throws(CELError) -> CELValue {
        switch container {
        case .list(let items):
            let i: Int64
            switch key {
            case .int(let v): i = v
            case .uint(let v): i = Int64(clamping: v)
            case .double(let d) where d.rounded() == d: i = Int64(d)
            default: throw CELError("unsupported index type '\(key.typeName)' in list")
            }
            guard i >= 0 && i < items.count else { throw CELError("index out of bounds: \(i)") }
            return items[Int(i)]
        case .map(let m):
            if let v = m[key] { return v }
            if let n = key.numeric, let v = m.first(where: { $0.key.numeric == n })?.value { return v }
            throw CELError("no such key: \(key.displayString)")
        default:
            throw CELError("found no matching overload for '_[_]' applied to '(\(container.typeName), \(key.typeName))'")
        }
    }

    func comprehension(_ macro: String, range: CELValue, variable: String, predicate: CELExpr?, transform: CELExpr?) throws(CELError) -> CELValue {
        let elements: [CELValue]
        switch range {
        case .list(let items): elements = items
        case .map(let m): elements = Array(m.keys)
        default: throw CELError("expression of type '\(range.typeName)' cannot be range of a comprehension")
        }
        var inner = self
        func test(_ e: CELExpr, _ element: CELValue) throws(CELError) -> Bool {
            inner.bindings[variable] = element
            guard case .bool(let b) = try inner.eval(e) else { throw CELError("no such overload: predicate did not return bool") }
            return b
        }
        switch macro {
        case "all", "exists":
            let absorbing = macro == "exists"
            var firstError: CELError?
            for element in elements {
                do {
                    if try test(predicate ?? .literal(.bool(true)), element) == absorbing { return .bool(absorbing) }
                } catch {
                    if firstError == nil { firstError = error }
                }
            }
            if let firstError { throw firstError }
            return .bool(!absorbing)
        case "exists_one":
            var count = 0
            for element in elements where try test(predicate ?? .literal(.bool(true)), element) { count += 1 }
            return .bool(count == 1)
        case "filter":
            var kept: [CELValue] = []
            for element in elements where try test(predicate ?? .literal(.bool(true)), element) { kept.append(element) }
            return .list(kept)
        default:  // map
            var out: [CELValue] = []
            for element in elements {
                if let predicate, try !test(predicate, element) { continue }
                inner.bindings[variable] = element
                if let transform { out.append(try inner.eval(transform)) }
            }
            return .list(out)
        }
    }
}

enum CELOperators {
    static func overloadError(_ op: String, _ l: CELValue, _ r: CELValue) -> CELError {
        CELError("found no matching overload for '_\(op)_' applied to '(\(l.typeName), \(r.typeName))'")
    }

    static func binary(_ op: String, _ l: CELValue, _ r: CELValue) throws(CELError) -> CELValue {
        switch op {
        case "==": return .bool(CELValue.equal(l, r))
        case "!=": return .bool(!CELValue.equal(l, r))
        case "<", "<=", ">", ">=":
            let c = try compare(l, r, op)
            switch op {
            case "<": return .bool(c < 0)
            case "<=": return .bool(c <= 0)
            case ">": return .bool(c > 0)
            default: return .bool(c >= 0)
            }
        case "in":
            switch r {
            case .list(let items): return .bool(items.contains { CELValue.equal($0, l) })
            case .map(let m): return .bool(m[l] != nil || (l.numeric != nil && m.keys.contains { $0.numeric == l.numeric }))
            default: throw overloadError("in", l, r)
            }
        default:
            return try arithmetic(op, l, r)
        }
    }

    static func compare(_ l: CELValue, _ r: CELValue, _ op: String) throws(CELError) -> Int {
        func order<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : (a == b ? 0 : 1) }
        switch (l, r) {
        case (.int(let a), .int(let b)): return order(a, b)
        case (.uint(let a), .uint(let b)): return order(a, b)
        case (.string(let a), .string(let b)):
            return a == b ? 0 : (a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) ? -1 : 1)
        case (.bool(let a), .bool(let b)): return order(a ? 1 : 0, b ? 1 : 0)
        case (.duration(let a), .duration(let b)): return order(a, b)
        case (.timestamp(let a), .timestamp(let b)): return order(a, b)
        case (.bytes(let a), .bytes(let b)): return a == b ? 0 : (a.lexicographicallyPrecedes(b) ? -1 : 1)
        default:
            if let a = l.numeric, let b = r.numeric { return order(a, b) }
            throw overloadError(op, l, r)
        }
    }

    static func arithmetic(_ op: String, _ l: CELValue, _ r: CELValue) throws(CELError) -> CELValue {
        switch (l, r) {
        case (.int(let a), .int(let b)):
            let result: (partialValue: Int64, overflow: Bool)
            switch op {
            case "+": result = a.addingReportingOverflow(b)
            case "-": result = a.subtractingReportingOverflow(b)
            case "*": result = a.multipliedReportingOverflow(by: b)
            case "/":
                guard b != 0 else { throw CELError("division by zero") }
                result = a.dividedReportingOverflow(by: b)
            case "%":
                guard b != 0 else { throw CELError("modulus by zero") }
                result = a.remainderReportingOverflow(dividingBy: b)
            default: throw overloadError(op, l, r)
            }
            guard !result.overflow else { throw CELError("integer overflow") }
            return .int(result.partialValue)
        case (.uint(let a), .uint(let b)):
            let result: (partialValue: UInt64, overflow: Bool)
            switch op {
            case "+": result = a.addingReportingOverflow(b)
            case "-": result = a.subtractingReportingOverflow(b)
            case "*": result = a.multipliedReportingOverflow(by: b)
            case "/":
                guard b != 0 else { throw CELError("division by zero") }
                result = (a / b, false)
            case "%":
                guard b != 0 else { throw CELError("modulus by zero") }
                result = (a % b, false)
            default: throw overloadError(op, l, r)
            }
            guard !result.overflow else { throw CELError("unsigned integer overflow") }
            return .uint(result.partialValue)
        case (.double(let a), .double(let b)):
            switch op {
            case "+": return .double(a + b)
            case "-": return .double(a - b)
            case "*": return .double(a * b)
            case "/": return .double(a / b)
            default: throw overloadError(op, l, r)
            }
        case (.string(let a), .string(let b)) where op == "+": return .string(a + b)
        case (.bytes(let a), .bytes(let b)) where op == "+": return .bytes(a + b)
        case (.list(let a), .list(let b)) where op == "+": return .list(a + b)
        case (.duration(let a), .duration(let b)) where op == "+" || op == "-":
            let result = op == "+" ? a.addingReportingOverflow(b) : a.subtractingReportingOverflow(b)
            guard !result.overflow else { throw CELError("integer overflow") }
            return .duration(result.partialValue)
        case (.timestamp(let a), .duration(let b)) where op == "+" || op == "-":
            return .timestamp(op == "+" ? a + Double(b) / 1e9 : a - Double(b) / 1e9)
        case (.duration(let a), .timestamp(let b)) where op == "+":
            return .timestamp(b + Double(a) / 1e9)
        case (.timestamp(let a), .timestamp(let b)) where op == "-":
            return .duration(Int64(((a - b) * 1e9).rounded()))
        default:
            throw overloadError(op, l, r)
        }
    }
}
