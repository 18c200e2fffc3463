/// A parsed cron expression in either dialect Ferry accepts (API.md, Connection
/// `schedule.cron`), and its activation times in an IANA time zone.
import Foundation

public struct CronSchedule: Hashable, Sendable {
    public enum Dialect: String, Hashable, Sendable {
        /// 5 fields (or a descriptor such as `@daily`), evaluated like robfig/cron v3 and
        /// so like the Kubernetes CronJob controller.
        case standard
        /// 6 or 7 fields with seconds (and years), evaluated like Java Quartz.
        case quartz
        /// `@every <duration>`, robfig's constant delay.
        case interval
    }

    enum Spec: Hashable, Sendable {
        case standard(StandardCronSpec)
        case quartz(QuartzCronSpec)
        case interval(IntervalSchedule)
    }

    /// The expression as given.
    public let expression: String
    let spec: Spec

    public var dialect: Dialect {
        switch spec {
        case .standard: .standard
        case .quartz: .quartz
        case .interval: .interval
        }
    }

    /// Parses 5-field standard cron (with `@hourly`-style descriptors and `@every`) or
    /// 6/7-field Quartz cron, chosen by the number of fields.
    public init(parsing expression: String) throws(CronParseError) {
        self.expression = expression
        let trimmed = expression.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("TZ=") || trimmed.hasPrefix("CRON_TZ=") {
            throw CronParseError(field: nil, "TZ and CRON_TZ prefixes are not supported; use the timeZone field")
        }
        if trimmed.hasPrefix("@") {
            let lower = trimmed.lowercased()
            if lower.hasPrefix("@every ") || lower.hasPrefix("@every\t") {
                let duration = trimmed.dropFirst("@every".count).trimmingCharacters(in: .whitespaces)
                spec = .interval(try IntervalSchedule(parsing: duration, field: "@every"))
                return
            }
            guard let equivalent = StandardCronSpec.descriptors[lower] else {
                let known = StandardCronSpec.descriptors.keys.sorted().joined(separator: ", ")
                throw CronParseError(field: nil, "unknown descriptor \(trimmed); known: \(known), @every <duration>")
            }
            spec = .standard(try StandardCronSpec(fields: equivalent.split(separator: " ").map(String.init)))
            return
        }
        let fields = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        switch fields.count {
        case 5: spec = .standard(try StandardCronSpec(fields: fields))
        case 6, 7: spec = .quartz(try QuartzCronSpec(fields: fields))
        default:
            throw CronParseError(field: nil, "expected 5 fields (minute hour day-of-month month day-of-week) or Quartz 6-7 fields (second minute hour day-of-month month day-of-week [year]), found \(fields.count)")
        }
    }

    /// The first activation strictly after `after` (whole seconds), reading fields in
    /// `zone`. nil when there is none: within 5 years for the standard dialect (robfig's
    /// bound, e.g. `0 0 30 2 *`), up to the year 2099 for Quartz.
    public func next(after: Date, in zone: TimeZone) -> Date? {
        // Beyond ±30 million years the arithmetic would overflow; no schedule runs there.
        let seconds = after.timeIntervalSince1970.rounded(.down)
        guard seconds.isFinite, abs(seconds) < 1e15 else { return nil }
        let clock = ZoneClock(zone: zone)
        let start = Int(seconds)
        let found: Int?
        switch spec {
        case .standard(let s): found = s.next(after: start, clock: clock)
        case .quartz(let q): found = q.next(after: start, clock: clock)
        case .interval(let i): return i.next(after: after)
        }
        return found.map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    /// Up to `count` successive activations after `after`.
    public func next(_ count: Int, after: Date, in zone: TimeZone) -> [Date] {
        var result: [Date] = []
        var from = after
        while result.count < count, let t = next(after: from, in: zone) {
            result.append(t)
            from = t
        }
        return result
    }
}
