/// The Sync controller against the embedded API server: the phase lifecycle with stats,
/// retries with backoff, pool capacity and order, a missing pool or Secret, cancel, and the
/// pod-start timeout.
import FerryAPI
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import KubeTestSupport
import Testing
@testable import FerryControllers

@Suite(.timeLimit(.minutes(1))) struct SyncControllerTests {
    static let summary = #"{"succeeded":true,"recordsEmitted":120,"bytesEmitted":4096,"recordsCommitted":120,"stateMessagesCommitted":3}"#

    @Test func syncGoesQueuedPendingRunningSucceededWithStats() async throws {
        try await withSyncController { rig in
            try await rig.createPool()
            try await rig.createConnectors()
            try await rig.createConnection()
            try await rig.createSync("daily")
            try await waitUntil(timeout: .seconds(10)) { try await rig.exists(.pod, "daily-1") }
            #expect(try await rig.exists(.secret, "daily-1-config"))
            try await rig.waitForPhase("daily", .pending)
            try await rig.runPod("daily-1")
            try await rig.waitForPhase("daily", .running)
            try await rig.finishPod("daily-1", exitCode: 0, message: Self.summary)
            try await rig.waitForPhase("daily", .succeeded)

            let sync = try await rig.sync("daily")
            let status = try sync["status"].decode(SyncStatus.self)
            #expect(status.stats?.recordsCommitted == 120)
            #expect(status.stats?.recordsEmitted == 120 && status.stats?.bytesEmitted == 4096 && status.stats?.stateMessagesCommitted == 3)
            #expect(status.attempts?.count == 1)
            #expect(status.attempts?.first?.phase == .succeeded && status.attempts?.first?.podName == "daily-1")
            #expect(status.attempts?.first?.startTime != nil && status.queuedTime != nil && status.completionTime != nil)
            #expect(status.duration?.hasSuffix("s") == true)
            #expect(status.observedGeneration == sync.generation)
            let complete = try #require(status.conditions?[type: SyncConditions.complete])
            #expect(complete.status == .true && complete.message.contains("120 records"))
            try await waitUntil(timeout: .seconds(10)) {
                try await rig.eventReasons("daily").isSuperset(of: ["Queued", "Pending", "Running", "Succeeded"])
            }
        }
    }

    @Test func failedAttemptIsRetriedAfterBackoffThenTheSyncFails() async throws {
        let clock = ManualClock(wallOrigin: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)))
        try await withSyncController(clock: clock) { rig in
            try await rig.createPool()
            try await rig.createConnectors()
            try await rig.createConnection(retry: ["maxSuccessiveFailures": 2, "backoff": ["initialSeconds": 10, "factor": 2, "maxSeconds": 60]])
            try await rig.createSync("flaky")
            try await waitUntil(timeout: .seconds(10)) { try await rig.exists(.pod, "flaky-1") }
            try await rig.runPod("flaky-1")
            try await rig.waitForPhase("flaky", .running)
            try await rig.finishPod("flaky-1", exitCode: 3)
            // Back to Queued, waiting out the 10 s backoff.
            try await waitUntil(timeout: .seconds(10)) { try await rig.condition("flaky", SyncConditions.queued)?["reason"] == "Retrying" }
            #expect(try await rig.phase("flaky") == "Queued")
            let first = try await rig.sync("flaky")["status"]["attempts"].arrayValue?.first ?? .null
            #expect(first["phase"] == "Failed" && first["reason"] == "ContainerFailed")
            #expect(first["message"].stringValue?.contains("exited with code 3") == true)
            try await settle(rig, clock)
            clock.advance(by: .seconds(9))
            try await settle(rig, clock)
            #expect(try await !rig.exists(.pod, "flaky-2"), "no second attempt before the backoff has passed")
            clock.advance(by: .seconds(1))
            try await waitUntil(timeout: .seconds(10)) { try await rig.exists(.pod, "flaky-2") }
            try await rig.finishPod("flaky-2", exitCode: 3)
            try await rig.waitForPhase("flaky", .failed)
            let status = try await rig.sync("flaky")["status"].decode(SyncStatus.self)
            #expect(status.attempts?.map(\.number) == [1, 2])
            #expect(status.attempts?.allSatisfy { $0.phase == .failed } == true)
            let failed = try #require(status.conditions?[type: SyncConditions.failed])
            #expect(failed.status == .true && failed.reason == "MaxSuccessiveFailures")
            #expect(failed.message.contains("attempt 2 failed"))
        }
    }

    @Test func poolOfOneRunsOneWorkerAtATimeOldestFirst() async throws {
        try await withSyncController { rig in
            try await rig.createPool(workers: 1)
            try await rig.createConnectors()
            try await rig.createConnection()
            // Creation order is also name order, so a tie in the (second-resolution) queued time keeps it.
            for name in ["sync-a", "sync-b", "sync-c"] { try await rig.createSync(name) }
            var order: [String] = []
            for _ in 0..<3 {
                try await waitUntil(timeout: .seconds(10)) { rig.activePods().count == 1 }
                let pod = try #require(rig.activePods().first)
                order.append(pod)
                let sync = String(pod.dropLast(2))
                try await waitUntil(timeout: .seconds(10)) { try await rig.condition(sync, SyncConditions.queued)?["reason"] == "WorkerAssigned" }
                for other in ["sync-a", "sync-b", "sync-c"] where !order.contains("\(other)-1") {
                    let queued = try await rig.condition(other, SyncConditions.queued)
                    #expect(queued?["reason"] == "WaitingForWorker" || queued?["reason"] == "Created", "\(other) waits")
                }
                try await rig.runPod(pod)
                try await rig.finishPod(pod, exitCode: 0, message: Self.summary)
                try await rig.waitForPhase(sync, .succeeded)
            }
            #expect(order == ["sync-a-1", "sync-b-1", "sync-c-1"])
            #expect(rig.maxActivePods.value == 1)
        }
    }

    /// Sized to stay light beside the rest of the suite on two cores; the control-plane
    /// benchmark of the scale issue measures thousands. The stand-in kubelet finishes the
    /// pool's pods a whole batch at a time, so every batch must be exactly the five oldest
    /// Syncs still queued: the order pods are created in within a batch depends on API
    /// latency, which admission does not control.
    @Test func fortySyncsOnAPoolOfFiveNeverRunMoreThanFiveOldestFirst() async throws {
        let count = 40, workers = 5
        try await withSyncController { rig in
            try await rig.createPool(workers: workers)
            try await rig.createConnectors()
            try await rig.createConnection()
            // Creation order is also name order, so a tie in the (second-resolution) queued time keeps it.
            let names = (0..<count).map { String(format: "sync-%03d", $0) }
            for name in names { try await rig.createSync(name) }
            for batch in stride(from: 0, to: count, by: workers) {
                let expected = Set(names[batch..<batch + workers].map { "\($0)-1" })
                try await waitUntil(timeout: .seconds(60)) { rig.activePods().count == workers }
                #expect(Set(rig.activePods()) == expected, "batch \(batch / workers + 1) runs the five oldest queued Syncs")
                for pod in rig.activePods() {
                    try await rig.runPod(pod)
                    try await rig.finishPod(pod, exitCode: 0, message: Self.summary)
                }
            }
            // The controller's own Sync cache, so polling does not load the server.
            try await waitUntil(timeout: .seconds(60)) {
                let syncs = rig.controller.primary.store.list()
                return syncs.count == count && syncs.allSatisfy { $0["status"]["phase"] == "Succeeded" }
            }
            #expect(rig.maxActivePods.value == workers)
            let started = rig.started.value
            #expect(started.count == count && Set(started) == Set(names.map { "\($0)-1" }), "one pod per Sync, no duplicates")
        }
    }

    @Test func missingPoolKeepsTheSyncQueuedUntilThePoolExists() async throws {
        try await withSyncController { rig in
            try await rig.createConnectors()
            try await rig.createConnection(pool: "batch")
            try await rig.createSync("waiting")
            try await waitUntil(timeout: .seconds(10)) { try await rig.condition("waiting", SyncConditions.queued)?["reason"] == "WorkerPoolNotFound" }
            #expect(try await rig.phase("waiting") == "Queued")
            #expect(try await rig.condition("waiting", SyncConditions.queued)?["message"].stringValue?.contains("WorkerPool batch") == true)
            #expect(try await !rig.exists(.pod, "waiting-1"))
            try await rig.createPool("batch")
            try await waitUntil(timeout: .seconds(10)) { try await rig.exists(.pod, "waiting-1") }
            try await rig.waitForPhase("waiting", .pending)
        }
    }

    @Test func missingSecretOrKeyFailsTheSyncWithoutTheValue() async throws {
        try await withSyncController { rig in
            try await rig.createPool()
            _ = try await rig.client.create([
                "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "creds", "namespace": "default"],
                "stringData": ["password": "hunter2-do-not-leak"],
            ], .secret)
            try await rig.createConnectors(sourceSecret: ("creds", "password"), destinationSecret: ("absent", "password"))
            try await rig.createConnection()
            try await rig.createSync("nosecret")
            try await rig.waitForPhase("nosecret", .failed)
            let failed = try #require(try await rig.condition("nosecret", SyncConditions.failed))
            #expect(failed["reason"] == "SecretNotFound")
            #expect(failed["message"].stringValue?.contains("absent") == true)
            let text = try await rig.sync("nosecret").serialized()
            #expect(!text.contains("hunter2"), "the secret value never reaches the status")
            #expect(try await !rig.exists(.pod, "nosecret-1"))
        }
    }

    @Test func cancelStopsTheRunningPod() async throws {
        try await withSyncController { rig in
            try await rig.createPool()
            try await rig.createConnectors()
            try await rig.createConnection()
            try await rig.createSync("stopme")
            try await waitUntil(timeout: .seconds(10)) { try await rig.exists(.pod, "stopme-1") }
            try await rig.runPod("stopme-1")
            try await rig.waitForPhase("stopme", .running)
            _ = try await rig.client.patch(Sync.resourceType, name: "stopme", namespace: rig.namespace, patch: ["spec": ["cancel": true]], type: .merge)
            try await rig.waitForPhase("stopme", .cancelled)
            try await waitUntil(timeout: .seconds(10)) { try await !rig.exists(.pod, "stopme-1") }
            #expect(try await !rig.exists(.secret, "stopme-1-config"))
            let failed = try #require(try await rig.condition("stopme", SyncConditions.failed))
            #expect(failed["status"] == "True" && failed["reason"] == "Cancelled")
            let status = try await rig.sync("stopme")["status"]
            #expect(status["attempts"].arrayValue?.first?["phase"] == "Cancelled" && status["completionTime"].stringValue != nil)
        }
    }

    @Test func aPodThatNeverStartsFailsTheAttemptWithPodStartTimeout() async throws {
        let clock = ManualClock(wallOrigin: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)))
        try await withSyncController(clock: clock) { rig in
            try await rig.createPool()
            try await rig.createConnectors()
            try await rig.createConnection(retry: ["maxSuccessiveFailures": 1], timeouts: ["podStart": "2m"])
            try await rig.createSync("stuck")
            // No kubelet: the pod stays Pending.
            try await waitUntil(timeout: .seconds(10)) { try await rig.exists(.pod, "stuck-1") }
            try await rig.waitForPhase("stuck", .pending)
            try await settle(rig, clock)
            clock.advance(by: .seconds(60))
            try await settle(rig, clock)
            #expect(try await rig.phase("stuck") == "Pending", "still within the pod-start timeout")
            // Past the timeout, counted from the pod's creation (real time may have moved a few seconds).
            clock.advance(by: .seconds(90))
            try await rig.waitForPhase("stuck", .failed)
            try await waitUntil(timeout: .seconds(10)) { try await !rig.exists(.pod, "stuck-1") }
            let attempt = try await rig.sync("stuck")["status"]["attempts"].arrayValue?.first ?? .null
            #expect(attempt["reason"] == "PodStartTimeout")
            #expect(attempt["message"].stringValue?.contains("did not start within 2m") == true)
            #expect(try await rig.condition("stuck", SyncConditions.failed)?["reason"] == "MaxSuccessiveFailures")
        }
    }

    @Test func attemptRunningPastItsTimeoutIsStopped() async throws {
        let clock = ManualClock(wallOrigin: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)))
        try await withSyncController(clock: clock) { rig in
            try await rig.createPool()
            try await rig.createConnectors()
            try await rig.createConnection(retry: ["maxSuccessiveFailures": 1], timeouts: ["attempt": "5m"])
            try await rig.createSync("slow")
            try await waitUntil(timeout: .seconds(10)) { try await rig.exists(.pod, "slow-1") }
            try await rig.runPod("slow-1")
            try await rig.waitForPhase("slow", .running)
            // Counted from when the controller saw the attempt running, on its clock; until
            // then it looks at the worker's progress every 10 s.
            try await waitUntil(timeout: .seconds(10)) { clock.nextDeadline == .seconds(10) }
            clock.advance(by: .seconds(299))
            try await settle(rig, clock)
            #expect(try await rig.phase("slow") == "Running")
            clock.advance(by: .seconds(1))
            try await rig.waitForPhase("slow", .failed)
            try await waitUntil(timeout: .seconds(10)) { try await !rig.exists(.pod, "slow-1") }
            let attempt = try await rig.sync("slow")["status"]["attempts"].arrayValue?.first ?? .null
            #expect(attempt["reason"] == "AttemptTimeout" && attempt["message"].stringValue?.contains("5m") == true)
        }
    }

    @Test func workerPodDeletedMidRunFailsTheAttemptWithPodDeleted() async throws {
        try await withSyncController { rig in
            try await rig.createPool()
            try await rig.createConnectors()
            try await rig.createConnection(retry: ["maxSuccessiveFailures": 1])
            try await rig.createSync("gone")
            try await waitUntil(timeout: .seconds(10)) { try await rig.exists(.pod, "gone-1") }
            try await rig.runPod("gone-1")
            try await rig.waitForPhase("gone", .running)
            _ = try await rig.client.delete(.pod, name: "gone-1", namespace: rig.namespace)
            try await rig.waitForPhase("gone", .failed)
            let attempt = try await rig.sync("gone")["status"]["attempts"].arrayValue?.first ?? .null
            #expect(attempt["reason"] == "PodDeleted")
        }
    }

    /// Waits until the controller has nothing to do but wait for a timer on the manual clock
    /// (every use has one: a backoff or a timeout).
    func settle(_ rig: SyncRig, _ clock: ManualClock) async throws {
        try await waitUntil(timeout: .seconds(10)) {
            rig.controller.queue.depth == 0 && rig.controller.queue.processingCount == 0
                && (clock.nextDeadline.map { $0 > clock.now } ?? false)
        }
    }
}
