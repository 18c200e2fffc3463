/// The Quartz 6/7-field dialect against Java Quartz's and Quartz.NET's `CronExpressionTest`
/// (Quartz.NET's rows are used only where Java Quartz agrees), plus robfig's seconds rows.
/// Java's tests use the JVM's default zone; rows without DST questions are run in UTC.
import Foundation
import Testing
@testable import FerrySchedule

let quartzTest = "quartz CronExpressionTest.java"
let quartzNet = "quartznet CronExpressionTest.cs"
let robfigSeconds = "robfig/cron v3 spec_test.go TestNext (seconds rows; day-of-week * written as ?)"
let quartzDerived = "derived: Quartz getTimeAfter over Java's lenient calendar, worked out by hand"
/// Rows computed by a transcription of Quartz's getTimeAfter (plain value sets only) run
/// on OpenJDK 17's java.util.GregorianCalendar; a 1300-row grid around DST changes in
/// four zones agreed with this implementation when it was written.
let quartzJava = "Quartz getTimeAfter transcription on java.util.GregorianCalendar (OpenJDK 17)"

let quartzActivationCases: [ActivationCase] = [
    ActivationCase("\(quartzTest) testIsSatisfiedBy", "2005-06-01T10:15:00Z", "0 15 10 * * ? 2005", true),
    ActivationCase("\(quartzTest) testIsSatisfiedBy", "2006-06-01T10:15:00Z", "0 15 10 * * ? 2005", false),
    ActivationCase("\(quartzTest) testIsSatisfiedBy", "2005-06-01T10:16:00Z", "0 15 10 * * ? 2005", false),
    ActivationCase("\(quartzTest) testIsSatisfiedBy", "2005-06-01T10:14:00Z", "0 15 10 * * ? 2005", false),
    ActivationCase("\(quartzTest) testLastDayOffset", "2010-10-29T10:15:00Z", "0 15 10 L-2 * ? 2010", true),
    ActivationCase("\(quartzTest) testLastDayOffset", "2010-10-28T10:15:00Z", "0 15 10 L-2 * ? 2010", false),
    ActivationCase("\(quartzTest) testLastDayOffset", "2010-10-26T10:15:00Z", "0 15 10 L-5W * ? 2010", true),
    ActivationCase("\(quartzTest) testLastDayOffset", "2010-10-30T10:15:00Z", "0 15 10 L-1 * ? 2010", true),
    ActivationCase("\(quartzTest) testLastDayOffset", "2010-10-29T10:15:00Z", "0 15 10 L-1W * ? 2010", true),
    ActivationCase("\(quartzNet) TestIsSatisfiedBy", "2007-06-09T10:15:00Z", "0 15 10 ? * MON-FRI", false),
    ActivationCase("\(quartzNet) TestIsSatisfiedBy", "2007-06-10T10:15:00Z", "0 15 10 ? * MON-FRI", false),
    ActivationCase("\(quartzNet) TestIsSatisfiedBy", "2007-06-11T10:15:00Z", "0 15 10 ? * MON-FRI", true),
    // CanUseLastDayOfMonthInArray: L items in day-of-month lists (as newer Java Quartz allows).
    ActivationCase("\(quartzNet) CanUseLastDayOfMonthInArray", "2010-10-06T10:15:00Z", "0 15 10 6,15,LW * ? 2010", true),
    ActivationCase("\(quartzNet) CanUseLastDayOfMonthInArray", "2010-10-15T10:15:00Z", "0 15 10 6,15,LW * ? 2010", true),
    ActivationCase("\(quartzNet) CanUseLastDayOfMonthInArray", "2010-10-29T10:15:00Z", "0 15 10 6,15,LW * ? 2010", true),
    ActivationCase("\(quartzNet) CanUseLastDayOfMonthInArray", "2010-10-31T10:15:00Z", "0 15 10 6,15,LW * ? 2010", false),
    ActivationCase("\(quartzNet) CanUseLastDayOfMonthInArray", "2010-10-31T10:15:00Z", "0 15 10 6,15,L * ? 2010", true),
    ActivationCase("\(quartzNet) CanUseLastDayOfMonthInArray", "2010-10-31T10:15:00Z", "0 15 10 15,L * ? 2010", true),
    ActivationCase("\(quartzNet) CanUseLastDayOfMonthInArray", "2010-10-31T10:15:00Z", "0 15 10 15,31 * ? 2010", true),
    ActivationCase("\(quartzNet) CanUseLastDayOfMonthInArray", "2010-10-29T10:15:00Z", "0 15 10 15,L-2 * ? 2010", true),
    ActivationCase("\(quartzNet) CanUseLastDayOfMonthInArray", "2010-10-31T10:15:00Z", "0 15 10 31,L-2 * ? 2010", true),
    ActivationCase("\(quartzNet) CanUseLastDayOfMonthInArray", "2010-10-03T10:15:00Z", "0 15 10 1,3,6,15,L * ? 2010", true),
    ActivationCase("\(quartzNet) CanUseLastDayOfMonthInArray", "2010-10-04T10:15:00Z", "0 15 10 1,3,6,15,L * ? 2010", false),
]

