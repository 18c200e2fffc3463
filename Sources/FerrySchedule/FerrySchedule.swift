/// Schedules: cron expressions (standard 5-field and Quartz) and fixed intervals, over
/// IANA time zones. Pure: no I/O, no clocks; callers pass the reference time.

import Foundation

/// A Connection's schedule: `cron` (with `timeZone`) or `every` (API.md).
public enum Schedule: Hashable, Sendable {
    case cron(CronSchedule, TimeZone)
    case interval(IntervalSchedule)

    /// The first activation strictly after `after`; nil when the cron has none.
    public func next(after: Date) -> Date? {
        switch self {
        case .cron(let cron, let zone): cron.next(after: after, in: zone)
        case .interval(let interval): interval.next(after: after)
        }
    }

    /// The IANA zone a Connection's `timeZone` names. An unknown name (or `Local`, which
    /// Kubernetes also refuses) is reported like a field error, so callers treat both alike.
    public static func timeZone(named identifier: String) throws(CronParseError) -> TimeZone {
        guard !identifier.isEmpty, identifier.lowercased() != "local", let zone = TimeZone(identifier: identifier) else {
            throw CronParseError(field: "timeZone", "unknown time zone \"\(identifier)\"")
        }
        return zone
    }
}
