/// CronJob parity of the Connection schedule planner, with times passed in (an injected
/// clock): cases mirror the Kubernetes CronJob controller's `TestMostRecentScheduleTime`
/// (pkg/controller/cronjob/utils_test.go) and `TestControllerV2SyncCronJob`
/// (cronjob_controllerv2_test.go) in spirit: on time, missed few, missed >100 (still
/// created, only the latest), starting deadline, each concurrency policy, suspend,
/// already processed.
import FerryAPI
import FerrySchedule
import Foundation
import Testing
@testable import FerryControllers

@Suite struct SchedulePlannerTests {
    static let utc = TimeZone(identifier: "UTC")!
    static func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
    static func cron(_ expression: String, zone: TimeZone = utc) throws -> ActivationSchedule {
        .cron(try CronSchedule(parsing: expression), zone)
    }
    static let hourly = try! cron("0 * * * *")
    static let created = at("2026-05-01T10:00:00Z")

    func plan(_ schedule: ActivationSchedule = hourly, now: String, last: String? = nil, suspend: Bool = false,
              policy: ConcurrencyPolicy = .forbid, sds: Int64? = nil, active: [String] = [], existing: Set<Date> = []) -> SchedulePlan {
        SchedulePlanner.plan(schedule, suspend: suspend, concurrencyPolicy: policy, startingDeadlineSeconds: sds,
                             lastScheduleTime: last.map(Self.at), created: Self.created, now: Self.at(now), active: active,
                             existing: { existing.contains($0) })
    }

    // utils_test.go "now before next schedule": nothing due, requeue just after 11:00.
    @Test func beforeTheFirstSlotNothingIsDue() {
        #expect(plan(now: "2026-05-01T10:30:00Z") == .wait(requeueAfter: 1800.1))
    }

    // "just after next schedule": the slot is created on time.
    @Test func theSlotJustPassedIsCreated() {
        #expect(plan(now: "2026-05-01T11:00:01Z") == .create(scheduled: Self.at("2026-05-01T11:00:00Z"), replacing: [], tooManyMissed: false, requeueAfter: 3599.1))
    }

    // "missed 5 schedules": only the most recent slot runs, no back-fill.
    @Test func missedSlotsRunOnlyTheLatest() {
        let recent = SchedulePlanner.mostRecent(Self.hourly, earliest: Self.created, now: Self.at("2026-05-01T15:30:00Z"), startingDeadlineSeconds: nil)
        #expect(recent.mostRecent == Self.at("2026-05-01T15:00:00Z") && recent.missed == .few)
        #expect(plan(now: "2026-05-01T15:30:00Z") == .create(scheduled: Self.at("2026-05-01T15:00:00Z"), replacing: [], tooManyMissed: false, requeueAfter: 1800.1))
    }

    // "many missed" (>100): warned, and the latest slot is still created.
    @Test func moreThanAHundredMissedWarnsAndStillRunsTheLatest() throws {
        let minutely = try Self.cron("* * * * *")
        let recent = SchedulePlanner.mostRecent(minutely, earliest: Self.created, now: Self.at("2026-05-01T12:00:30Z"), startingDeadlineSeconds: nil)
        #expect(recent.missed == .many && recent.mostRecent == Self.at("2026-05-01T12:00:00Z"))
        #expect(plan(minutely, now: "2026-05-01T12:00:30Z") == .create(scheduled: Self.at("2026-05-01T12:00:00Z"), replacing: [], tooManyMissed: true, requeueAfter: 30.1))
    }

    // "with startingDeadlineSeconds": slots older than the deadline are not counted, so a
    // long outage neither warns nor runs a stale slot.
    @Test func startingDeadlineIgnoresSlotsOlderThanIt() {
        let recent = SchedulePlanner.mostRecent(Self.hourly, earliest: Self.created, now: Self.at("2026-05-01T15:30:00Z"), startingDeadlineSeconds: 600)
        #expect(recent.mostRecent == nil && recent.earliest == Self.at("2026-05-01T15:20:00Z"))
        #expect(plan(now: "2026-05-01T15:30:00Z", sds: 600) == .wait(requeueAfter: 1800.1))
        // Within the deadline it runs.
        #expect(plan(now: "2026-05-01T15:05:00Z", sds: 600) == .create(scheduled: Self.at("2026-05-01T15:00:00Z"), replacing: [], tooManyMissed: false, requeueAfter: 3300.1))
    }

