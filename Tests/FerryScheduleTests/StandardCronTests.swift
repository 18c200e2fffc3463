/// The standard 5-field dialect against robfig/cron v3's and the Kubernetes CronJob
/// controller's own tables. robfig's `TestNext` uses a parser with seconds; rows whose
/// seconds field is `0` are written here without it (same schedule, 5 fields).
import Foundation
import Testing
@testable import FerrySchedule

let robfigActivation = "robfig/cron v3 spec_test.go TestActivation"
let robfigNext = "robfig/cron v3 spec_test.go TestNext"
let robfigNextWithTz = "robfig/cron v3 spec_test.go TestNextWithTz"
let k8sNext = "kubernetes pkg/controller/cronjob/utils_test.go TestNextScheduleTime"
let k8sMostRecent = "kubernetes pkg/controller/cronjob/utils_test.go TestMostRecentScheduleTime"

let standardActivationCases: [ActivationCase] = [
    // Every fifteen minutes.
    ActivationCase(robfigActivation, "2012-07-09T15:00:00Z", "0/15 * * * *", true),
    ActivationCase(robfigActivation, "2012-07-09T15:45:00Z", "0/15 * * * *", true),
    ActivationCase(robfigActivation, "2012-07-09T15:40:00Z", "0/15 * * * *", false),
    // Every fifteen minutes, starting at 5 minutes.
    ActivationCase(robfigActivation, "2012-07-09T15:05:00Z", "5/15 * * * *", true),
    ActivationCase(robfigActivation, "2012-07-09T15:20:00Z", "5/15 * * * *", true),
    ActivationCase(robfigActivation, "2012-07-09T15:50:00Z", "5/15 * * * *", true),
    // Named months.
    ActivationCase(robfigActivation, "2012-07-15T15:00:00Z", "0/15 * * Jul *", true),
    ActivationCase(robfigActivation, "2012-07-15T15:00:00Z", "0/15 * * Jun *", false),
    // Everything set.
    ActivationCase(robfigActivation, "2012-07-15T08:30:00Z", "30 08 ? Jul Sun", true),
    ActivationCase(robfigActivation, "2012-07-15T08:30:00Z", "30 08 15 Jul ?", true),
    ActivationCase(robfigActivation, "2012-07-16T08:30:00Z", "30 08 ? Jul Sun", false),
    ActivationCase(robfigActivation, "2012-07-16T08:30:00Z", "30 08 15 Jul ?", false),
    // Predefined schedules.
    ActivationCase(robfigActivation, "2012-07-09T15:00:00Z", "@hourly", true),
    ActivationCase(robfigActivation, "2012-07-09T15:04:00Z", "@hourly", false),
    ActivationCase(robfigActivation, "2012-07-09T15:00:00Z", "@daily", false),
    ActivationCase(robfigActivation, "2012-07-09T00:00:00Z", "@daily", true),
    ActivationCase(robfigActivation, "2012-07-09T00:00:00Z", "@weekly", false),
    ActivationCase(robfigActivation, "2012-07-08T00:00:00Z", "@weekly", true),
    ActivationCase(robfigActivation, "2012-07-08T01:00:00Z", "@weekly", false),
    ActivationCase(robfigActivation, "2012-07-08T00:00:00Z", "@monthly", false),
    ActivationCase(robfigActivation, "2012-07-01T00:00:00Z", "@monthly", true),
    // Day-of-month and day-of-week both restricted: either may match (OR).
    ActivationCase(robfigActivation, "2012-07-15T00:00:00Z", "* * 1,15 * Sun", true),
    ActivationCase(robfigActivation, "2012-06-15T00:00:00Z", "* * 1,15 * Sun", true),
    ActivationCase(robfigActivation, "2012-08-01T00:00:00Z", "* * 1,15 * Sun", true),
    ActivationCase(robfigActivation, "2012-07-15T00:00:00Z", "* * */10 * Sun", true),  // robfig #70: a step un-stars
    // One of them starred: both must match (AND).
    ActivationCase(robfigActivation, "2012-07-15T00:00:00Z", "* * * * Mon", false),
    ActivationCase(robfigActivation, "2012-07-09T00:00:00Z", "* * 1,15 * *", false),
    ActivationCase(robfigActivation, "2012-07-15T00:00:00Z", "* * 1,15 * *", true),
    ActivationCase(robfigActivation, "2012-07-15T00:00:00Z", "* * */2 * Sun", true),
]

