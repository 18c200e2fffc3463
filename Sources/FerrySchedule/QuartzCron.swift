/// The Quartz dialect (6 or 7 fields: second minute hour day-of-month month day-of-week
/// [year]) as Java Quartz's `CronExpression` evaluates it.
///
/// Grammar: Quartz's, with its specials `?`, `L`, `L-n`, `W`, `LW` (and `L-nW`) in
/// day-of-month, `L`, `nL` and `n#k` in day-of-week (1 = Sunday ... 7 = Saturday), ranges
/// that wrap (`22-2`, `FRI-MON`), and years 1970-2099. Exactly one day field is `?`.
/// Like newer Quartz, `L`/`W` items may appear in day-of-month lists (`1,15,L`).
///
/// Time zones: `next` is a port of `CronExpression.getTimeAfter`, run against a model of
/// Java's lenient `GregorianCalendar` (see `ZoneClock.javaDate`). Consequences, all
/// Quartz's own: a wall time skipped by spring-forward does not fire that day (a daily
/// 02:30 job next runs the day after; an hourly job goes on at 03:00), and a wall time
/// repeated by fall-back fires once, at its later (standard-time) occurrence — Java
/// re-reads the first occurrence as the second, so an hourly job skips the first 01:00.
struct QuartzCronSpec: Hashable, Sendable {
    var seconds = BitSet64()
    var minutes = BitSet64()
    var hours = BitSet64()
    var months = BitSet64()
    /// Sorted; 1970...2099 when the year field is absent or `*`.
    var years: [Int] = []
    var days: DayRule

    enum DayRule: Hashable, Sendable {
        case dayOfMonth(DayOfMonthRule)
        case dayOfWeek(DayOfWeekRule)
    }

    struct DayOfMonthRule: Hashable, Sendable {
        var days = BitSet64()
        /// `L` is offset 0, `L-3` offset 3.
        var fromLast: [Int] = []
        /// `15W`: the weekday nearest the 15th, within the month.
        var nearestWeekday: [Int] = []
        /// `LW` is offset 0, `L-3W` the weekday nearest the last day minus 3.
        var nearestWeekdayFromLast: [Int] = []
    }

    enum DayOfWeekRule: Hashable, Sendable {
        case days(BitSet64)
        /// `6L`: the last Friday of the month.
        case last(Int)
        /// `6#3`: the third Friday of the month.
        case nth(Int, Int)
    }

    static let maxYear = 2099
    static let second = CronField(name: "second", range: 0...59)
    static let minute = CronField(name: "minute", range: 0...59)
    static let hour = CronField(name: "hour", range: 0...23)
    static let dayOfMonth = CronField(name: "day-of-month", range: 1...31)
    static let month = CronField(name: "month", range: 1...12, names: CronField.monthNames)
    static let dayOfWeek = CronField(name: "day-of-week", range: 1...7, names: Dictionary(uniqueKeysWithValues: CronField.dayNames.enumerated().map { ($1, $0 + 1) }))
    static let year = CronField(name: "year", range: 1970...maxYear)

    init(fields f: [String]) throws(CronParseError) {
        seconds = try Self.parseList(f[0], Self.second, maxStep: 59)
        minutes = try Self.parseList(f[1], Self.minute, maxStep: 59)
        hours = try Self.parseList(f[2], Self.hour, maxStep: 23)
        months = try Self.parseList(f[4], Self.month, maxStep: 12)
        let yearText = f.count == 7 ? f[6] : "*"
        years = try Self.parseValues(yearText, Self.year, maxStep: Int.max).sorted()
        // Both day fields are checked before the '?' rule, so a bad value is named first.
        let byMonth = f[3] == "?" ? nil : try Self.parseDayOfMonth(f[3])
        let byWeek = f[5] == "?" ? nil : try Self.parseDayOfWeek(f[5])
        switch (byMonth, byWeek) {
        case (let rule?, nil): days = .dayOfMonth(rule)
        case (nil, let rule?): days = .dayOfWeek(rule)
        default: throw CronParseError(field: nil, "Quartz expressions need '?' in exactly one of day-of-month and day-of-week")
        }
    }

