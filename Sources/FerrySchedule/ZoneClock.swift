/// Wall-clock arithmetic in one IANA time zone, on whole Unix seconds.
///
/// Cron implementations differ exactly where a wall time does not exist (spring forward)
/// or exists twice (fall back), and they differ because their host calendars resolve such
/// times differently. To reproduce each reference implementation we resolve wall times the
/// way its host does: Go's `time.Date` for robfig/cron (what the Kubernetes CronJob
/// controller runs) and Java's lenient `GregorianCalendar` for Quartz. Offsets come from
/// Foundation's `TimeZone` (tzdata); the calendar arithmetic is proleptic Gregorian
/// arithmetic on days, which is what both hosts do.
import Foundation

/// A wall-clock reading; fields may overflow (month 13, day 32, hour 24) until resolved.
struct CivilTime: Hashable, Sendable {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int
}

struct ZoneClock: Sendable {
    let zone: TimeZone

    func offset(at unix: Int) -> Int {
        zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(unix)))
    }

    /// The local wall-clock reading of an instant.
    func civil(_ unix: Int) -> CivilTime {
        let local = unix + offset(at: unix)
        let days = floorDiv(local, 86_400)
        let secondOfDay = local - days * 86_400
        let (y, m, d) = Self.civilFromDays(days)
        return CivilTime(year: y, month: m, day: d, hour: secondOfDay / 3600, minute: secondOfDay % 3600 / 60, second: secondOfDay % 60)
    }

    /// Day of the week of an instant's local date, 0 = Sunday.
    func weekday(_ unix: Int) -> Int {
        let local = unix + offset(at: unix)
        return Self.weekday(daysSinceEpoch: floorDiv(local, 86_400))
    }

    /// Go's `time.Date(y, m, d, h, mi, s, 0, loc)`: normalises overflowing fields, then
    /// guesses the offset at the wall time read as UTC and corrects it once. A skipped
    /// time lands in whichever offset that correction picks (earlier for zones west of
    /// UTC, later for zones east of it), a repeated time usually resolves to its first
    /// occurrence west of UTC and its second east of it. Reproduced as is, because that
    /// is what CronJob schedules see.
    func goDate(_ t: CivilTime) -> Int {
        let wall = Self.wallSeconds(t)
        let guess = offset(at: wall)
        let corrected = offset(at: wall - guess)
        return wall - corrected
    }

    /// Java's lenient `GregorianCalendar`: normalises overflowing fields, then reads the
    /// wall time as standard time, i.e. a skipped time moves forward by the gap and a
    /// repeated time resolves to its later occurrence (probed with OpenJDK 17:
    /// New York 2012-03-11 02:30 -> 03:30 EDT, 2012-11-04 01:30 -> 01:30 EST).
    func javaDate(_ t: CivilTime) -> Int {
        let wall = Self.wallSeconds(t)
        // Offsets that could apply near this wall time (a real offset is within ±1 day).
        let nearby = Set([offset(at: wall - 86_400), offset(at: wall), offset(at: wall + 86_400)])
        let valid = nearby.filter { offset(at: wall - $0) == $0 }
        // The later instant is the one with the smaller offset, in both the repeated case
        // (two valid offsets) and the skipped case (none valid: use the one before the gap).
        let chosen = (valid.isEmpty ? nearby : valid).min() ?? 0
        return wall - chosen
    }

    /// Seconds since the epoch of a wall time read as if it were UTC, with overflowing
    /// fields carried the way both Go and Java carry them.
    static func wallSeconds(_ t: CivilTime) -> Int {
        let monthIndex = t.month - 1
        let year = t.year + floorDiv(monthIndex, 12)
        let month = monthIndex - floorDiv(monthIndex, 12) * 12 + 1
        let days = daysFromCivil(year, month, 1) + t.day - 1
        return days * 86_400 + t.hour * 3600 + t.minute * 60 + t.second
    }

    static func weekday(daysSinceEpoch days: Int) -> Int {
        let w = (days + 4) % 7  // 1970-01-01 was a Thursday
        return w < 0 ? w + 7 : w
    }

    static func daysInMonth(_ year: Int, _ month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

func floorDiv(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