let standardNextCases: [NextCase] = [
    // Simple cases.
    NextCase(robfigNext, "2012-07-09T14:45:00Z", "0/15 * * * *", "2012-07-09T15:00:00Z"),
    NextCase(robfigNext, "2012-07-09T14:59:00Z", "0/15 * * * *", "2012-07-09T15:00:00Z"),
    NextCase(robfigNext, "2012-07-09T14:59:59Z", "0/15 * * * *", "2012-07-09T15:00:00Z"),
    // Wrap around hours.
    NextCase(robfigNext, "2012-07-09T15:45:00Z", "20-35/15 * * * *", "2012-07-09T16:20:00Z"),
    // Wrap around days.
    NextCase(robfigNext, "2012-07-09T23:46:00Z", "*/15 * * * *", "2012-07-10T00:00:00Z"),
    NextCase(robfigNext, "2012-07-09T23:45:00Z", "20-35/15 * * * *", "2012-07-10T00:20:00Z"),
    // Wrap around months.
    NextCase(robfigNext, "2012-07-09T23:35:00Z", "0 0 9 Apr-Oct ?", "2012-08-09T00:00:00Z"),
    NextCase(robfigNext, "2012-07-09T23:35:00Z", "0 0 */5 Apr,Aug,Oct Mon", "2012-08-01T00:00:00Z"),  // OR: Aug 1 is in */5
    NextCase(robfigNext, "2012-07-09T23:35:00Z", "0 0 */5 Oct Mon", "2012-10-01T00:00:00Z"),
    // Wrap around years.
    NextCase(robfigNext, "2012-07-09T23:35:00Z", "0 0 * Feb Mon", "2013-02-04T00:00:00Z"),
    NextCase(robfigNext, "2012-07-09T23:35:00Z", "0 0 * Feb Mon/2", "2013-02-01T00:00:00Z"),
    // Wrap around minute, hour, day, month, and year.
    NextCase(robfigNext, "2012-12-31T23:59:45Z", "* * * * *", "2013-01-01T00:00:00Z"),
    // Leap year.
    NextCase(robfigNext, "2012-07-09T23:35:00Z", "0 0 29 Feb ?", "2016-02-29T00:00:00Z"),
    // Daylight saving time 2am EST (-5) -> 3am EDT (-4): the skipped 02:30 does not run.
    NextCase(robfigNext, zone: "America/New_York", "2012-03-11T00:00:00-05:00", "30 2 11 Mar ?", "2013-03-11T02:30:00-04:00"),
    // ... an hourly job runs in the next hour that exists.
    NextCase(robfigNext, zone: "America/New_York", "2012-03-11T00:00:00-05:00", "0 * * * ?", "2012-03-11T01:00:00-05:00"),
    NextCase(robfigNext, zone: "America/New_York", "2012-03-11T01:00:00-05:00", "0 * * * ?", "2012-03-11T03:00:00-04:00"),
    NextCase(robfigNext, zone: "America/New_York", "2012-03-11T03:00:00-04:00", "0 * * * ?", "2012-03-11T04:00:00-04:00"),
    NextCase(robfigNext, zone: "America/New_York", "2012-03-11T04:00:00-04:00", "0 * * * ?", "2012-03-11T05:00:00-04:00"),
    // ... 1am nightly job.
    NextCase(robfigNext, zone: "America/New_York", "2012-03-11T00:00:00-05:00", "0 1 * * ?", "2012-03-11T01:00:00-05:00"),
    NextCase(robfigNext, zone: "America/New_York", "2012-03-11T01:00:00-05:00", "0 1 * * ?", "2012-03-12T01:00:00-04:00"),
    // ... 2am nightly job (skipped).
    NextCase(robfigNext, zone: "America/New_York", "2012-03-11T00:00:00-05:00", "0 2 * * ?", "2012-03-12T02:00:00-04:00"),
    // Daylight saving time 2am EDT (-4) -> 1am EST (-5).
    NextCase(robfigNext, zone: "America/New_York", "2012-11-04T00:00:00-04:00", "30 2 04 Nov ?", "2012-11-04T02:30:00-05:00"),
    NextCase(robfigNext, zone: "America/New_York", "2012-11-04T01:45:00-04:00", "30 1 04 Nov ?", "2012-11-04T01:30:00-05:00"),
    // ... hourly job.
    NextCase(robfigNext, zone: "America/New_York", "2012-11-04T00:00:00-04:00", "0 * * * ?", "2012-11-04T01:00:00-04:00"),
    NextCase(robfigNext, zone: "America/New_York", "2012-11-04T01:00:00-04:00", "0 * * * ?", "2012-11-04T01:00:00-05:00"),
    NextCase(robfigNext, zone: "America/New_York", "2012-11-04T01:00:00-05:00", "0 * * * ?", "2012-11-04T02:00:00-05:00"),
    // ... 1am nightly job (runs twice).
    NextCase(robfigNext, zone: "America/New_York", "2012-11-04T00:00:00-04:00", "0 1 * * ?", "2012-11-04T01:00:00-04:00"),
    NextCase(robfigNext, zone: "America/New_York", "2012-11-04T01:00:00-04:00", "0 1 * * ?", "2012-11-04T01:00:00-05:00"),
    NextCase(robfigNext, zone: "America/New_York", "2012-11-04T01:00:00-05:00", "0 1 * * ?", "2012-11-05T01:00:00-05:00"),
    // ... 2am nightly job.
    NextCase(robfigNext, zone: "America/New_York", "2012-11-04T00:00:00-04:00", "0 2 * * ?", "2012-11-04T02:00:00-05:00"),
    NextCase(robfigNext, zone: "America/New_York", "2012-11-04T02:00:00-05:00", "0 2 * * ?", "2012-11-05T02:00:00-05:00"),
    // ... 3am nightly job.
    NextCase(robfigNext, zone: "America/New_York", "2012-11-04T00:00:00-04:00", "0 3 * * ?", "2012-11-04T03:00:00-05:00"),
    NextCase(robfigNext, zone: "America/New_York", "2012-11-04T03:00:00-05:00", "0 3 * * ?", "2012-11-05T03:00:00-05:00"),
    // Unsatisfiable.
    NextCase(robfigNext, "2012-07-09T23:35:00Z", "0 0 30 Feb ?", nil),
    NextCase(robfigNext, "2012-07-09T23:35:00Z", "0 0 31 Apr ?", nil),
    // Monthly job.
    NextCase(robfigNext, zone: "America/New_York", "2012-11-04T00:00:00-04:00", "0 3 3 * ?", "2012-12-03T03:00:00-05:00"),
    // DST making midnight not exist (robfig issue 157).
    NextCase(robfigNext, zone: "America/Sao_Paulo", "2018-10-17T05:00:00-04:00", "0 9 10 * ?", "2018-11-10T06:00:00-05:00"),
    NextCase(robfigNext, zone: "America/Sao_Paulo", "2018-02-14T05:00:00-05:00", "0 9 22 * ?", "2018-02-22T07:00:00-05:00"),
    // The reference time's own offset (Asia/Kolkata is +05:30 all year).
    NextCase(robfigNextWithTz, zone: "Asia/Kolkata", "2016-01-03T13:09:03+05:30", "14 14 * * *", "2016-01-03T14:14:00+05:30"),
    NextCase(robfigNextWithTz, zone: "Asia/Kolkata", "2016-01-03T04:09:03+05:30", "14 14 * * ?", "2016-01-03T14:14:00+05:30"),
    NextCase(robfigNextWithTz, zone: "Asia/Kolkata", "2016-01-03T14:09:03+05:30", "14 14 * * *", "2016-01-03T14:14:00+05:30"),
    NextCase(robfigNextWithTz, zone: "Asia/Kolkata", "2016-01-03T14:00:00+05:30", "14 14 * * ?", "2016-01-03T14:14:00+05:30"),
    // Kubernetes: T1 = topOfTheHour() = 2016-05-19T10:00:00Z, hourly "0 * * * ?".
    NextCase(k8sNext, "2016-05-19T09:50:00Z", "0 * * * ?", "2016-05-19T10:00:00Z"),  // case 2: created T1-10m
    NextCase(k8sNext, "2016-05-19T10:00:00Z", "0 * * * ?", "2016-05-19T11:00:00Z"),  // case 4: last T1, T2 due
    NextCase(k8sNext, "2016-05-19T10:00:10Z", "59 23 31 2 *", nil),  // case 8: the rogue schedule
    NextCase(k8sMostRecent, "2016-05-19T10:00:00Z", "0 * * * *", "2016-05-19T11:00:00Z"),  // "now just after next schedule"
    NextCase(k8sMostRecent, "2016-05-19T10:30:00Z", "*/5 * * * *", "2016-05-19T10:35:00Z"),  // "earliestTime being LastScheduleTime"
    NextCase(k8sMostRecent, "2016-05-20T06:30:00Z", "30 6-16/4 * * 1-5", "2016-05-20T10:30:00Z"),  // "complex schedule": recent = T1+24h30m
    NextCase(k8sMostRecent, "2016-05-20T14:30:00Z", "30 6-16/4 * * 1-5", "2016-05-23T06:30:00Z"),  // "longer diff": over the weekend
    NextCase(k8sMostRecent, "2016-05-19T10:01:00Z", "@every 1h", "2016-05-19T11:01:00Z"),  // "@every schedule"
]

