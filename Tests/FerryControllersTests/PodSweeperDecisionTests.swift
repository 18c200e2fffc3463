/// Table tests of the pod sweeper's pure decision: TTLs from the last phase transition,
/// orphans (Sync missing, replaced, superseded attempt), and pods it must never touch.
import FerryAPI
import Foundation
import KubeCore
import KubeRuntime
import Testing
@testable import FerryControllers

/// Builders of worker pods and Syncs as the server would return them.
enum SweeperFixtures {
    static let t0 = Date(timeIntervalSince1970: 1_767_225_600)
    static func time(_ offset: TimeInterval) -> String { KubeTime.format(t0.addingTimeInterval(offset)) }

    static func pod(
        _ name: String = "daily-1", sync: String? = "daily", attempt: Int? = 1, ownerUID: String? = "sync-uid", phase: String? = "Succeeded",
        finishedAt: [TimeInterval] = [0], readyAt: TimeInterval? = nil, startedAt: TimeInterval? = nil, created: TimeInterval? = -60,
        managed: Bool = true, deleting: Bool = false
    ) -> JSONValue {
        var labels: [String: String] = [:]
        if managed { labels[FerryLabels.managedBy] = FerryLabels.managedByValue }
        if let sync { labels[FerryLabels.sync] = sync }
        if let attempt { labels[FerryLabels.attempt] = "\(attempt)" }
        var meta: JSONValue = ["name": .string(name), "namespace": "data", "uid": .string("pod-uid-\(name)"), "labels": JSONValue(stringMap: labels)]
        if let created { meta["creationTimestamp"] = .string(time(created)) }
        if deleting { meta["deletionTimestamp"] = .string(time(0)) }
        if let ownerUID {
            meta["ownerReferences"] = [[
                "apiVersion": .string(FerryAPI.apiVersion), "kind": "Sync", "name": .string(sync ?? "daily"), "uid": .string(ownerUID), "controller": true,
            ]]
        }
        var status: JSONValue = .emptyObject
        if let phase { status["phase"] = .string(phase) }
        if !finishedAt.isEmpty, phase != "Running", phase != "Pending" {
            status["containerStatuses"] = .array(finishedAt.enumerated().map { i, t in
                ["name": .string("c\(i)"), "state": ["terminated": ["exitCode": 0, "finishedAt": .string(time(t))]]]
            })
        }
        if let readyAt { status["conditions"] = [["type": "Ready", "status": "False", "lastTransitionTime": .string(time(readyAt))]] }
        if let startedAt { status["startTime"] = .string(time(startedAt)) }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": meta, "status": status]
    }

    static func sync(_ name: String = "daily", uid: String = "sync-uid", attempts: [Int] = [1], created: TimeInterval = -120) -> JSONValue {
        [
            "apiVersion": .string(FerryAPI.apiVersion), "kind": "Sync",
            "metadata": ["name": .string(name), "namespace": "data", "uid": .string(uid), "creationTimestamp": .string(time(created))],
            "status": ["attempts": .array(attempts.map { ["number": .int(Int64($0))] })],
        ]
    }
}

struct SweepCase: CustomTestStringConvertible, Sendable {
    var name: String
    var pod: JSONValue
    var sync: JSONValue?
    /// Seconds after `t0` the decision is taken.
    var at: TimeInterval
    var options = PodSweeperOptions()
    var expected: SweepDecision
    var testDescription: String { name }
}

@Suite struct PodSweeperDecisionTests {
    typealias F = SweeperFixtures
    static let min: TimeInterval = 60