let quartzNextCases: [NextCase] = [
    NextCase(robfigSeconds, "2012-07-09T23:35:51Z", "15/35 20-35/15 * * * ?", "2012-07-10T00:20:15Z"),
    NextCase(robfigSeconds, "2012-07-09T23:35:51Z", "15/35 20-35/15 1/2 * * ?", "2012-07-10T01:20:15Z"),
    NextCase(robfigSeconds, "2012-07-09T23:35:51Z", "15/35 20-35/15 10-12 * * ?", "2012-07-10T10:20:15Z"),
    NextCase(robfigSeconds, "2012-07-09T23:35:51Z", "15/35 20-35/15 1/2 */2 * ?", "2012-07-11T01:20:15Z"),
    NextCase(robfigSeconds, "2012-07-09T23:35:51Z", "15/35 20-35/15 * 9-20 * ?", "2012-07-10T00:20:15Z"),
    NextCase(robfigSeconds, "2012-07-09T23:35:51Z", "15/35 20-35/15 * 9-20 Jul ?", "2012-07-10T00:20:15Z"),
    NextCase(robfigSeconds, "2012-12-31T23:59:45Z", "0 * * * * ?", "2013-01-01T00:00:00Z"),
    NextCase("\(quartzTest) testIsSatisfiedBy", "2005-12-31T10:15:00Z", "0 15 10 * * ? 2005", nil),
    // Ensure_NthWeek_Day_IsBetween1And7: the first n#1 of January 2010.
    NextCase("\(quartzNet) Ensure_NthWeek_Day_IsBetween1And7", "2009-12-31T00:00:00Z", "0 15 10 ? * 1#1 2010", "2010-01-03T10:15:00Z"),
    NextCase("\(quartzNet) Ensure_NthWeek_Day_IsBetween1And7", "2009-12-31T00:00:00Z", "0 15 10 ? * 2#1 2010", "2010-01-04T10:15:00Z"),
    NextCase("\(quartzNet) Ensure_NthWeek_Day_IsBetween1And7", "2009-12-31T00:00:00Z", "0 15 10 ? * 3#1 2010", "2010-01-05T10:15:00Z"),
    NextCase("\(quartzNet) Ensure_NthWeek_Day_IsBetween1And7", "2009-12-31T00:00:00Z", "0 15 10 ? * 4#1 2010", "2010-01-06T10:15:00Z"),
    NextCase("\(quartzNet) Ensure_NthWeek_Day_IsBetween1And7", "2009-12-31T00:00:00Z", "0 15 10 ? * 5#1 2010", "2010-01-07T10:15:00Z"),
    NextCase("\(quartzNet) Ensure_NthWeek_Day_IsBetween1And7", "2009-12-31T00:00:00Z", "0 15 10 ? * 6#1 2010", "2010-01-01T10:15:00Z"),
    NextCase("\(quartzNet) Ensure_NthWeek_Day_IsBetween1And7", "2009-12-31T00:00:00Z", "0 15 10 ? * 7#1 2010", "2010-01-02T10:15:00Z"),
    NextCase("\(quartzNet) TestCronExpressionPassingMidnight", "2005-06-01T23:16:00Z", "0 15 23 * * ?", "2005-06-02T23:15:00Z"),
    NextCase("\(quartzNet) TestCronExpressionPassingYear", "2007-12-01T23:59:59Z", "0 55 15 1 * ?", "2008-01-01T15:55:00Z"),
    NextCase("\(quartzNet) TestHourShift", "2005-06-01T01:59:55Z", "0/5 * * * * ?", "2005-06-01T02:00:00Z"),
    NextCase("\(quartzNet) TestMonthShift", "2005-07-31T22:59:57Z", "* * 1 * * ?", "2005-08-01T01:00:00Z"),
    NextCase("\(quartzNet) TestGetTimeAfter_QRTZNET149", "2009-01-30T00:00:00Z", "0 0 0 29 * ?", "2009-03-29T00:00:00Z"),
    NextCase("\(quartzNet) TestGetTimeAfter_QRTZNET149", "2009-12-30T00:00:00Z", "0 0 0 29 * ?", "2010-01-29T00:00:00Z"),
    NextCase("\(quartzNet) TestQRTZNET152 (5W)", "2009-03-08T00:00:00Z", "0 5 13 5W 1-12 ?", "2009-04-06T13:05:00Z"),
    NextCase("\(quartzNet) TestQRTZNET152 (5W)", "2009-04-06T13:05:00Z", "0 5 13 5W 1-12 ?", "2009-05-05T13:05:00Z"),
    NextCase("\(quartzNet) TestDaylightSavingsDoesNotMatchAnHourBefore", zone: "America/New_York", "2012-11-04T00:00:00Z", "0 15 15 5 11 ?", "2012-11-05T15:15:00-05:00"),
    NextCase("\(quartzNet) TestDaylightSavingsDoesNotMatchAnHourBefore2", zone: "America/New_York", "2012-11-04T00:00:00Z", "0 0 0 ? * THU", "2012-11-08T00:00:00-05:00"),
    NextCase("\(quartzTest) testQuartz640 (5L parses; last Thursday)", "2012-07-09T00:00:00Z", "0 43 9 ? * 5L", "2012-07-26T09:43:00Z"),
]

