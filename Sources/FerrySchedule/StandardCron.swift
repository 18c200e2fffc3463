/// The standard 5-field dialect exactly as the Kubernetes CronJob controller evaluates
/// it: robfig/cron v3 `ParseStandard` and `SpecSchedule.Next` (spec.go, parser.go).
///
/// Day matching: when day-of-month or day-of-week is starred (`*` or `?`, with no step
/// or a step of 1) both must match, otherwise either may (Vixie cron's OR rule). A step
/// above 1 removes the star, so `*/2` in day-of-month gives OR semantics.
///
/// Time zones: `Next` walks forward field by field in absolute time, reading fields in
/// the zone. So a wall time skipped by spring-forward is skipped (a 02:30 daily job does
/// not run that day) while an hour wildcard simply runs in the next existing hour, and a
/// wall time repeated by fall-back matches twice (a 01:00 daily job runs at 01:00 EDT
/// and again at 01:00 EST) — robfig's `TestNext` "runs twice" cases.
struct StandardCronSpec: Hashable, Sendable {
    var minutes = BitSet64()
    var hours = BitSet64()
    var daysOfMonth = BitSet64()
    var months = BitSet64()
    var daysOfWeek = BitSet64()
    var dayOfMonthStarred = false
    var dayOfWeekStarred = false

    static let fields: [CronField] = [
        CronField(name: "minute", range: 0...59),
        CronField(name: "hour", range: 0...23),
        CronField(name: "day-of-month", range: 1...31),
        CronField(name: "month", range: 1...12, names: CronField.monthNames),
        CronField(name: "day-of-week", range: 0...6, names: Dictionary(uniqueKeysWithValues: CronField.dayNames.enumerated().map { ($1, $0) })),
    ]

    /// The robfig descriptors, as the 5-field expressions they stand for.
    static let descriptors: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    init(fields texts: [String]) throws(CronParseError) {
        var sets: [BitSet64] = []
        var starred: [Bool] = []
        for (field, text) in zip(Self.fields, texts) {
            let (set, star) = try Self.parse(text, field)
            sets.append(set)
            starred.append(star)
        }
        minutes = sets[0]
        hours = sets[1]
        daysOfMonth = sets[2]
        months = sets[3]
        daysOfWeek = sets[4]
        dayOfMonthStarred = starred[2]
        dayOfWeekStarred = starred[4]
    }

    /// A comma list of robfig `getRange` items: `*`/`?`, `a`, `a-b`, each optionally `/step`
    /// (`a/step` means `a-max/step`). Returns the values and whether the field is starred.
    static func parse(_ text: String, _ field: CronField) throws(CronParseError) -> (BitSet64, Bool) {
        var set = BitSet64()
        var starred = false
        for item in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            let rangeAndStep = item.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard rangeAndStep.count <= 2 else { throw field.error("\"\(item)\" has more than one '/'") }
            let rangeText = rangeAndStep[0]
            var start: Int
            var end: Int
            var itemStarred = false
            var single = false
            if rangeText == "*" || rangeText == "?" {
                start = field.range.lowerBound
                end = field.range.upperBound
                itemStarred = true
            } else {
                let bounds = rangeText.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
                guard bounds.count <= 2 else { throw field.error("\"\(rangeText)\" has more than one '-'") }
                start = try field.value(bounds[0])
                end = bounds.count == 2 ? try field.value(bounds[1]) : start
                single = bounds.count == 1
            }
            var step = 1
            if rangeAndStep.count == 2 {
                step = try field.step(rangeAndStep[1])
                if single { end = field.range.upperBound }
                if step > 1 { itemStarred = false }
            }
            _ = try field.checked(start)
            _ = try field.checked(end)
            guard start <= end else { throw field.error("range \"\(rangeText)\" starts after it ends") }
            for v in stride(from: start, through: end, by: step) { set.insert(v) }
            starred = starred || itemStarred
        }
        return (set, starred)
    }

    func dayMatches(_ c: CivilTime, weekday: Int) -> Bool {
        let dom = daysOfMonth.contains(c.day)
        let dow = daysOfWeek.contains(weekday)
        return dayOfMonthStarred || dayOfWeekStarred ? dom && dow : dom || dow
    }

    /// robfig's `SpecSchedule.Next`: the first whole second strictly after `after`, or nil
    /// when nothing matches within five years of it (e.g. `0 0 30 2 *`).
    func next(after: Int, clock: ZoneClock) -> Int? {
        var t = after + 1
        var added = false
        let yearLimit = clock.civil(t).year + 5
        wrap: while true {
            var c = clock.civil(t)
            if c.year > yearLimit { return nil }

            while !months.contains(c.month) {
                if !added {
                    added = true
                    t = clock.goDate(CivilTime(year: c.year, month: c.month, day: 1, hour: 0, minute: 0, second: 0))
                    c = clock.civil(t)
                }
                t = clock.goDate(CivilTime(year: c.year, month: c.month + 1, day: c.day, hour: c.hour, minute: c.minute, second: c.second))
                c = clock.civil(t)
                if c.month == 1 { continue wrap }
            }

            while !dayMatches(c, weekday: clock.weekday(t)) {
                if !added {
                    added = true
                    t = clock.goDate(CivilTime(year: c.year, month: c.month, day: c.day, hour: 0, minute: 0, second: 0))
                    c = clock.civil(t)
                }
                t = clock.goDate(CivilTime(year: c.year, month: c.month, day: c.day + 1, hour: c.hour, minute: c.minute, second: c.second))
                c = clock.civil(t)
                // Midnight may not exist (Sao Paulo, robfig issue 157): get back to it.
                if c.hour != 0 {
                    t += c.hour > 12 ? (24 - c.hour) * 3600 : -c.hour * 3600
                    c = clock.civil(t)
                }
                if c.day == 1 { continue wrap }
            }

            while !hours.contains(c.hour) {
                if !added {
                    added = true
                    t = clock.goDate(CivilTime(year: c.year, month: c.month, day: c.day, hour: c.hour, minute: 0, second: 0))
                }
                t += 3600
                c = clock.civil(t)
                if c.hour == 0 { continue wrap }
            }

            while !minutes.contains(c.minute) {
                if !added {
                    added = true
                    t -= t - floorDiv(t, 60) * 60
                }
                t += 60
                c = clock.civil(t)
                if c.minute == 0 { continue wrap }
            }

            // The standard dialect has no seconds field: robfig's seconds set is {0}.
            // robfig steps second by second to the next minute and starts over; jump there.
            if c.second != 0 {
                added = true
                t += 60 - c.second
                continue wrap
            }
            return t
        }
    }
}
