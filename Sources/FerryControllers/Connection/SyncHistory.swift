/// A Connection's finished Syncs, as the history limits and the failure count see them:
/// which ones `spec.history` no longer keeps (the CronJob controller's
/// `cleanupFinishedJobs`, K8S-SEMANTICS.md §2.5), and their order in time. Pure.
import FerryAPI
import Foundation
import KubeCore

/// One finished Sync: its outcome and when it ended.
public struct FinishedSync: Sendable, Hashable {
    public enum Outcome: Sendable, Hashable {
        case succeeded, failed, cancelled

        /// Cancelled Syncs count against `history.failed`, as the API documents it.
        var keptAsFailed: Bool { self != .succeeded }
    }

    public var name: String
    public var outcome: Outcome
    public var completionTime: Date?
    public var creationTime: Date?

    public init(name: String, outcome: Outcome, completionTime: Date? = nil, creationTime: Date? = nil) {
        self.name = name
        self.outcome = outcome
        self.completionTime = completionTime
        self.creationTime = creationTime
    }

    /// The finished Sync of a Sync object; nil while it runs, or once its deletion began
    /// (it is going already: counting it again would delete a Sync too many).
    public init?(_ sync: JSONValue) {
        guard let name = sync.name, sync.deletionTimestamp == nil else { return nil }
        let outcome: Outcome
        switch sync["status"]["phase"].stringValue.flatMap(SyncPhase.init(rawValue:)) {
        case .succeeded: outcome = .succeeded
        case .failed: outcome = .failed
        case .cancelled: outcome = .cancelled
        default: return nil
        }
        self.init(name: name, outcome: outcome, completionTime: sync["status"]["completionTime"].stringValue.flatMap(KubeTime.parse),
                  creationTime: sync["metadata"]["creationTimestamp"].stringValue.flatMap(KubeTime.parse))
    }

    /// Oldest first: by completion, then creation, then name. A Sync without a completion
    /// time sorts last (CronJob sorts a Job without a start time last, so it is kept).
    static func olderFirst(_ a: FinishedSync, _ b: FinishedSync) -> Bool {
        let left = (a.completionTime ?? .distantFuture, a.creationTime ?? .distantFuture)
        let right = (b.completionTime ?? .distantFuture, b.creationTime ?? .distantFuture)
        if left.0 != right.0 { return left.0 < right.0 }
        if left.1 != right.1 { return left.1 < right.1 }
        return a.name < b.name
    }
}

public enum SyncHistory {
    /// The Syncs `spec.history` no longer keeps, oldest first: of the succeeded ones all but
    /// the newest `successful`, of the failed and cancelled ones all but the newest
    /// `failed`. A negative limit keeps none (the schema forbids one).
    public static func syncsToDelete(_ finished: [FinishedSync], successful: Int, failed: Int) -> [FinishedSync] {
        func excess(_ list: [FinishedSync], keep: Int) -> [FinishedSync] {
            Array(list.sorted(by: FinishedSync.olderFirst).dropLast(max(0, keep)))
        }
        let doomed = excess(finished.filter { !$0.outcome.keptAsFailed }, keep: successful)
            + excess(finished.filter { $0.outcome.keptAsFailed }, keep: failed)
        return doomed.sorted(by: FinishedSync.olderFirst)
    }
}
