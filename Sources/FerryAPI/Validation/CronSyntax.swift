/// A syntax check for cron expressions: standard 5-field (robfig/cron `ParseStandard`,
/// what CronJob accepts, with descriptors such as `@daily` and `@every 1h`) and Quartz
/// 6/7-field with seconds (and year). It only says whether and why an expression is
/// malformed; computing activation times belongs to the scheduler.
import Foundation

public enum CronSyntax {
    /// nil when `expression` is well formed, otherwise why it is not.
    public static func problem(in expression: String) -> String? {
        let trimmed = expression.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("TZ=") || trimmed.hasPrefix("CRON_TZ=") {
            return "cannot use TZ or CRON_TZ in the expression, use timeZone instead"
        }
        if trimmed.hasPrefix("@") { return descriptorProblem(trimmed) }
        let fields = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        switch fields.count {
        case 5: return standardProblem(fields)
        case 6, 7: return quartzProblem(fields)
        default: return "expected 5 fields (minute hour day-of-month month day-of-week) or Quartz 6-7 fields (second minute hour day-of-month month day-of-week [year]), found \(fields.count)"
        }
    }

    static let descriptors: Set<String> = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]

    static func descriptorProblem(_ s: String) -> String? {
        if descriptors.contains(s.lowercased()) { return nil }
        if s.lowercased().hasPrefix("@every ") {
            let d = String(s.dropFirst("@every ".count)).trimmingCharacters(in: .whitespaces)
            return DurationSyntax.seconds(d) == nil ? "@every needs a duration such as 1h30m, found \"\(d)\"" : nil
        }
        return "unknown descriptor \(s); known: \(descriptors.sorted().joined(separator: ", ")), @every <duration>"
    }

    struct Field {
        var name: String
        var range: ClosedRange<Int>
        var names: [String] = []
        /// Value of names[0] (months start at 1, robfig days at 0, Quartz days at 1).
        var nameBase = 0
    }

    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let days = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    static func standardProblem(_ f: [String]) -> String? {
        let spec = [
            Field(name: "minute", range: 0...59), Field(name: "hour", range: 0...23), Field(name: "day-of-month", range: 1...31),
            Field(name: "month", range: 1...12, names: months, nameBase: 1), Field(name: "day-of-week", range: 0...6, names: days),
        ]
        for (field, text) in zip(spec, f) {
            if let p = listProblem(text, field, allowQuestion: true) { return p }
        }
        return nil
    }

    static func quartzProblem(_ f: [String]) -> String? {
        let spec = [
            Field(name: "second", range: 0...59), Field(name: "minute", range: 0...59), Field(name: "hour", range: 0...23),
            Field(name: "day-of-month", range: 1...31), Field(name: "month", range: 1...12, names: months, nameBase: 1),
            Field(name: "day-of-week", range: 1...7, names: days, nameBase: 1), Field(name: "year", range: 1970...2099),
        ]
        for (i, (field, text)) in zip(spec, f).enumerated() {
            let special: String? = switch i {
            case 3: quartzDayOfMonth(text)
            case 5: quartzDayOfWeek(text, field)
            default: nil
            }
            if special == "" { continue }  // a well-formed Quartz special
            if let special { return special }
            if let p = listProblem(text, field, allowQuestion: i == 3 || i == 5) { return p }
        }
        // Quartz does not implement both day fields at once: one of them must be '?'.
        if (f[3] == "?") == (f[5] == "?") {
            return "Quartz expressions need '?' in exactly one of day-of-month and day-of-week"
        }
        return nil
    }

    /// "" when `text` is a valid Quartz day-of-month special (L, L-n, nW, LW), nil when it is not one.
    static func quartzDayOfMonth(_ text: String) -> String? {
        let t = text.uppercased()
        if t == "L" || t == "LW" { return "" }
        if t.hasPrefix("L-") { return Int(t.dropFirst(2)).map { (0...30).contains($0) ? "" : "day-of-month: offset in \(text) must be 0-30" } ?? "day-of-month: bad offset in \(text)" }
        if t.hasSuffix("W") { return Int(t.dropLast()).map { (1...31).contains($0) ? "" : "day-of-month: \(text) is out of range 1-31" } ?? "day-of-month: bad weekday value \(text)" }
        return nil
    }

    /// "" when `text` is a valid Quartz day-of-week special (nL, n#k), nil when it is not one.
    static func quartzDayOfWeek(_ text: String, _ field: Field) -> String? {
        let t = text.uppercased()
        if t.contains("#") {
            let parts = t.split(separator: "#", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, value(parts[0], field) != nil, let k = Int(parts[1]), (1...5).contains(k) else {
                return "day-of-week: \(text) must be <day>#<1-5>"
            }
            return ""
        }
        if t.count > 1, t.hasSuffix("L") {
            return value(String(t.dropLast()), field) == nil ? "day-of-week: \(text) must be <day>L" : ""
        }
        if t == "L" { return "" }
        return nil
    }

    static func listProblem(_ text: String, _ field: Field, allowQuestion: Bool) -> String? {
        if text == "?" { return allowQuestion ? nil : "\(field.name): '?' is only allowed in the day fields" }
        for item in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            if let p = itemProblem(item, field) { return p }
        }
        return nil
    }

    static func itemProblem(_ item: String, _ field: Field) -> String? {
        let parts = item.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2, let rangeText = parts.first, !rangeText.isEmpty else {
            return "\(field.name): malformed item \"\(item)\""
        }
        if parts.count == 2 {
            guard let step = Int(parts[1]), step > 0 else { return "\(field.name): step in \"\(item)\" must be a positive number" }
        }
        if rangeText == "*" || rangeText == "?" { return nil }
        let bounds = rangeText.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard bounds.count <= 2 else { return "\(field.name): malformed range \"\(rangeText)\"" }
        var values: [Int] = []
        for b in bounds {
            guard let v = value(b, field) else {
                return "\(field.name): \"\(b)\" is not a number\(field.names.isEmpty ? "" : " or name") in range \(field.range.lowerBound)-\(field.range.upperBound)"
            }
            values.append(v)
        }
        if values.count == 2, values[0] > values[1] {
            return "\(field.name): range \"\(rangeText)\" starts after it ends"
        }
        return nil
    }

    static func value(_ text: String, _ field: Field) -> Int? {
        if let i = field.names.firstIndex(of: text.lowercased()) { return i + field.nameBase }
        guard let v = Int(text), field.range.contains(v) else { return nil }
        return v
    }
}

/// Go-style durations (`1h30m`, `90s`, `250ms`) as used by schedules and timeouts.
public enum DurationSyntax {
    /// The duration in seconds, or nil when `text` is not a valid non-empty duration.
    public static func seconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        var rest = Substring(text)
        var total = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let n = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) && !(($0.0 == "m") && rest.hasPrefix("ms")) }) else { return nil }
            rest = rest.dropFirst(unit.0.count)
            total += n * unit.1
        }
        return total
    }
}
