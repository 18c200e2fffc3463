/// A model of Java's lenient `GregorianCalendar`, for porting Quartz faithfully.

/// Java's lenient `GregorianCalendar` as Quartz uses it: fields are set one by one
/// without normalising, and reading them resolves the whole wall time again (so reading
/// after a set inside a repeated hour moves to its standard-time occurrence, as Java does).
struct LenientCalendar {
    let clock: ZoneClock
    var fields: CivilTime

    init(clock: ZoneClock, time: Int) {
        self.clock = clock
        fields = clock.civil(time)
    }

    var time: Int { clock.javaDate(fields) }

    mutating func get() -> CivilTime {
        fields = clock.civil(time)
        return fields
    }

    /// Quartz's `setCalendarHour`: when the hour does not exist (spring-forward), take the next.
    mutating func setHour(_ hour: Int) {
        fields.hour = hour
        if get().hour != hour && hour != 24 {
            fields.hour = hour + 1
        }
    }
}
