/// `every:` durations and `@every`: robfig's `ConstantDelaySchedule`.
import Foundation
import Testing
@testable import FerrySchedule

let robfigDelay = "robfig/cron v3 constantdelay_test.go TestConstantDelayNext"

let intervalCases: [NextCase] = [
    NextCase(robfigDelay, "2012-07-09T14:45:00Z", "@every 15m50ns", "2012-07-09T15:00:00Z"),
    NextCase(robfigDelay, "2012-07-09T14:59:00Z", "@every 15m", "2012-07-09T15:14:00Z"),
    NextCase(robfigDelay, "2012-07-09T14:59:59Z", "@every 15m", "2012-07-09T15:14:59Z"),
    NextCase(robfigDelay, "2012-07-09T15:45:00Z", "@every 35m", "2012-07-09T16:20:00Z"),
    NextCase(robfigDelay, "2012-07-09T23:46:00Z", "@every 14m", "2012-07-10T00:00:00Z"),
    NextCase(robfigDelay, "2012-07-09T23:45:00Z", "@every 35m", "2012-07-10T00:20:00Z"),
    NextCase(robfigDelay, "2012-07-09T23:35:51Z", "@every 44m24s", "2012-07-10T00:20:15Z"),
    NextCase(robfigDelay, "2012-07-09T23:35:51Z", "@every 25h44m24s", "2012-07-11T01:20:15Z"),
    NextCase(robfigDelay, "2012-07-09T23:35:00Z", "@every 2184h25m", "2012-10-09T00:00:00Z"),
    NextCase(robfigDelay, "2012-12-31T23:59:45Z", "@every 15s", "2013-01-01T00:00:00Z"),
    NextCase(robfigDelay, "2012-07-09T14:45:00Z", "@every 15ms", "2012-07-09T14:45:01Z"),  // below 1s becomes 1s
    NextCase(robfigDelay, "2012-07-09T14:45:00.005Z", "@every 15m", "2012-07-09T15:00:00Z"),  // from rounds down
]

@Suite struct IntervalScheduleTests {
    @Test(arguments: intervalCases)
    func next(_ c: NextCase) throws {
        try expectNext(c)
    }

    @Test(arguments: [("1h30m", 5400), ("90s", 90), ("24h", 86_400), ("1.5h", 5400), ("2h45m30s", 9930), ("500ms", 1), ("1m0.5s", 60)])
    func durations(_ text: String, _ seconds: Int) throws {
        #expect(try IntervalSchedule(parsing: text).seconds == seconds)
    }

    @Test(arguments: ["", "1", "h", "1d", "-1h", "1h-30m", "0", "0s", ".h", "abc"])
    func badDurations(_ text: String) {
        #expect(throws: CronParseError(field: "every", text == "0" || text == "0s"
            ? "\"\(text)\" must be longer than zero"
            : "\"\(text)\" is not a duration such as 90s, 15m, 1h30m or 24h")) {
            try IntervalSchedule(parsing: text)
        }
    }

    @Test func longerThanGoAllows() {
        #expect(throws: CronParseError.self) { try IntervalSchedule(parsing: "9999999999999999999h") }
        #expect(throws: CronParseError.self) { try CronSchedule(parsing: "@every 9999999999999999999h") }
    }

    @Test func scheduleEnum() throws {
        let from = try #require(instant("2026-03-08T01:00:00-05:00"))
        let zone = try Schedule.timeZone(named: "America/New_York")
        let cron = Schedule.cron(try CronSchedule(parsing: "0 * * * *"), zone)
        #expect(cron.next(after: from).map { rfc3339($0, zone) } == "2026-03-08T03:00:00-04:00")
        #expect(Schedule.interval(try IntervalSchedule(parsing: "1h")).next(after: from) == from.addingTimeInterval(3600))
        #expect(throws: CronParseError.self) { try Schedule.timeZone(named: "Mars/Olympus") }
        #expect(throws: CronParseError.self) { try Schedule.timeZone(named: "Local") }
    }
}