/// robfig's DST rows mirrored to zones east of UTC, where Go resolves skipped and
/// repeated wall times the other way round (see `ZoneClock.goDate`). Expected values
/// worked out by hand from robfig's spec.go and confirmed by a transcription of
/// `SpecSchedule.Next` run on Go 1.19's `time` package (a 1980-row grid around DST
/// changes in five zones agreed with this implementation when it was written).
/// Europe/Berlin changed 2018-03-25 02:00 -> 03:00 and 2018-10-28 03:00 -> 02:00.
let robfigGo = "robfig spec.go Next transcription run on Go 1.19"
let standardBerlinCases: [NextCase] = [
    NextCase("derived from robfig TestNext DST rows", zone: "Europe/Berlin", "2018-03-25T00:00:00+01:00", "30 2 * * *", "2018-03-26T02:30:00+02:00"),
    NextCase("derived from robfig TestNext DST rows", zone: "Europe/Berlin", "2018-03-25T01:00:00+01:00", "0 * * * *", "2018-03-25T03:00:00+02:00"),
    NextCase("derived from robfig TestNext DST rows", zone: "Europe/Berlin", "2018-10-28T00:00:00+02:00", "0 2 * * *", "2018-10-28T02:00:00+02:00"),
    NextCase("derived from robfig TestNext DST rows", zone: "Europe/Berlin", "2018-10-28T02:00:00+02:00", "0 2 * * *", "2018-10-28T02:00:00+01:00"),
    NextCase("derived from robfig TestNext DST rows", zone: "Europe/Berlin", "2018-10-28T02:00:00+01:00", "0 2 * * *", "2018-10-29T02:00:00+01:00"),
    NextCase("derived from robfig TestNext DST rows", zone: "Europe/Berlin", "2018-10-28T02:30:00+02:00", "0 * * * *", "2018-10-28T02:00:00+01:00"),
    // Lord Howe moves by 30 minutes; Tehran skipped midnight on 2019-03-22.
    NextCase(robfigGo, zone: "Australia/Lord_Howe", "2019-10-06T01:03:20+10:30", "0 * * * *", "2019-10-06T03:00:00+11:00"),
    NextCase(robfigGo, zone: "Australia/Lord_Howe", "2019-10-06T01:03:20+10:30", "15 2 * * *", "2019-10-07T02:15:00+11:00"),
    NextCase(robfigGo, zone: "Australia/Lord_Howe", "2019-04-06T01:45:00+11:00", "45 1 * * *", "2019-04-07T01:45:00+11:00"),
    NextCase(robfigGo, zone: "Australia/Lord_Howe", "2019-04-07T01:45:00+11:00", "45 1 * * *", "2019-04-07T01:45:00+10:30"),
    NextCase(robfigGo, zone: "Asia/Tehran", "2019-03-21T23:00:00+03:30", "30 0 * * *", "2019-03-23T00:30:00+04:30"),
]

