/// Parsing the Quartz dialect: Quartz's grammar and its limits (steps up to the field's
/// size, `L-n` offsets up to 30, `n#k` with k in 1-5), with messages naming the field.

extension QuartzCronSpec {
    static func parseList(_ text: String, _ field: CronField, maxStep: Int) throws(CronParseError) -> BitSet64 {
        var set = BitSet64()
        for v in try parseValues(text, field, maxStep: maxStep) { set.insert(v) }
        return set
    }

    /// A comma list of `*`, `a`, `a-b` (wrapping when b < a), each optionally `/step`.
    static func parseValues(_ text: String, _ field: CronField, maxStep: Int) throws(CronParseError) -> [Int] {
        var values = Set<Int>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            for v in try parseItem(item, field, maxStep: maxStep) { values.insert(v) }
        }
        return Array(values)
    }

    static func parseItem(_ item: String, _ field: CronField, maxStep: Int) throws(CronParseError) -> [Int] {
        if item == "?" { throw field.error("'?' is only allowed alone in day-of-month or day-of-week") }
        let parts = item.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2 else { throw field.error("\"\(item)\" has more than one '/'") }
        let lower = field.range.lowerBound, upper = field.range.upperBound
        var start = lower, end = upper
        let rangeText = parts[0]
        if rangeText == "*" || (rangeText.isEmpty && parts.count == 2) {
            // `*` or Quartz's `/n` (= `*/n`)
        } else {
            let bounds = rangeText.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard bounds.count <= 2 else { throw field.error("\"\(rangeText)\" has more than one '-'") }
            start = try field.checked(field.value(bounds[0]))
            end = bounds.count == 2 ? try field.checked(field.value(bounds[1])) : (parts.count == 2 ? upper : start)
        }
        var step = 1
        if parts.count == 2 {
            step = try field.step(parts[1])
            guard step <= maxStep else { throw field.error("step \(step) is larger than \(maxStep)") }
        }
        let size = upper - lower + 1
        if end < start { end += size }  // a range that wraps, e.g. hours 22-2
        return stride(from: start, through: end, by: step).map { ($0 - lower) % size + lower }
    }

    static func parseDayOfMonth(_ text: String) throws(CronParseError) -> DayOfMonthRule {
        let field = dayOfMonth
        var rule = DayOfMonthRule()
        for raw in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            let item = raw.uppercased()
            if item == "L" || item == "LW" {
                item == "L" ? rule.fromLast.append(0) : rule.nearestWeekdayFromLast.append(0)
            } else if item.hasPrefix("L-") {
                let weekday = item.hasSuffix("W")
                let digits = String(item.dropFirst(2).dropLast(weekday ? 1 : 0))
                guard let n = Int(digits), digits.allSatisfy(\.isNumber) else { throw field.error("bad offset in \"\(raw)\"; expected L-n") }
                guard n <= 30 else { throw field.error("offset from the last day in \"\(raw)\" must be 0-30") }
                weekday ? rule.nearestWeekdayFromLast.append(n) : rule.fromLast.append(n)
            } else if item.count > 1, item.hasSuffix("W") {
                let digits = String(item.dropLast())
                guard let n = Int(digits), digits.allSatisfy(\.isNumber) else { throw field.error("\"\(raw)\" must be <day>W") }
                rule.nearestWeekday.append(try field.checked(n))
            } else {
                for v in try parseItem(raw, field, maxStep: 31) { rule.days.insert(v) }
            }
        }
        return rule
    }

    static func parseDayOfWeek(_ text: String) throws(CronParseError) -> DayOfWeekRule {
        let field = dayOfWeek
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.uppercased() }
        let special = items.contains { $0.contains("#") || $0.hasSuffix("L") }
        if special {
            guard items.count == 1, let item = items.first else {
                throw field.error("'L' and '#' cannot be combined with other days of the week")
            }
            if item == "L" { var s = BitSet64(); s.insert(7); return .days(s) }  // Quartz: L alone is Saturday
            if item.hasSuffix("L") { return .last(try field.checked(field.value(String(item.dropLast())))) }
            let parts = item.split(separator: "#", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, let k = Int(parts[1]), parts[1].allSatisfy(\.isNumber), (1...5).contains(k) else {
                throw field.error("\"\(text)\" must be <day>#<1-5>")
            }
            return .nth(try field.checked(field.value(parts[0])), k)
        }
        var set = BitSet64()
        for v in try parseValues(text, field, maxStep: 7) { set.insert(v) }
        return .days(set)
    }
}
