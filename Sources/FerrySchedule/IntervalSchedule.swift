/// A fixed interval: the Connection's `every:` (Airbyte's "basic" schedule) and cron's
/// `@every <duration>` (robfig's `ConstantDelaySchedule`).
import Foundation

public struct IntervalSchedule: Hashable, Sendable {
    /// Whole seconds, at least 1: robfig truncates sub-second parts and raises anything
    /// shorter than a second to one second.
    public let seconds: Int

    public init(seconds: Int) {
        self.seconds = max(1, seconds)
    }

    /// A Go duration such as `1h30m`, `90s` or `24h`.
    public init(parsing text: String, field: String = "every") throws(CronParseError) {
        guard let total = Self.durationSeconds(text) else {
            throw CronParseError(field: field, "\"\(text)\" is not a duration such as 90s, 15m, 1h30m or 24h")
        }
        guard total > 0 else { throw CronParseError(field: field, "\"\(text)\" must be longer than zero") }
        // Go durations end at about 292 years (2^63 ns); longer ones do not parse there either.
        guard total < 9_223_372_036 else { throw CronParseError(field: field, "\"\(text)\" is longer than 292 years") }
        self.init(seconds: Int(total.rounded(.down)))
    }

    /// robfig's `ConstantDelaySchedule.Next`: `after` rounded down to the second, plus the
    /// interval. With Airbyte's basic schedule `after` is the last sync's creation time.
    public func next(after: Date) -> Date {
        after.timeIntervalSince1970.isFinite
            ? Date(timeIntervalSince1970: after.timeIntervalSince1970.rounded(.down) + TimeInterval(seconds))
            : after
    }

    /// Seconds in a Go duration (`time.ParseDuration` without a sign), nil when malformed.
    static func durationSeconds(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("μs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)]
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        if rest == "0" { return 0 }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, number != ".", let n = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            // Longest unit first, so that "ms" is not read as "m" followed by "s".
            guard let unit = units.sorted(by: { $0.0.count > $1.0.count }).first(where: { rest.hasPrefix($0.0) }) else { return nil }
            rest = rest.dropFirst(unit.0.count)
            total += n * unit.1
        }
        return total
    }
}