/// DST in two zones. Quartz's own suites have no gap/overlap rows for Java, so these are
/// worked out from getTimeAfter and Java's calendar (probed: a skipped wall time moves
/// forward, a repeated one resolves to standard time, also right after a field is set).
let quartzDSTCases: [NextCase] = [
    NextCase(quartzDerived, zone: "America/New_York", "2012-03-11T01:00:00-05:00", "0 0 * * * ?", "2012-03-11T03:00:00-04:00"),
    NextCase(quartzDerived, zone: "America/New_York", "2012-03-11T00:00:00-05:00", "0 30 2 * * ?", "2012-03-12T02:30:00-04:00"),
    NextCase(quartzDerived, zone: "America/New_York", "2012-03-11T00:00:00-05:00", "0 0 2 * * ?", "2012-03-12T02:00:00-04:00"),
    NextCase(quartzDerived, zone: "America/New_York", "2012-11-04T00:00:00-04:00", "0 0 1 * * ?", "2012-11-04T01:00:00-05:00"),
    NextCase(quartzDerived, zone: "America/New_York", "2012-11-04T01:00:00-05:00", "0 0 1 * * ?", "2012-11-05T01:00:00-05:00"),
    NextCase(quartzDerived, zone: "America/New_York", "2012-11-04T00:00:00-04:00", "0 0 * * * ?", "2012-11-04T01:00:00-05:00"),
    NextCase(quartzDerived, zone: "America/New_York", "2012-11-04T01:45:00-04:00", "0 30 1 * * ?", "2012-11-05T01:30:00-05:00"),
    NextCase(quartzDerived, zone: "Europe/Berlin", "2018-03-25T00:00:00+01:00", "0 30 2 * * ?", "2018-03-26T02:30:00+02:00"),
    NextCase(quartzDerived, zone: "Europe/Berlin", "2018-03-25T01:00:00+01:00", "0 0 * * * ?", "2018-03-25T03:00:00+02:00"),
    NextCase(quartzDerived, zone: "Europe/Berlin", "2018-10-28T00:00:00+02:00", "0 0 2 * * ?", "2018-10-28T02:00:00+01:00"),
    NextCase(quartzDerived, zone: "Europe/Berlin", "2018-10-28T02:00:00+01:00", "0 0 2 * * ?", "2018-10-29T02:00:00+01:00"),
    // Lord Howe moves by 30 minutes: 02:00 -> 02:30 (+11:00) and 02:00 -> 01:30 (+10:30).
    NextCase(quartzJava, zone: "Australia/Lord_Howe", "2019-10-06T01:03:20+10:30", "0 0 * * * ?", "2019-10-06T03:00:00+11:00"),
    NextCase(quartzJava, zone: "Australia/Lord_Howe", "2019-10-06T01:03:20+10:30", "0 15 2 * * ?", "2019-10-07T02:15:00+11:00"),
    NextCase(quartzJava, zone: "Australia/Lord_Howe", "2019-04-06T00:00:00+11:00", "0 45 1 * * ?", "2019-04-06T01:45:00+11:00"),
    NextCase(quartzJava, zone: "Australia/Lord_Howe", "2019-04-06T01:45:00+11:00", "0 45 1 * * ?", "2019-04-07T01:45:00+10:30"),
    // Sao Paulo 2018: midnight skipped on Nov 4, 23:00-24:00 repeated on Feb 17.
    NextCase(quartzJava, zone: "America/Sao_Paulo", "2018-11-03T21:00:00-03:00", "0 0 0 * * ?", "2018-11-05T00:00:00-02:00"),
    NextCase(quartzJava, zone: "America/Sao_Paulo", "2018-02-17T23:00:00-02:00", "0 30 23 * * ?", "2018-02-17T23:30:00-03:00"),
]