    // TestControllerV2SyncCronJob "never ran, is time, F/R/A": the three policies.
    @Test func concurrencyPolicies() {
        let slot = Self.at("2026-05-01T11:00:00Z")
        #expect(plan(now: "2026-05-01T11:00:01Z", policy: .forbid, active: ["c-1"]) == .forbidden(scheduled: slot, requeueAfter: 3599.1))
        #expect(plan(now: "2026-05-01T11:00:01Z", policy: .replace, active: ["c-1"]) == .create(scheduled: slot, replacing: ["c-1"], tooManyMissed: false, requeueAfter: 3599.1))
        #expect(plan(now: "2026-05-01T11:00:01Z", policy: .allow, active: ["c-1"]) == .create(scheduled: slot, replacing: [], tooManyMissed: false, requeueAfter: 3599.1))
        #expect(plan(now: "2026-05-01T11:00:01Z", policy: .forbid, active: []) == .create(scheduled: slot, replacing: [], tooManyMissed: false, requeueAfter: 3599.1))
    }

    // "suspended": nothing, whatever is due; resuming later runs only the latest slot.
    @Test func suspendAndResume() {
        #expect(plan(now: "2026-05-01T13:00:01Z", suspend: true) == .suspended)
        #expect(plan(now: "2026-05-01T13:00:01Z", last: "2026-05-01T11:00:00Z") == .create(scheduled: Self.at("2026-05-01T13:00:00Z"), replacing: [], tooManyMissed: false, requeueAfter: 3599.1))
    }

    // "is time, already processed": lastScheduleTime is the slot, or its Sync exists.
    @Test func aSlotIsNeverCreatedTwice() {
        #expect(plan(now: "2026-05-01T11:00:01Z", last: "2026-05-01T11:00:00Z") == .wait(requeueAfter: 3599.1))
        #expect(plan(now: "2026-05-01T11:00:01Z", existing: [Self.at("2026-05-01T11:00:00Z")]) == .wait(requeueAfter: 3599.1))
    }

    // A cron with no slot at all (Feb 30) never runs and never requeues.
    @Test func impossibleDatesNeverRun() throws {
        #expect(plan(try Self.cron("0 0 30 2 *"), now: "2026-05-01T11:00:01Z") == .wait(requeueAfter: nil))
    }

    // Time zones: 09:00 in Berlin is 07:00 UTC in summer.
    @Test func slotsAreInTheConnectionsZone() throws {
        let berlin = try Self.cron("0 9 * * *", zone: TimeZone(identifier: "Europe/Berlin")!)
        #expect(plan(berlin, now: "2026-05-02T07:00:05Z") == .create(scheduled: Self.at("2026-05-02T07:00:00Z"), replacing: [], tooManyMissed: false, requeueAfter: 86395.1))
    }

    // Airbyte's basic schedule: the first run at once, then every interval after the last.
    @Test func everyRunsAtOnceThenEveryInterval() throws {
        let every = ActivationSchedule.interval(try IntervalSchedule(parsing: "1h"))
        #expect(plan(every, now: "2026-05-01T10:00:02Z") == .create(scheduled: Self.created, replacing: [], tooManyMissed: false, requeueAfter: 3598.1))
        #expect(plan(every, now: "2026-05-01T10:30:00Z", last: "2026-05-01T10:00:00Z") == .wait(requeueAfter: 1800.1))
        #expect(plan(every, now: "2026-05-01T11:00:00Z", last: "2026-05-01T10:00:00Z") == .create(scheduled: Self.at("2026-05-01T11:00:00Z"), replacing: [], tooManyMissed: false, requeueAfter: 3600.1))
    }

    @Test func syncNamesAreMinutesSinceTheEpoch() {
        #expect(SchedulePlanner.syncName(connection: "shop", scheduled: Self.at("2026-05-01T11:00:00Z")) == "shop-29627220")
    }
}