    /// The days of (year, month) this rule selects.
    func matchingDays(year: Int, month: Int) -> BitSet64 {
        let last = ZoneClock.daysInMonth(year, month)
        let firstDay = ZoneClock.daysFromCivil(year, month, 1)
        func weekday(_ d: Int) -> Int { ZoneClock.weekday(daysSinceEpoch: firstDay + d - 1) }  // 0 = Sunday
        var result = BitSet64()
        switch days {
        case .dayOfMonth(let rule):
            for d in 1...last where rule.days.contains(d) { result.insert(d) }
            for n in rule.fromLast where last - n >= 1 { result.insert(last - n) }
            func nearestWeekday(_ d: Int) -> Int {
                switch weekday(d) {
                case 6: return d == 1 ? 3 : d - 1
                case 0: return d == last ? d - 2 : d + 1
                default: return d
                }
            }
            for d in rule.nearestWeekday where d <= last { result.insert(nearestWeekday(d)) }
            for n in rule.nearestWeekdayFromLast where last - n >= 1 { result.insert(nearestWeekday(last - n)) }
        case .dayOfWeek(.days(let set)):
            for d in 1...last where set.contains(weekday(d) + 1) { result.insert(d) }
        case .dayOfWeek(.last(let dow)):
            for d in (last - 6)...last where weekday(d) + 1 == dow { result.insert(d) }
        case .dayOfWeek(.nth(let dow, let k)):
            for d in 1...last where weekday(d) + 1 == dow && (d - 1) / 7 + 1 == k { result.insert(d) }
        }
        return result
    }

    /// `CronExpression.getTimeAfter`: the first whole second strictly after `after`, or
    /// nil when there is none up to the year 2099.
    func next(after: Int, clock: ZoneClock) -> Int? {
        guard let firstSecond = seconds.first, let firstMinute = minutes.first,
              let firstHour = hours.first, let firstMonth = months.first else { return nil }
        var cal = LenientCalendar(clock: clock, time: after + 1)
        while true {
            var c = cal.get()
            if c.year > Self.maxYear { return nil }

            var second = c.second
            var minute = c.minute
            if let s = seconds.first(atLeast: second) {
                second = s
            } else {
                second = firstSecond
                minute += 1
                cal.fields.minute = minute
            }
            cal.fields.second = second

            c = cal.get()
            minute = c.minute
            var hour = c.hour
            var current = -1
            if let m = minutes.first(atLeast: minute) {
                current = minute
                minute = m
            } else {
                minute = firstMinute
                hour += 1
            }
            if minute != current {
                cal.fields.second = 0
                cal.fields.minute = minute
                cal.setHour(hour)
                continue
            }
            cal.fields.minute = minute

            c = cal.get()
            hour = c.hour
            var day = c.day
            current = -1
            if let h = hours.first(atLeast: hour) {
                current = hour
                hour = h
            } else {
                hour = firstHour
                day += 1
            }
            if hour != current {
                cal.fields.second = 0
                cal.fields.minute = 0
                cal.fields.day = day
                cal.setHour(hour)
                continue
            }
            cal.fields.hour = hour

            c = cal.get()
            day = c.day
            if let d = matchingDays(year: c.year, month: c.month).first(atLeast: day) {
                if d != day {
                    cal.fields = CivilTime(year: c.year, month: c.month, day: d, hour: 0, minute: 0, second: 0)
                    continue
                }
            } else {
                cal.fields = CivilTime(year: c.year, month: c.month + 1, day: 1, hour: 0, minute: 0, second: 0)
                continue
            }

            c = cal.get()
            var month = c.month
            var year = c.year
            if year > Self.maxYear { return nil }
            current = -1
            if let m = months.first(atLeast: month) {
                current = month
                month = m
            } else {
                month = firstMonth
                year += 1
            }
            if month != current {
                cal.fields = CivilTime(year: year, month: month, day: 1, hour: 0, minute: 0, second: 0)
                continue
            }

            c = cal.get()
            guard let y = years.first(where: { $0 >= c.year }) else { return nil }
            if y != c.year {
                cal.fields = CivilTime(year: y, month: 1, day: 1, hour: 0, minute: 0, second: 0)
                continue
            }
            return cal.time
        }
    }
}
