/// Fuzzes the schedule parsers (5-field standard cron with descriptors and `@every`, 6/7-field
/// Quartz cron, `every:` intervals) and the next activation times of what parses, from fixed
/// instants in a few zones (picked by a hash of the input, so runs are deterministic), a
/// bounded number of activations each.
///
/// Invariants (documented in Sources/FerrySchedule):
/// - `next(after:)` is the first activation strictly after `after`, in whole seconds; so
///   successive activations increase, and (in UTC, where every instant has one reading)
///   asking again from one second before an activation finds the same activation.
/// - Standard cron gives up within 5 years (robfig's bound), Quartz after the year 2099.
/// - An interval is at least one second, and its next activation is `after` rounded down
///   to the second plus the interval.
import Foundation
import FerrySchedule
import FuzzSupport

/// Fixed parameters (statics, not top-level variables: those belong to the main actor).
enum Fixture {
    /// Zones with a DST gap and overlap, a 30-minute DST shift, a 45-minute offset, and none.
    static let zones: [TimeZone] = ["UTC", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "Europe/London"].compactMap(TimeZone.init(identifier:))
    /// Instants near DST changes, a leap day, the epoch, just before the Quartz bound, and a sub-second one.
    static let instants: [Date] = [1_772_949_600, 1_793_512_800, 1_709_164_800, 0, 4_070_908_000, 1_765_000_000.75].map(Date.init(timeIntervalSince1970:))
    static let utc = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? .current
    /// 2100-01-02T00:00:00Z: Quartz activations end within 2099 in any zone.
    static let quartzEnd = Date(timeIntervalSince1970: 4_102_531_200)
    static let sixYears: TimeInterval = 6 * 366 * 86_400
}

@_cdecl("LLVMFuzzerTestOneInput") public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    let text = String(decoding: bytes, as: UTF8.self)
    let hash = bytes.reduce(0) { ($0 &* 31 &+ Int($1)) & 0xFFFF }

    if let interval = try? IntervalSchedule(parsing: text) {
        require(interval.seconds >= 1, "interval of \(interval.seconds)s")
        let after = Fixture.instants[hash % Fixture.instants.count]
        require(interval.next(after: after).timeIntervalSince1970 == after.timeIntervalSince1970.rounded(.down) + Double(interval.seconds), "interval next is not after rounded down plus the interval")
    }

    guard let cron = try? CronSchedule(parsing: text) else { return 0 }
    check(cron, in: Fixture.zones[hash % Fixture.zones.count], after: Fixture.instants[(hash / 7) % Fixture.instants.count], exact: false)
    check(cron, in: Fixture.utc, after: Fixture.instants[(hash / 11) % Fixture.instants.count], exact: true)
    return 0
}

/// Three successive activations; `exact`: also ask again from one second before each.
func check(_ cron: CronSchedule, in zone: TimeZone, after: Date, exact: Bool) {
    var from = after
    for _ in 0..<3 {
        guard let next = cron.next(after: from, in: zone) else { return }
        let t = next.timeIntervalSince1970
        require(t > from.timeIntervalSince1970, "\(cron.expression): next \(next) not after \(from)")
        require(t == t.rounded(.down), "\(cron.expression): next \(t) is not a whole second")
        switch cron.dialect {
        case .standard: require(t - from.timeIntervalSince1970 <= Fixture.sixYears, "\(cron.expression): next \(next) more than 5 years after \(from)")
        case .quartz: require(next < Fixture.quartzEnd, "\(cron.expression): next \(next) after 2099")
        case .interval: break
        }
        if exact, cron.dialect != .interval, t - 1 >= from.timeIntervalSince1970.rounded(.down) {
            let again = cron.next(after: Date(timeIntervalSince1970: t - 1), in: zone)
            require(again == next, "\(cron.expression): next after \(from) is \(next), but after one second before it is \(String(describing: again))")
        }
        from = next
    }
}

#if FERRY_FUZZING
runLibFuzzer(fuzz)  // scripts/fuzz.sh's build; see FuzzSupport
#endif