    static let cases: [SweepCase] = [
        // TTLs by phase.
        SweepCase(name: "succeeded, just finished", pod: F.pod(), sync: F.sync(), at: 0, expected: .keep(recheckAfter: .seconds(600))),
        SweepCase(name: "succeeded at 9:59", pod: F.pod(), sync: F.sync(), at: 599, expected: .keep(recheckAfter: .seconds(1))),
        SweepCase(name: "succeeded at exactly 10 min", pod: F.pod(), sync: F.sync(), at: 600, expected: .delete(.succeededTTL)),
        SweepCase(name: "succeeded long ago", pod: F.pod(), sync: F.sync(), at: 86_400, expected: .delete(.succeededTTL)),
        SweepCase(name: "succeeded, fractional remainder rounds up", pod: F.pod(), sync: F.sync(), at: 599.9996, expected: .keep(recheckAfter: .milliseconds(1))),
        SweepCase(name: "failed at 10 min is kept", pod: F.pod(phase: "Failed"), sync: F.sync(), at: 600, expected: .keep(recheckAfter: .seconds(110 * 60))),
        SweepCase(name: "failed at 119:59", pod: F.pod(phase: "Failed"), sync: F.sync(), at: 120 * min - 1, expected: .keep(recheckAfter: .seconds(1))),
        SweepCase(name: "failed at 120 min", pod: F.pod(phase: "Failed"), sync: F.sync(), at: 120 * min, expected: .delete(.failedTTL)),
        SweepCase(name: "unknown phase counts as failed", pod: F.pod(phase: "Unknown"), sync: F.sync(), at: 120 * min, expected: .delete(.failedTTL)),
        SweepCase(name: "unknown phase before its TTL", pod: F.pod(phase: "Unknown"), sync: F.sync(), at: 600, expected: .keep(recheckAfter: .seconds(110 * 60))),
        SweepCase(name: "future phase counts as failed", pod: F.pod(phase: "Evicted"), sync: F.sync(), at: 120 * min, expected: .delete(.failedTTL)),
        SweepCase(name: "running never", pod: F.pod(phase: "Running"), sync: F.sync(), at: 1e7, expected: .keep(recheckAfter: nil)),
        SweepCase(name: "pending never", pod: F.pod(phase: "Pending"), sync: F.sync(), at: 1e7, expected: .keep(recheckAfter: nil)),
        SweepCase(name: "no phase yet counts as pending", pod: F.pod(phase: nil), sync: F.sync(), at: 1e7, expected: .keep(recheckAfter: nil)),
        // The last phase transition.
        SweepCase(name: "latest finishedAt of several containers", pod: F.pod(finishedAt: [0, 300, 100]), sync: F.sync(), at: 600, expected: .keep(recheckAfter: .seconds(300))),
        SweepCase(name: "Ready transition without container times", pod: F.pod(finishedAt: [], readyAt: 120, startedAt: 0), sync: F.sync(), at: 600, expected: .keep(recheckAfter: .seconds(120))),
        SweepCase(name: "startTime without conditions", pod: F.pod(finishedAt: [], startedAt: 60), sync: F.sync(), at: 600, expected: .keep(recheckAfter: .seconds(60))),
        SweepCase(name: "creationTimestamp as the last resort", pod: F.pod(finishedAt: [], created: 30), sync: F.sync(created: 0), at: 600, expected: .keep(recheckAfter: .seconds(30))),
        SweepCase(name: "creation long ago, no other times", pod: F.pod(finishedAt: [], created: -700), sync: F.sync(created: -800), at: 0, expected: .delete(.succeededTTL)),
        SweepCase(name: "no time at all: a finished pod goes", pod: F.pod(finishedAt: [], created: nil), sync: F.sync(), at: 0, expected: .delete(.succeededTTL)),
        SweepCase(name: "finishedAt wins over an older Ready", pod: F.pod(finishedAt: [200], readyAt: 0), sync: F.sync(), at: 600, expected: .keep(recheckAfter: .seconds(200))),
        // Configured TTLs.
        SweepCase(name: "short succeeded TTL", pod: F.pod(), sync: F.sync(), at: 5, options: PodSweeperOptions(succeededTTL: .seconds(5)), expected: .delete(.succeededTTL)),
        SweepCase(name: "zero TTL deletes at once", pod: F.pod(phase: "Failed"), sync: F.sync(), at: 0, options: PodSweeperOptions(failedTTL: .zero), expected: .delete(.failedTTL)),
        SweepCase(name: "nil succeeded TTL keeps forever", pod: F.pod(), sync: F.sync(), at: 1e7, options: PodSweeperOptions(succeededTTL: nil), expected: .keep(recheckAfter: nil)),
        SweepCase(name: "nil failed TTL keeps forever", pod: F.pod(phase: "Failed"), sync: F.sync(), at: 1e7, options: PodSweeperOptions(failedTTL: nil), expected: .keep(recheckAfter: nil)),
        // Orphans.
        SweepCase(name: "sync missing, succeeded", pod: F.pod(), sync: nil, at: 0, expected: .delete(.syncMissing)),
        SweepCase(name: "sync missing, running", pod: F.pod(phase: "Running"), sync: nil, at: 0, expected: .delete(.syncMissing)),
        SweepCase(name: "sync missing, pending", pod: F.pod(phase: "Pending"), sync: nil, at: 0, expected: .delete(.syncMissing)),
        SweepCase(name: "sync missing, label only", pod: F.pod(ownerUID: nil), sync: nil, at: 0, expected: .delete(.syncMissing)),
        SweepCase(name: "sync replaced (uid differs), running", pod: F.pod(phase: "Running"), sync: F.sync(uid: "other"), at: 0, expected: .delete(.syncReplaced)),
        SweepCase(name: "owner reference removed, newer Sync took the name", pod: F.pod(ownerUID: nil, phase: "Running", created: -60), sync: F.sync(created: -10), at: 0, expected: .delete(.syncReplaced)),
        SweepCase(name: "no owner reference, Sync older than pod", pod: F.pod(ownerUID: nil, phase: "Running", created: -60), sync: F.sync(created: -60), at: 0, expected: .keep(recheckAfter: nil)),
        SweepCase(name: "old attempt, failed", pod: F.pod("daily-1", phase: "Failed"), sync: F.sync(attempts: [1, 2]), at: 0, expected: .delete(.supersededAttempt)),
        SweepCase(name: "old attempt, succeeded", pod: F.pod("daily-1"), sync: F.sync(attempts: [1, 3]), at: 0, expected: .delete(.supersededAttempt)),
        SweepCase(name: "old attempt, unknown", pod: F.pod("daily-1", phase: "Unknown"), sync: F.sync(attempts: [1, 2]), at: 0, expected: .delete(.supersededAttempt)),
        SweepCase(name: "old attempt still running is left to the Sync controller", pod: F.pod(phase: "Running"), sync: F.sync(attempts: [1, 2]), at: 0, expected: .keep(recheckAfter: nil)),
        SweepCase(name: "current attempt failed waits for TTL", pod: F.pod("daily-2", attempt: 2, phase: "Failed"), sync: F.sync(attempts: [1, 2]), at: 0, expected: .keep(recheckAfter: .seconds(7200))),
        SweepCase(name: "attempt ahead of status (not yet recorded)", pod: F.pod("daily-3", attempt: 3, phase: "Failed"), sync: F.sync(attempts: [1, 2]), at: 0, expected: .keep(recheckAfter: .seconds(7200))),
        SweepCase(name: "Sync without attempts yet", pod: F.pod(), sync: F.sync(attempts: []), at: 0, expected: .keep(recheckAfter: .seconds(600))),
        SweepCase(name: "unparseable attempt label", pod: F.pod(attempt: nil), sync: F.sync(attempts: [1, 2]), at: 0, expected: .keep(recheckAfter: .seconds(600))),
        SweepCase(name: "sync missing, orphan check off: TTL only", pod: F.pod(), sync: nil, at: 0, options: PodSweeperOptions(orphanCheck: false), expected: .keep(recheckAfter: .seconds(600))),
        SweepCase(name: "running orphan, orphan check off", pod: F.pod(phase: "Running"), sync: nil, at: 0, options: PodSweeperOptions(orphanCheck: false), expected: .keep(recheckAfter: nil)),
        SweepCase(name: "old attempt, orphan check off", pod: F.pod(phase: "Failed"), sync: F.sync(attempts: [1, 2]), at: 0, options: PodSweeperOptions(orphanCheck: false), expected: .keep(recheckAfter: .seconds(7200))),
        // Pods it must not touch.
        SweepCase(name: "not managed by ferry", pod: F.pod(managed: false), sync: nil, at: 1e7, expected: .keep(recheckAfter: nil)),
        SweepCase(name: "already being deleted", pod: F.pod(deleting: true), sync: nil, at: 1e7, expected: .keep(recheckAfter: nil)),
        SweepCase(name: "ferry pod naming no Sync: TTL only", pod: F.pod(sync: nil, ownerUID: nil), sync: nil, at: 0, expected: .keep(recheckAfter: .seconds(600))),
        SweepCase(name: "ferry pod naming no Sync, expired", pod: F.pod(sync: nil, ownerUID: nil), sync: nil, at: 600, expected: .delete(.succeededTTL)),
    ]

