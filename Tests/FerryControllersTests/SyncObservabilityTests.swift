/// What the Sync controller tells besides status: the Sync metrics (counted once per
/// finished Sync and per ended attempt) and an Event per condition change.
import FerryAPI
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import KubeTestSupport
import Testing
@testable import FerryControllers

@Suite struct SyncOutcomeTests {
    let queued = "2026-01-01T00:00:00Z", started = "2026-01-01T00:00:10Z", finished = "2026-01-01T00:02:10Z"

    @Test func theWriteThatEndsASyncCountsItAndItsEndedAttemptsOnce() {
        let running = SyncStatus(phase: .running, queuedTime: queued, startTime: started,
                                 attempts: [SyncAttempt(number: 1, podName: "s-1", phase: .running)])
        var done = running
        done.phase = .succeeded
        done.completionTime = finished
        done.attempts = [SyncAttempt(number: 1, podName: "s-1", phase: .succeeded,
                                     stats: SyncStats(bytesEmitted: 4096, recordsCommitted: 120))]
        let outcome = SyncMetrics.outcome(before: running, after: done)
        #expect(outcome == SyncMetrics.Outcome(result: .succeeded, durationSeconds: 120, recordsCommitted: 120, bytesEmitted: 4096))
        // Written again (a retried write, another reconcile): nothing more.
        #expect(SyncMetrics.outcome(before: done, after: done) == SyncMetrics.Outcome())
    }

    @Test func aFailedAttemptThatIsRetriedCountsItsRecordsButNoResult() {
        let running = SyncStatus(phase: .running, queuedTime: queued, startTime: started,
                                 attempts: [SyncAttempt(number: 1, phase: .running)])
        var retrying = running
        retrying.phase = .queued
        retrying.attempts = [SyncAttempt(number: 1, phase: .failed, recordsCommitted: 7)]
        #expect(SyncMetrics.outcome(before: running, after: retrying) == SyncMetrics.Outcome(recordsCommitted: 7))
    }

    @Test func aSyncFailedBeforeStartingLastsFromItsQueueing() {
        let waiting = SyncStatus(phase: .queued, queuedTime: queued)
        var failed = waiting
        failed.phase = .failed
        failed.completionTime = started
        #expect(SyncMetrics.outcome(before: waiting, after: failed) == SyncMetrics.Outcome(result: .failed, durationSeconds: 10))
    }

    @Test func conditionEventsAreOnePerReasonAndIgnoreMessageOnlyChanges() {
        let before = [Condition(type: "Queued", status: .true, reason: "WaitingForWorker", message: "waiting (1 worker)")]
        // Only the message changed: no Event.
        let reworded = [Condition(type: "Queued", status: .true, reason: "WaitingForWorker", message: "waiting (2 workers)")]
        #expect(ConditionEvents.changes(from: before, to: reworded, isWarning: SyncConditions.isWarning).isEmpty)
        // Two conditions for one cause: one Event, the True condition's, a Warning.
        let failed = [Condition(type: "Queued", status: .false, reason: "MaxSuccessiveFailures", message: "no more attempts"),
                      Condition(type: "Failed", status: .true, reason: "MaxSuccessiveFailures", message: "attempt 2 failed")]
        #expect(ConditionEvents.changes(from: before, to: failed, isWarning: SyncConditions.isWarning)
            == [.init(type: .warning, reason: "MaxSuccessiveFailures", message: "Failed=True: attempt 2 failed")])
        // A reason another Event of the write already tells is skipped.
        #expect(ConditionEvents.changes(from: before, to: failed, skipping: ["MaxSuccessiveFailures"], isWarning: SyncConditions.isWarning).isEmpty)
        let admitted = [Condition(type: "Queued", status: .false, reason: "WorkerAssigned", message: "pod s-1")]
        #expect(ConditionEvents.changes(from: before, to: admitted, isWarning: SyncConditions.isWarning)
            == [.init(type: .normal, reason: "WorkerAssigned", message: "Queued=False: pod s-1")])
    }
}

