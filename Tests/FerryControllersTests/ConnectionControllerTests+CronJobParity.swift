/// CronJob parity of the Connection controller end to end, with a manual clock against
/// the embedded API server (SchedulePlannerTests covers the same rules on the pure
/// planner): more than 100 missed slots warn and run only the latest,
/// startingDeadlineSeconds drops a stale slot, Replace and Allow, suspend and resume.
/// Forbid is in everyMinuteRunsAtOnceThenEachMinuteWhileForbidHoldsBack, the history
/// limits in historyLimitsDeleteTheOldestFinishedSyncsAndWhatTheyOwn.
import FerryAPI
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeRuntime
import KubeTestSupport
import Testing
@testable import FerryControllers

extension ConnectionControllerTests {
    /// The last slot of a fixed period at or before `date` (cron slots in UTC).
    static func slot(_ date: Date, every seconds: TimeInterval) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / seconds).rounded(.down) * seconds)
    }

    func advance(_ clock: ManualClock, to date: Date) {
        clock.advance(by: .milliseconds(Int64((date.timeIntervalSince(clock.wallTime) * 1000).rounded(.up))))
    }

    @Test func moreThanAHundredMissedSlotsWarnAndRunOnlyTheLatest() async throws {
        let clock = ManualClock(wallOrigin: Date().addingTimeInterval(5))
        try await withConnectionController(clock: clock) { client, _ in
            try await connectors(client)
            try await connection(client, "backlog", ["schedule": ["cron": "0 * * * *"]])
            try await catchUp(clock, client, connection: "backlog")
            try await waitUntil(timeout: .seconds(30)) { try await condition(client, "backlog", ConnectionConditions.scheduled)?["status"] == "True" }
            // The operator was away for 150 hourly slots.
            clock.advance(by: .seconds(150 * 3600))
            let latest = SchedulePlanner.syncName(connection: "backlog", scheduled: Self.slot(clock.wallTime, every: 3600))
            try await waitUntil(timeout: .seconds(30)) { try await syncNames(client).contains(latest) }
            try await waitUntil(timeout: .seconds(30)) { try await !events(client, "backlog", reason: "TooManyMissedTimes").isEmpty }
            #expect(try await syncNames(client) == [latest])
            #expect(try await events(client, "backlog", reason: "TooManyMissedTimes").first?["type"] == "Warning")
        }
    }

    @Test func aSlotPastTheStartingDeadlineIsSkipped() async throws {
        let clock = ManualClock(wallOrigin: Date().addingTimeInterval(5))
        try await withConnectionController(clock: clock) { client, _ in
            try await connectors(client)
            try await connection(client, "deadline", ["schedule": ["cron": "*/10 * * * *"], "startingDeadlineSeconds": 30])
            try await catchUp(clock, client, connection: "deadline")
            try await waitUntil(timeout: .seconds(30)) { try await condition(client, "deadline", ConnectionConditions.scheduled)?["status"] == "True" }
            let next = Self.slot(clock.wallTime, every: 600).addingTimeInterval(600)
            // Five minutes late, far past the 30 s deadline: that slot is dropped, the next awaited.
            advance(clock, to: next.addingTimeInterval(300))
            try await waitUntil(timeout: .seconds(30)) {
                try await status(client, "deadline")["nextScheduleTime"] == .string(KubeTime.format(next.addingTimeInterval(600)))
            }
            #expect(try await syncNames(client).isEmpty)
            // Within the deadline of the next slot it runs.
            advance(clock, to: next.addingTimeInterval(610))
            try await waitUntil(timeout: .seconds(30)) {
                try await syncNames(client) == [SchedulePlanner.syncName(connection: "deadline", scheduled: next.addingTimeInterval(600))]
            }
        }
    }

    @Test func replaceDeletesTheRunningSyncAndAllowKeepsIt() async throws {
        let clock = ManualClock(wallOrigin: Date().addingTimeInterval(5))
        try await withConnectionController(clock: clock) { client, _ in
            try await connectors(client)
            for (name, policy) in [("replace", "Replace"), ("allow", "Allow")] {
                try await connection(client, name, ["schedule": ["every": "1m"], "concurrencyPolicy": .string(policy)])
                try await catchUp(clock, client, connection: name)
            }
            func names(_ prefix: String) async throws -> [String] { try await syncNames(client).filter { $0.hasPrefix(prefix + "-") } }
            // Each runs at once; the first Sync is still running a minute later.
            try await waitUntil(timeout: .seconds(30)) {
                let replace = try await names("replace")
                let allow = try await names("allow")
                return replace.count == 1 && allow.count == 1
            }
            let firstReplace = try #require(try await names("replace").first)
            let firstAllow = try #require(try await names("allow").first)
            clock.advance(by: .seconds(61))
            try await waitUntil(timeout: .seconds(30)) { try await names("allow").count == 2 }
            #expect(try await names("allow").contains(firstAllow))
            try await waitUntil(timeout: .seconds(30)) {
                let replace = try await names("replace")
                return replace.count == 1 && replace != [firstReplace]
            }
            let second = try #require(try await names("replace").first)
            try await waitUntil(timeout: .seconds(30)) { try await status(client, "replace")["activeSyncs"] == [.string(second)] }
            try await waitUntil(timeout: .seconds(30)) {
                try await events(client, "replace", reason: "SuccessfulDelete").contains { $0["message"].stringValue?.contains(firstReplace) == true }
            }
        }
    }

    @Test func suspendHoldsBackAndResumeRunsOnlyTheLatestSlot() async throws {
        let clock = ManualClock(wallOrigin: Date().addingTimeInterval(5))
        try await withConnectionController(clock: clock) { client, _ in
            try await connectors(client)
            try await connection(client, "paused", ["schedule": ["cron": "* * * * *"], "suspend": true])
            try await catchUp(clock, client, connection: "paused")
            try await waitUntil(timeout: .seconds(30)) { try await condition(client, "paused", ConnectionConditions.scheduled)?["reason"] == "Suspended" }
            clock.advance(by: .seconds(3 * 60 + 5))
            #expect(try await status(client, "paused")["nextScheduleTime"] == nil)
            #expect(try await syncNames(client).isEmpty)
            _ = try await client.patch(Connection.resourceType, name: "paused", namespace: Self.namespace, patch: ["spec": ["suspend": false]], type: .merge)
            let latest = SchedulePlanner.syncName(connection: "paused", scheduled: Self.slot(clock.wallTime, every: 60))
            try await waitUntil(timeout: .seconds(30)) { try await status(client, "paused")["lastScheduleTime"] != nil }
            // Three missed slots, one Sync: the latest (no back-fill).
            #expect(try await syncNames(client) == [latest])
            #expect(try await condition(client, "paused", ConnectionConditions.scheduled)?["reason"] == "Active")
        }
    }
}