    @Test(arguments: cases) func decision(_ c: SweepCase) {
        let got = sweepDecision(pod: c.pod, sync: c.sync, now: F.t0.addingTimeInterval(c.at), ttls: c.options)
        #expect(got == c.expected)
    }

    @Test func defaultsAreAirbytes() {
        let o = PodSweeperOptions()
        #expect(o.succeededTTL == .seconds(600))
        #expect(o.failedTTL == .seconds(7200))
        #expect(o.orphanCheck)
    }

    @Test func syncNamePrefersTheOwnerReference() {
        var pod = F.pod(sync: "short-label", ownerUID: "u")
        editOwner(&pod) { $0["name"] = "the-full-sync-name" }
        #expect(PodSweepFacts.syncName(of: pod) == "the-full-sync-name")
        #expect(PodSweepFacts.syncName(of: F.pod(sync: "label-only", ownerUID: nil)) == "label-only")
        // An owner that is not the controller, or not a Ferry Sync, does not count.
        var foreign = F.pod(sync: nil, ownerUID: "u")
        editOwner(&foreign) { $0["apiVersion"] = "batch/v1" }
        #expect(PodSweepFacts.syncOwner(of: foreign) == nil)
        var notController = F.pod(sync: nil, ownerUID: "u")
        editOwner(&notController) { $0["controller"] = false }
        #expect(PodSweepFacts.syncOwner(of: notController) == nil)
    }

