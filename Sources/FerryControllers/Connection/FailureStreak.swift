/// The failed Syncs of a Connection since its last success, and Airbyte's rule for
/// disabling a Connection that only fails. The streak lives in the Connection's status
/// (`consecutiveFailures`, `firstFailureTime`) because the history limits delete the Syncs
/// it counts; each reconcile folds in only the Syncs that finished after the status'
/// `lastSync`, so a Sync is counted once. Pure.
import Foundation
import KubeCore

public struct FailureStreak: Sendable, Hashable {
    /// Failed Syncs since the last success.
    public var count: Int64
    /// When the first of them finished; nil without failures.
    public var since: Date?

    public init(count: Int64 = 0, since: Date? = nil) {
        self.count = count
        self.since = since
    }

    /// Timeline order of finished Syncs, the order `status.lastSync` follows: completion
    /// time, then name.
    static func key(_ sync: FinishedSync) -> (Date, String) { (sync.completionTime ?? .distantPast, sync.name) }

    /// Folds the Syncs that finished after `last` (the newest Sync already counted; nil
    /// counts them all) into the streak, in the order they finished. A success ends the
    /// streak; a cancellation neither ends nor extends it (Airbyte counts failed jobs only,
    /// and a user's cancel says nothing about the connection). Returns the failures added.
    @discardableResult
    public mutating func fold(_ finished: [FinishedSync], after last: (completionTime: Date?, name: String)?) -> Int {
        let marker = last.map { ($0.completionTime ?? .distantPast, $0.name) }
        var added = 0
        for sync in finished.sorted(by: { Self.key($0) < Self.key($1) }) {
            if let marker, !(Self.key(sync) > marker) { continue }
            switch sync.outcome {
            case .succeeded:
                self = FailureStreak()
                added = 0
            case .failed:
                count += 1
                if since == nil { since = sync.completionTime ?? sync.creationTime }
                added += 1
            case .cancelled:
                break
            }
        }
        return added
    }
}

/// Why a Connection is disabled.
public enum AutoDisableVerdict: Sendable, Hashable {
    /// This many Syncs failed in a row.
    case consecutiveFailures(Int64)
    /// Every Sync failed for at least `days` days, since `since` (`count` failures).
    case failingFor(days: Int, since: Date, count: Int64)

    public var message: String {
        switch self {
        case .consecutiveFailures(let count):
            return "\(count) Syncs failed in a row: spec.suspend set to true; set it to false to resume scheduled Syncs"
        case .failingFor(let days, let since, let count):
            return "every Sync failed for \(days) days (\(count) failure\(count == 1 ? "" : "s") since \(KubeTime.format(since))): spec.suspend set to true; set it to false to resume scheduled Syncs"
        }
    }
}

public enum AutoDisable {
    /// Airbyte's check after a failed job: disable when the streak reached
    /// `autoDisableConsecutiveFailures`, or when its first failure is at least
    /// `autoDisableFailingDays` old (so every Sync since then failed). Only a newly counted
    /// failure triggers it, as in Airbyte: a Connection that stopped running Syncs is not
    /// disabled for its old failures. The caller starts a new streak when it disables, so
    /// a resumed Connection gets the full thresholds again. A threshold of 0 is off.
    public static func verdict(_ streak: FailureStreak, newFailures: Int, now: Date, options: ConnectionControllerOptions) -> AutoDisableVerdict? {
        guard newFailures > 0, streak.count > 0 else { return nil }
        if options.autoDisableConsecutiveFailures > 0, streak.count >= Int64(options.autoDisableConsecutiveFailures) {
            return .consecutiveFailures(streak.count)
        }
        if options.autoDisableFailingDays > 0, let since = streak.since,
           since <= now.addingTimeInterval(-TimeInterval(options.autoDisableFailingDays) * 86_400) {
            return .failingFor(days: options.autoDisableFailingDays, since: since, count: streak.count)
        }
        return nil
    }
}
