/// Which finished Syncs the history limits delete, as the CronJob controller's
/// `cleanupFinishedJobs` decides (K8S-SEMANTICS.md §2.5): each kind beyond its limit,
/// oldest first by completion (then creation, then name); cancelled counts as failed.
/// Checked exhaustively over small histories against a model.
import FerryAPI
import Foundation
import KubeCore
import Testing
@testable import FerryControllers

@Suite struct SyncHistoryTests {
    static let base = Date(timeIntervalSince1970: 1_780_000_000)
    static func sync(_ name: String, _ outcome: FinishedSync.Outcome, completed minute: Int?, created: Int = 0) -> FinishedSync {
        FinishedSync(name: name, outcome: outcome, completionTime: minute.map { base.addingTimeInterval(TimeInterval($0 * 60)) },
                     creationTime: base.addingTimeInterval(TimeInterval(created)))
    }

    @Test func withinTheLimitsNothingIsDeleted() {
        let history = [Self.sync("a", .succeeded, completed: 1), Self.sync("b", .failed, completed: 2), Self.sync("c", .cancelled, completed: 3)]
        #expect(SyncHistory.syncsToDelete(history, successful: 3, failed: 3).isEmpty)
        #expect(SyncHistory.syncsToDelete(history, successful: 1, failed: 2).isEmpty)
        #expect(SyncHistory.syncsToDelete([], successful: 0, failed: 0).isEmpty)
    }

    @Test func eachKindKeepsItsNewestAndCancelledCountsAsFailed() {
        let history = [
            Self.sync("s1", .succeeded, completed: 1), Self.sync("f1", .failed, completed: 2), Self.sync("s2", .succeeded, completed: 3),
            Self.sync("c1", .cancelled, completed: 4), Self.sync("s3", .succeeded, completed: 5), Self.sync("f2", .failed, completed: 6),
        ]
        #expect(SyncHistory.syncsToDelete(history, successful: 1, failed: 1).map(\.name) == ["s1", "f1", "s2", "c1"])
        #expect(SyncHistory.syncsToDelete(history, successful: 3, failed: 2).map(\.name) == ["f1"])
        #expect(SyncHistory.syncsToDelete(history, successful: 0, failed: 3).map(\.name) == ["s1", "s2", "s3"])
        // A negative limit (the schema forbids it) keeps none rather than crashing.
        #expect(SyncHistory.syncsToDelete(history, successful: -1, failed: 0).count == 6)
    }

    @Test func oldestFirstByCompletionThenCreationThenName() {
        // Same completion minute: the earlier created goes first; same both: by name.
        let history = [
            Self.sync("b", .succeeded, completed: 5, created: 2), Self.sync("a", .succeeded, completed: 5, created: 2),
            Self.sync("z", .succeeded, completed: 5, created: 1), Self.sync("late", .succeeded, completed: 9), Self.sync("early", .succeeded, completed: 1),
        ]
        #expect(SyncHistory.syncsToDelete(history, successful: 1, failed: 3).map(\.name) == ["early", "z", "a", "b"])
    }

    @Test func aSyncWithoutCompletionTimeIsKeptLongest() {
        let history = [Self.sync("unknown", .failed, completed: nil), Self.sync("old", .failed, completed: 1), Self.sync("new", .failed, completed: 2)]
        #expect(SyncHistory.syncsToDelete(history, successful: 3, failed: 1).map(\.name) == ["old", "new"])
    }

    @Test func finishedSyncsAreReadFromTheirObjects() {
        func object(_ phase: String, deleting: Bool = false) -> JSONValue {
            var sync: JSONValue = ["metadata": ["name": "x", "creationTimestamp": "2026-05-01T10:00:00Z"],
                                   "status": ["phase": .string(phase), "completionTime": "2026-05-01T10:05:00Z"]]
            if deleting { sync["metadata"]["deletionTimestamp"] = "2026-05-01T10:06:00Z" }
            return sync
        }
        #expect(FinishedSync(object("Succeeded"))?.outcome == .succeeded)
        #expect(FinishedSync(object("Cancelled"))?.outcome == .cancelled)
        #expect(FinishedSync(object("Failed"))?.completionTime == KubeTime.parse("2026-05-01T10:05:00Z"))
        #expect(FinishedSync(object("Running")) == nil && FinishedSync(object("Queued")) == nil)
        // Already being deleted: not counted again.
        #expect(FinishedSync(object("Failed", deleting: true)) == nil)
    }

    /// Every history of up to 6 Syncs (each succeeded, failed or cancelled) with distinct
    /// completion times, under every limit from 0 to 4: exactly the excess of each kind
    /// goes, and every deleted Sync is older than every kept one of its kind.
    @Test func exhaustiveAgainstTheModel() {
        let outcomes: [FinishedSync.Outcome] = [.succeeded, .failed, .cancelled]
        // All sequences of up to 6 outcomes; completion order is the sequence order, with
        // names in reverse so the name never decides.
        var sequences: [[FinishedSync.Outcome]] = [[]]
        var layer: [[FinishedSync.Outcome]] = [[]]
        for _ in 0..<6 {
            layer = layer.flatMap { s in outcomes.map { s + [$0] } }
            sequences += layer
        }
        for sequence in sequences {
            let history = sequence.enumerated().map { Self.sync("s\(99 - $0.offset)", $0.element, completed: $0.offset) }
            for successful in 0...4 {
                for failed in 0...4 {
                    let deleted = SyncHistory.syncsToDelete(history.shuffled(), successful: successful, failed: failed)
                    let succeededAll = history.filter { $0.outcome == .succeeded }
                    let failedAll = history.filter { $0.outcome != .succeeded }
                    let expected = Array(succeededAll.prefix(max(0, succeededAll.count - successful))) + Array(failedAll.prefix(max(0, failedAll.count - failed)))
                    #expect(Set(deleted) == Set(expected), "\(sequence) limits \(successful)/\(failed)")
                    #expect(deleted == deleted.sorted { ($0.completionTime ?? .distantPast) < ($1.completionTime ?? .distantPast) })
                }
            }
        }
        #expect(sequences.count == 1 + 3 + 9 + 27 + 81 + 243 + 729)
    }
}
