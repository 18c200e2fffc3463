/// CEL standard functions and the Kubernetes string/list extensions the subset supports.
import Foundation
import KubeCore

enum CELFunctions {
    static func noOverload(_ name: String, _ target: CELValue?, _ args: [CELValue]) -> CELError {
        let types = ((target.map { [$0] } ?? []) + args).map(\.typeName).joined(separator: ", ")
        return CELError("found no matching overload for '\(name)' applied to '(\(types))'")
    }

    static func call(_ name: String, target: CELValue?, args: [CELValue]) throws(CELError) -> CELValue {
        // `size(x)` and `x.size()` (and `matches`) are the same function.
        if let target, name == "size" || name == "matches" {
            return try call(name, target: nil, args: [target] + args)
        }
        if let target {
            switch target {
            case .string(let s): return try stringMethod(name, s, args)
            case .list(let l): return try listMethod(name, l, args)
            case .timestamp(let t): return try timestampMethod(name, t, args)
            case .duration(let d): return try durationMethod(name, d, args)
            default: throw noOverload(name, target, args)
            }
        }
        switch (name, args.count) {
        case ("size", 1):
            switch args[0] {
            case .string(let s): return .int(Int64(s.unicodeScalars.count))
            case .bytes(let b): return .int(Int64(b.count))
            case .list(let l): return .int(Int64(l.count))
            case .map(let m): return .int(Int64(m.count))
            default: throw noOverload(name, nil, args)
            }
        case ("matches", 2):
            guard case .string(let s) = args[0], case .string(let pattern) = args[1] else { throw noOverload(name, nil, args) }
            return .bool(try matches(s, pattern))
        case ("int", 1): return try toInt(args[0])
        case ("uint", 1):
            switch args[0] {
            case .uint: return args[0]
            case .int(let i):
                guard i >= 0 else { throw CELError("uint overflow") }
                return .uint(UInt64(i))
            case .double(let d):
                guard d >= 0 && d < 1.8446744073709552e19 else { throw CELError("uint overflow") }
                return .uint(UInt64(d))
            case .string(let s):
                guard let u = UInt64(s) else { throw CELError("cannot convert \"\(s)\" to uint") }
                return .uint(u)
            default: throw noOverload(name, nil, args)
            }
        case ("double", 1):
            switch args[0] {
            case .double: return args[0]
            case .int(let i): return .double(Double(i))
            case .uint(let u): return .double(Double(u))
            case .string(let s):
                guard let d = Double(s) else { throw CELError("cannot convert \"\(s)\" to double") }
                return .double(d)
            default: throw noOverload(name, nil, args)
            }
        case ("string", 1):
            switch args[0] {
            case .list, .map, .null, .type: throw noOverload(name, nil, args)
            default: return .string(args[0].displayString)
            }
        case ("bool", 1):
            switch args[0] {
            case .bool: return args[0]
            case .string(let s):
                switch s {
                case "true", "TRUE", "True", "t", "1": return .bool(true)
                case "false", "FALSE", "False", "f", "0": return .bool(false)
                default: throw CELError("cannot convert \"\(s)\" to bool")
                }
            default: throw noOverload(name, nil, args)
            }
        case ("bytes", 1):
            guard case .string(let s) = args[0] else { throw noOverload(name, nil, args) }
            return .bytes(Array(s.utf8))
        case ("duration", 1):
            if case .duration = args[0] { return args[0] }
            guard case .string(let s) = args[0], let d = parseDuration(s) else {
                throw CELError("invalid duration: \(args[0].displayString)")
            }
            return .duration(d)
        case ("timestamp", 1):
            if case .timestamp = args[0] { return args[0] }
            guard case .string(let s) = args[0], let t = KubeTime.parse(s) else {
                throw CELError("invalid timestamp: \(args[0].displayString)")
            }
            return .timestamp(t.timeIntervalSince1970)
        case ("type", 1): return .type(args[0].typeName)
        case ("dyn", 1): return args[0]
        default: throw noOverload(name, nil, args)
        }
    }

    static func toInt(_ v: CELValue) throws(CELError) -> CELValue {
        switch v {
        case .int: return v
        case .uint(let u):
            guard u <= UInt64(Int64.max) else { throw CELError("int overflow") }
            return .int(Int64(u))
        case .double(let d):
            guard d.isFinite, d > -9.223372036854775808e18, d < 9.223372036854775807e18 else { throw CELError("int overflow") }
            return .int(Int64(d))
        case .string(let s):
            guard let i = Int64(s) else { throw CELError("cannot convert \"\(s)\" to int") }
            return .int(i)
        case .timestamp(let t): return .int(Int64(t.rounded(.down)))
        case .duration(let d): return .int(d)
        default: throw noOverload("int", nil, [v])
        }
    }