@Suite struct StandardCronTests {
    @Test(arguments: standardActivationCases)
    func activation(_ c: ActivationCase) throws {
        let schedule = try CronSchedule(parsing: c.expression)
        #expect(schedule.dialect == .standard)
        let time = try #require(instant(c.time))
        let next = schedule.next(after: time.addingTimeInterval(-1), in: .gmt)
        #expect((next == time) == c.fires, "next after \(c.time) - 1s was \(rfc3339(next, .gmt))")
    }

    @Test(arguments: standardNextCases + standardBerlinCases)
    func next(_ c: NextCase) throws {
        try expectNext(c)
    }

    @Test func unsatisfiableReturnsQuickly() throws {
        // robfig gives up after five years; this must not iterate per second.
        let schedule = try CronSchedule(parsing: "0 0 30 2 *")
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(schedule.next(after: Date(timeIntervalSince1970: 1_700_000_000), in: TimeZone(identifier: "Europe/Berlin") ?? .gmt) == nil)
        }
        #expect(elapsed < .seconds(1))
    }
}

func expectNext(_ c: NextCase, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let zone = try #require(TimeZone(identifier: c.zone))
    let schedule = try CronSchedule(parsing: c.expression)
    let from = try #require(instant(c.from))
    let next = schedule.next(after: from, in: zone)
    if let expected = c.expected {
        let want = try #require(instant(expected))
        #expect(next == want, "got \(rfc3339(next, zone)), want \(expected)", sourceLocation: sourceLocation)
    } else {
        #expect(next == nil, "got \(rfc3339(next, zone)), want none", sourceLocation: sourceLocation)
    }
}