/// Quartz.NET's `TestCorrectWeekFireDays`: the June 2007 days a schedule fires on,
/// stepping from 2007-06-01 11:00.
struct FireDaysCase: Sendable, CustomTestStringConvertible {
    var origin: String
    var expression: String
    var days: [Int]
    var testDescription: String { "\(expression) [\(origin)]" }
}

let fireDaysCases: [FireDaysCase] = [
    FireDaysCase(origin: "\(quartzNet) TestCronExpressionWeekdaysMonFri", expression: "0 0 12 ? * MON-FRI",
                 days: [1, 4, 5, 6, 7, 8, 11, 12, 13, 14, 15, 18, 19, 20, 21, 22, 25, 26, 27, 28, 29]),
    FireDaysCase(origin: "\(quartzNet) TestCronExpressionWeekdaysFriday", expression: "0 0 12 ? * FRI", days: [1, 8, 15, 22, 29]),
    FireDaysCase(origin: "\(quartzNet) TestCronExpressionLastDayOfMonth", expression: "0 0 12 L * ?", days: [30]),
]

@Suite struct QuartzCronTests {
    @Test(arguments: quartzActivationCases)
    func activation(_ c: ActivationCase) throws {
        let schedule = try CronSchedule(parsing: c.expression)
        #expect(schedule.dialect == .quartz)
        let time = try #require(instant(c.time))
        let next = schedule.next(after: time.addingTimeInterval(-1), in: .gmt)
        #expect((next == time) == c.fires, "next after \(c.time) - 1s was \(rfc3339(next, .gmt))")
    }

    @Test(arguments: quartzNextCases + quartzDSTCases)
    func next(_ c: NextCase) throws {
        try expectNext(c)
    }

    @Test(arguments: fireDaysCases)
    func juneFireDays(_ c: FireDaysCase) throws {
        let schedule = try CronSchedule(parsing: c.expression)
        let start = try #require(instant("2007-06-01T11:00:00Z"))
        let june = schedule.next(40, after: start, in: .gmt).map { ZoneClock(zone: .gmt).civil(Int($0.timeIntervalSince1970)) }
            .filter { $0.year == 2007 && $0.month == 6 }.map(\.day)
        #expect(june == c.days)
    }

    @Test func wrappingRangesAndNames() throws {
        // quartznet TestAmbiguous/TestHour/TestDayOfWeek parse wrapping ranges; check their values.
        let hours = try CronSchedule(parsing: "0 0 22-2 ? * FRI-MON")
        let from = try #require(instant("2024-05-03T21:00:00Z"))  // a Friday
        let times = hours.next(6, after: from, in: .gmt).map { rfc3339($0, .gmt) }
        #expect(times == ["2024-05-03T22:00:00Z", "2024-05-03T23:00:00Z", "2024-05-04T00:00:00Z",
                          "2024-05-04T01:00:00Z", "2024-05-04T02:00:00Z", "2024-05-04T22:00:00Z"])
    }

    @Test func lastYearEndsTheSchedule() throws {
        let schedule = try CronSchedule(parsing: "0 0 0 30 2 ?")
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(schedule.next(after: Date(timeIntervalSince1970: 1_700_000_000), in: .gmt) == nil)
        }
        #expect(elapsed < .seconds(1))
    }
}