    private func editOwner(_ pod: inout JSONValue, _ edit: (inout JSONValue) -> Void) {
        var refs = pod["metadata"]["ownerReferences"].arrayValue ?? []
        if !refs.isEmpty { edit(&refs[0]) }
        pod["metadata"]["ownerReferences"] = .array(refs)
    }

    @Test(arguments: [
        (SweepReason.succeededTTL, "Succeeded longer than 10m"), (.failedTTL, "longer than 2h"), (.syncMissing, "its Sync no longer exists"),
        (.supersededAttempt, "later attempt"), (.syncReplaced, "earlier Sync of the same name"),
    ])
    func eventMessages(_ reason: SweepReason, _ fragment: String) {
        let message = PodSweeper.message(pod: "daily-1", reason: reason, options: PodSweeperOptions())
        #expect(message.contains("daily-1") && message.contains(fragment), "\(message)")
    }

    @Test func podKeysOfASyncByIndexAndByScan() {
        let indexed = ObjectStoreFixture.store(indexers: PodSweeper.podIndexers)
        let plain = ObjectStoreFixture.store(indexers: [:])
        for store in [indexed, plain] {
            let keys = PodSweeper.podKeys(of: F.sync(), in: store).map(\.name).sorted()
            #expect(keys == ["daily-1", "daily-2"])
        }
    }
}

/// A pod store holding two pods of Sync `daily`, one of another Sync, and a same-named
/// Sync's pod in another namespace.
enum ObjectStoreFixture {
    static func store(indexers: [String: IndexFunction]) -> ObjectStore {
        let store = ObjectStore(indexers: indexers)
        var elsewhere = SweeperFixtures.pod("daily-9", ownerUID: "elsewhere-uid")
        elsewhere["metadata"]["namespace"] = "other"
        store.apply(.restarted([
            SweeperFixtures.pod("daily-1"), SweeperFixtures.pod("daily-2", attempt: 2),
            SweeperFixtures.pod("weekly-1", sync: "weekly", ownerUID: "weekly-uid"), elsewhere,
        ]))
        return store
    }
}
