/// When a Connection's next scheduled Sync is due, decided exactly as the CronJob
/// controller (v2) decides when a Job is due (K8S-SEMANTICS.md §2.2–2.3): the most recent
/// missed slot only (never a back-fill), a warning past 100 missed slots,
/// `startingDeadlineSeconds`, `concurrencyPolicy` and `suspend`. Pure: the caller passes
/// the time and what is active, and acts on the returned plan.
import FerryAPI
import FerrySchedule
import Foundation

/// FerryAPI's `Schedule` is the spec field; this is its parsed form.
public typealias ActivationSchedule = FerrySchedule.Schedule

public enum SchedulePlan: Equatable, Sendable {
    /// Nothing to do now; look again after `requeueAfter` (nil: only on a change).
    case wait(requeueAfter: TimeInterval?)
    /// `suspend: true`: no scheduled Syncs (manual ones still run).
    case suspended
    /// The most recent slot is older than `startingDeadlineSeconds` (Event `MissSchedule`).
    case missedDeadline(scheduled: Date, requeueAfter: TimeInterval)
    /// `concurrencyPolicy: Forbid` and a Sync is still active (Event `JobAlreadyActive`).
    case forbidden(scheduled: Date, requeueAfter: TimeInterval)
    /// Create the Sync of `scheduled`, deleting `replacing` first (`Replace`).
    /// `tooManyMissed`: more than 100 slots were missed (Event `TooManyMissedTimes`).
    case create(scheduled: Date, replacing: [String], tooManyMissed: Bool, requeueAfter: TimeInterval)
}

public enum SchedulePlanner {
    /// CronJob's requeue slack after the next slot (`nextScheduleDelta`).
    static let delta: TimeInterval = 0.1

    public enum Missed: Equatable, Sendable { case none, few, many }

    /// `mostRecentScheduleTime` of the CronJob controller: the latest slot in (earliest,
    /// now] and how many were missed. `startingDeadlineSeconds` moves `earliest` forward.
    public static func mostRecent(_ schedule: ActivationSchedule, earliest start: Date, now: Date,
                                  startingDeadlineSeconds: Int64?) -> (earliest: Date, mostRecent: Date?, missed: Missed) {
        var earliest = start
        if let sds = startingDeadlineSeconds {
            earliest = max(earliest, now.addingTimeInterval(-TimeInterval(sds)))
        }
        guard let t1 = schedule.next(after: earliest), t1 <= now else { return (earliest, nil, .none) }
        guard let t2 = schedule.next(after: t1), t2 <= now else { return (earliest, t1, .none) }
        let between = (t2.timeIntervalSince(t1)).rounded()
        // Impossible dates give no second slot; CronJob reports an error here.
        guard between >= 1 else { return (earliest, nil, .none) }
        let n = Int(now.timeIntervalSince(t1) / between) + 1
        let missed: Missed = n > 100 ? .many : n > 0 ? .few : .none
        // Start just before the estimate and walk forward to the last slot ≤ now.
        var cursor = t1.addingTimeInterval(TimeInterval(n - 2) * between)
        if cursor < earliest { cursor = earliest }
        var latest: Date?
        var probe = schedule.next(after: cursor.addingTimeInterval(-1))
        while let t = probe, t <= now {
            latest = t
            probe = schedule.next(after: t)
        }
        return (earliest, latest, missed)
    }

    /// `nextScheduleTimeDuration`: seconds until just after the next slot.
    public static func requeueDelay(_ schedule: ActivationSchedule, earliest: Date, now: Date) -> TimeInterval? {
        let recent = mostRecent(schedule, earliest: earliest, now: now, startingDeadlineSeconds: nil)
        let base: Date
        switch (recent.mostRecent, recent.missed) {
        case (let t?, _): base = t
        case (nil, .none): base = recent.earliest
        case (nil, _): base = now
        }
        guard let next = schedule.next(after: base) else { return nil }
        return max(0, next.timeIntervalSince(now) + delta)
    }

    /// The decision for one reconcile. `lastScheduleTime` is the Connection's status,
    /// `created` its creationTimestamp; `active` the names of its unfinished Syncs;
    /// `existing` whether the Sync of the due slot already exists (created by an earlier
    /// reconcile whose status write was lost).
    public static func plan(
        _ schedule: ActivationSchedule, suspend: Bool, concurrencyPolicy: ConcurrencyPolicy, startingDeadlineSeconds: Int64?,
        lastScheduleTime: Date?, created: Date, now: Date, active: [String], existing: (Date) -> Bool
    ) -> SchedulePlan {
        if suspend { return .suspended }
        var earliest = lastScheduleTime ?? created
        // Airbyte's basic schedule runs a new Connection at once, then every interval.
        if lastScheduleTime == nil, case .interval(let interval) = schedule {
            earliest = created.addingTimeInterval(-TimeInterval(interval.seconds))
        }
        let requeue = requeueDelay(schedule, earliest: earliest, now: now)
        let recent = mostRecent(schedule, earliest: earliest, now: now, startingDeadlineSeconds: startingDeadlineSeconds)
        guard let scheduled = recent.mostRecent, scheduled <= now else { return .wait(requeueAfter: requeue) }
        let again = requeue ?? 60
        if let sds = startingDeadlineSeconds, scheduled.addingTimeInterval(TimeInterval(sds)) < now {
            return .missedDeadline(scheduled: scheduled, requeueAfter: again)
        }
        if lastScheduleTime == scheduled || existing(scheduled) { return .wait(requeueAfter: requeue) }
        switch concurrencyPolicy {
        case .forbid where !active.isEmpty:
            return .forbidden(scheduled: scheduled, requeueAfter: again)
        case .replace:
            return .create(scheduled: scheduled, replacing: active, tooManyMissed: recent.missed == .many, requeueAfter: again)
        default:
            return .create(scheduled: scheduled, replacing: [], tooManyMissed: recent.missed == .many, requeueAfter: again)
        }
    }

    /// `<connection>-<minutes since the epoch of the slot>`, like a CronJob's Job: a
    /// restarted operator creating the same slot again gets AlreadyExists, never a twin.
    public static func syncName(connection: String, scheduled: Date) -> String {
        "\(connection)-\(Int64((scheduled.timeIntervalSince1970 / 60).rounded(.down)))"
    }
}