@Suite(.timeLimit(.minutes(1))) struct SyncObservabilityTests {
    @Test func finishedSyncsAreCountedOnceWithDurationRecordsAndBytes() async throws {
        try await withSyncController { rig in
            try await rig.createPool(workers: 2)
            try await rig.createConnectors()
            try await rig.createConnection(retry: ["maxSuccessiveFailures": 1])
            try await rig.createSync("good")
            try await rig.createSync("bad")
            try await waitUntil(timeout: .seconds(10)) { try await rig.exists(.pod, "good-1") }
            try await waitUntil(timeout: .seconds(10)) { try await rig.exists(.pod, "bad-1") }
            try await rig.runPod("good-1")
            try await rig.waitForPhase("good", .running)
            try await rig.finishPod("good-1", exitCode: 0, message: SyncControllerTests.summary)
            try await rig.finishPod("bad-1", exitCode: 3)
            try await rig.waitForPhase("good", .succeeded)
            try await rig.waitForPhase("bad", .failed)

            let labels = { (result: String) in ["namespace": "default", "connection": "shop-to-lake", "result": result] }
            // Touching a finished Sync reconciles it again: it is not counted again.
            let reconciles = { rig.metrics.value("controller_runtime_reconcile_total", ["controller": "sync", "result": "success"]) ?? 0 }
            let before = reconciles()
            _ = try await rig.client.patch(Sync.resourceType, name: "good", namespace: rig.namespace,
                                           patch: ["metadata": ["annotations": ["touched": "yes"]]], type: .merge)
            try await waitUntil(timeout: .seconds(10)) { reconciles() > before }
            #expect(rig.metrics.value(SyncMetrics.syncs, labels("succeeded")) == 1)
            #expect(rig.metrics.value(SyncMetrics.syncs, labels("failed")) == 1)
            #expect(rig.metrics.value(SyncMetrics.recordsCommitted, ["namespace": "default"]) == 120)
            #expect(rig.metrics.value(SyncMetrics.bytesEmitted, ["namespace": "default"]) == 4096)
            #expect(rig.metrics.observationCount(SyncMetrics.duration, ["result": "succeeded"]) == 1)
            #expect(rig.metrics.observationCount(SyncMetrics.duration, ["result": "failed"]) == 1)
            let text = rig.metrics.render()
            #expect(text.contains("# TYPE ferry_sync_duration_seconds histogram"))
            #expect(text.contains(#"ferry_sync_duration_seconds_bucket{result="succeeded",le="86400"} 1"#), "\(text)")
            #expect(text.contains(#"ferry_syncs_total{connection="shop-to-lake",namespace="default",result="failed"} 1"#), "\(text)")
        }
    }

    @Test func aConnectorEchoingItsSecretIsMaskedInTheAttemptsMessage() async throws {
        try await withSyncController { rig in
            try await rig.createPool()
            _ = try await rig.client.create([
                "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "creds", "namespace": "default"],
                "stringData": ["password": "hunter2-do-not-leak"],
            ], .secret)
            try await rig.createConnectors(sourceSecret: ("creds", "password"))
            try await rig.createConnection(retry: ["maxSuccessiveFailures": 1])
            try await rig.createSync("echo")
            try await waitUntil(timeout: .seconds(10)) { try await rig.exists(.pod, "echo-1") }
            try await rig.runPod("echo-1")
            try await rig.waitForPhase("echo", .running)
            try await rig.finishPod("echo-1", exitCode: 1, message: "config.password \"hunter2-do-not-leak\" rejected")
            try await rig.waitForPhase("echo", .failed)
            let sync = try await rig.sync("echo")
            #expect(!sync.serialized().contains("hunter2"), "\(sync.serialized())")
            let attempt = sync["status"]["attempts"].arrayValue?.first ?? .null
            #expect(attempt["message"].stringValue?.hasSuffix(#"config.password "***" rejected"#) == true, "\(attempt.serialized())")
            try await waitUntil(timeout: .seconds(10)) { try await rig.eventReasons("echo").contains("Failed") }
            let events = try await rig.client.listAll(.event, namespace: rig.namespace).items
            #expect(!events.map { $0.serialized() }.joined().contains("hunter2"))
        }
    }

    @Test func everyConditionChangeIsAnEventWarningWhenSomethingIsWrong() async throws {
        try await withSyncController { rig in
            try await rig.createConnectors()
            try await rig.createConnection(pool: "batch")
            try await rig.createSync("waiting")
            try await waitUntil(timeout: .seconds(10)) { try await rig.eventReasons("waiting").contains("WorkerPoolNotFound") }
            try await rig.createPool("batch")
            try await waitUntil(timeout: .seconds(10)) { try await rig.eventReasons("waiting").isSuperset(of: ["Queued", "Created", "WorkerAssigned", "Pending"]) }
            let events = try await rig.client.listAll(.event, namespace: rig.namespace).items.filter { $0["involvedObject"]["name"] == "waiting" }
            let missing = try #require(events.first { $0["reason"] == "WorkerPoolNotFound" })
            #expect(missing["type"] == "Warning")
            #expect(missing["message"].stringValue?.hasPrefix("Queued=True: WorkerPool batch") == true, "\(missing.serialized())")
            let assigned = try #require(events.first { $0["reason"] == "WorkerAssigned" })
            #expect(assigned["type"] == "Normal" && assigned["message"].stringValue?.hasPrefix("Queued=False: ") == true, "\(assigned.serialized())")
            // Each change once: the waiting Sync was reconciled more than once meanwhile.
            #expect(events.filter { $0["reason"] == "WorkerPoolNotFound" }.map { $0["count"] } == [1])
        }
    }
}