    static func matches(_ s: String, _ pattern: String) throws(CELError) -> Bool {
        do {
            return try Regex(pattern).firstMatch(in: s) != nil
        } catch {
            throw CELError("invalid regular expression \(pattern): \(error)")
        }
    }

    static func stringMethod(_ name: String, _ s: String, _ args: [CELValue]) throws(CELError) -> CELValue {
        let strings = args.compactMap { if case .string(let a) = $0 { return a } else { return nil } }
        let ints = args.compactMap { if case .int(let i) = $0 { return Int(i) } else { return nil } }
        let scalars = Array(s.unicodeScalars)
        switch (name, args.count) {
        case ("startsWith", 1) where strings.count == 1: return .bool(s.hasPrefix(strings[0]))
        case ("endsWith", 1) where strings.count == 1: return .bool(s.hasSuffix(strings[0]))
        case ("contains", 1) where strings.count == 1: return .bool(strings[0].isEmpty || s.contains(strings[0]))
        case ("lowerAscii", 0):
            return .string(String(String.UnicodeScalarView(s.unicodeScalars.map { $0.isASCII ? Unicode.Scalar(UInt8(ascii: $0).lowercasedASCII) : $0 })))
        case ("upperAscii", 0):
            return .string(String(String.UnicodeScalarView(s.unicodeScalars.map { $0.isASCII ? Unicode.Scalar(UInt8(ascii: $0).uppercasedASCII) : $0 })))
        case ("trim", 0): return .string(s.trimmingCharacters(in: .whitespacesAndNewlines))
        case ("split", 1) where strings.count == 1:
            if strings[0].isEmpty { return .list(scalars.map { .string(String($0)) }) }
            return .list(s.components(separatedBy: strings[0]).map { .string($0) })
        case ("split", 2) where strings.count == 1 && ints.count == 1:
            let parts = s.components(separatedBy: strings[0])
            let n = ints[0]
            if n == 0 { return .list([]) }
            if n < 0 || parts.count <= n { return .list(parts.map { .string($0) }) }
            return .list(parts[..<(n - 1)].map { .string($0) } + [.string(parts[(n - 1)...].joined(separator: strings[0]))])
        case ("replace", 2) where strings.count == 2:
            return .string(s.replacingOccurrences(of: strings[0], with: strings[1]))
        case ("indexOf", 1) where strings.count == 1, ("lastIndexOf", 1) where strings.count == 1:
            let needle = Array(strings[0].unicodeScalars)
            if needle.isEmpty { return .int(name == "indexOf" ? 0 : Int64(scalars.count)) }
            let starts = scalars.count >= needle.count ? Array(0...(scalars.count - needle.count)) : []
            let found = (name == "indexOf" ? starts : starts.reversed()).first { Array(scalars[$0..<($0 + needle.count)]) == needle }
            return .int(Int64(found ?? -1))
        case ("substring", 1) where ints.count == 1, ("substring", 2) where ints.count == 2:
            let start = ints[0], end = ints.count == 2 ? ints[1] : scalars.count
            guard start >= 0, end <= scalars.count, start <= end else { throw CELError("index out of range: \(ints)") }
            return .string(String(String.UnicodeScalarView(scalars[start..<end])))
        case ("charAt", 1) where ints.count == 1:
            guard ints[0] >= 0, ints[0] <= scalars.count else { throw CELError("index out of range: \(ints[0])") }
            return .string(ints[0] == scalars.count ? "" : String(scalars[ints[0]]))
        default:
            throw noOverload(name, .string(s), args)
        }
    }

    static func listMethod(_ name: String, _ l: [CELValue], _ args: [CELValue]) throws(CELError) -> CELValue {
        switch (name, args.count) {
        case ("join", 0), ("join", 1):
            var separator = ""
            if let a = args.first { guard case .string(let sep) = a else { throw noOverload(name, .list(l), args) }; separator = sep }
            var parts: [String] = []
            for v in l {
                guard case .string(let s) = v else { throw noOverload(name, .list(l), args) }
                parts.append(s)
            }
            return .string(parts.joined(separator: separator))
        case ("isSorted", 0):
            for i in l.indices.dropFirst() where try CELOperators.compare(l[i - 1], l[i], "<") > 0 { return .bool(false) }
            return .bool(true)
        case ("sum", 0):
            guard var total = l.first else { return .int(0) }
            for v in l.dropFirst() { total = try CELOperators.arithmetic("+", total, v) }
            return total
        case ("min", 0), ("max", 0):
            guard var best = l.first else { throw CELError("\(name) called on empty list") }
            for v in l.dropFirst() {
                let c = try CELOperators.compare(v, best, "<")
                if (name == "min" && c < 0) || (name == "max" && c > 0) { best = v }
            }
            return best
        case ("indexOf", 1), ("lastIndexOf", 1):
            let indices = name == "indexOf" ? Array(l.indices) : l.indices.reversed()
            return .int(Int64(indices.first { CELValue.equal(l[$0], args[0]) } ?? -1))
        default:
            throw noOverload(name, .list(l), args)
        }
    }

    static func timestampMethod(_ name: String, _ t: Double, _ args: [CELValue]) throws(CELError) -> CELValue {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let date = Date(timeIntervalSince1970: t)
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond, .weekday], from: date)
        switch name {
        case "getFullYear": return .int(Int64(c.year ?? 0))
        case "getMonth": return .int(Int64((c.month ?? 1) - 1))
        case "getDayOfMonth": return .int(Int64((c.day ?? 1) - 1))
        case "getDayOfWeek": return .int(Int64((c.weekday ?? 1) - 1))
        case "getHours": return .int(Int64(c.hour ?? 0))
        case "getMinutes": return .int(Int64(c.minute ?? 0))
        case "getSeconds": return .int(Int64(c.second ?? 0))
        case "getMilliseconds": return .int(Int64((c.nanosecond ?? 0) / 1_000_000))
        default: throw noOverload(name, .timestamp(t), args)
        }
    }

    static func durationMethod(_ name: String, _ d: Int64, _ args: [CELValue]) throws(CELError) -> CELValue {
        switch name {
        case "getHours": return .int(d / 3_600_000_000_000)
        case "getMinutes": return .int(d / 60_000_000_000)
        case "getSeconds": return .int(d / 1_000_000_000)
        case "getMilliseconds": return .int(d / 1_000_000)
        default: throw noOverload(name, .duration(d), args)
        }
    }

    /// Go `time.ParseDuration` syntax: `1h30m`, `1.5s`, `100ms`, `-2m`; nanoseconds.
    static func parseDuration(_ text: String) -> Int64? {
        let units: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9)]
        var s = Substring(text)
        var sign = 1.0
        if s.hasPrefix("-") { sign = -1; s = s.dropFirst() } else if s.hasPrefix("+") { s = s.dropFirst() }
        if s == "0" { return 0 }
        guard !s.isEmpty else { return nil }
        var total = 0.0
        while !s.isEmpty {
            let number = s.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            s = s.dropFirst(number.count)
            guard let unit = units.sorted(by: { $0.0.count > $1.0.count }).first(where: { s.hasPrefix($0.0) }) else { return nil }
            s = s.dropFirst(unit.0.count)
            total += value * unit.1
        }
        let nanos = sign * total
        guard abs(nanos) < 9.2e18 else { return nil }
        return Int64(nanos.rounded())
    }

    /// Go-style duration text: `1h30m0s`, `1.5s`, `0s`.
    static func formatDuration(_ nanos: Int64) -> String {
        if nanos == 0 { return "0s" }
        var n = nanos.magnitude
        let sign = nanos < 0 ? "-" : ""
        let hours = n / 3_600_000_000_000
        n %= 3_600_000_000_000
        let minutes = n / 60_000_000_000
        n %= 60_000_000_000
        var seconds = String(n / 1_000_000_000)
        let fraction = n % 1_000_000_000
        if fraction != 0 {
            var f = String(fraction)
            f = String(repeating: "0", count: 9 - f.count) + f
            while f.hasSuffix("0") { f.removeLast() }
            seconds += "." + f
        }
        var out = sign
        if hours > 0 { out += "\(hours)h" }
        if hours > 0 || minutes > 0 { out += "\(minutes)m" }
        return out + seconds + "s"
    }
}

extension UInt8 {
    var lowercasedASCII: UInt8 { (65...90).contains(self) ? self + 32 : self }
    var uppercasedASCII: UInt8 { (97...122).contains(self) ? self - 32 : self }
}
