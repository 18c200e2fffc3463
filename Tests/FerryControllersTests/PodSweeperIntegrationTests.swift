/// The pod sweeper against the embedded API server with a manual clock: TTLs to the
/// second, running pods kept, orphans removed at once, the uid precondition honoured.
import FerryAPI
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeRuntime
import KubeTestSupport
import Testing
@testable import FerryControllers

@Suite(.timeLimit(.minutes(1))) struct PodSweeperIntegrationTests {
    @Test func succeededPodIsSweptAfterTenMinutesWithItsSecret() async throws {
        try await withSweeper { rig in
            let sync = try await rig.createSync("daily")
            try await rig.createWorker(sync: sync, syncName: "daily", attempt: 1)
            try await rig.setPhase("daily-1", "Succeeded")
            try await rig.settle(timers: 1)
            // One timer per pod, due exactly at the TTL.
            // The queue registers its timer with the clock just after the key is parked.
            try? await waitUntil(timeout: .seconds(10)) { rig.clock.nextDeadline == .seconds(600) }
            #expect(rig.clock.nextDeadline == .seconds(600))
            try await rig.advance(by: .seconds(599))
            #expect(try await rig.exists(.pod, "daily-1"), "kept at 9:59")
            #expect(rig.deletions(.succeededTTL) == 0)
            try await rig.advance(by: .seconds(1))
            try await waitUntil(timeout: .seconds(10)) { try await !rig.exists(.pod, "daily-1") }
            try await waitUntil(timeout: .seconds(10)) { try await !rig.exists(.secret, "daily-1-config") }
            try? await waitUntil(timeout: .seconds(10)) { rig.deletions(.succeededTTL) == 1 }
            #expect(rig.deletions(.succeededTTL) == 1)
            try await waitUntil(timeout: .seconds(10)) { try await !rig.sweepEvents().isEmpty }
            let event = try #require(try await rig.sweepEvents().first)
            #expect(event["involvedObject"]["kind"] == "Sync" && event["involvedObject"]["name"] == "daily")
            #expect(event["message"].stringValue?.contains("daily-1") == true)
        }
    }

    @Test func failedPodIsSweptAfterTwoHoursAndRunningPodNever() async throws {
        try await withSweeper { rig in
            let sync = try await rig.createSync("nightly", attempts: [1])
            let other = try await rig.createSync("hourly", attempts: [1])
            try await rig.createWorker(sync: sync, syncName: "nightly", attempt: 1)
            try await rig.createWorker(sync: other, syncName: "hourly", attempt: 1)
            try await rig.setPhase("nightly-1", "Failed")
            try await rig.setPhase("hourly-1", "Running")
            try await rig.settle(timers: 1)
            // The queue registers its timer with the clock just after the key is parked.
            try? await waitUntil(timeout: .seconds(10)) { rig.clock.nextDeadline == .seconds(7200) }
            #expect(rig.clock.nextDeadline == .seconds(7200))
            try await rig.advance(by: .seconds(7199))
            #expect(try await rig.exists(.pod, "nightly-1"), "kept at 119:59")
            try await rig.advance(by: .seconds(1))
            try await waitUntil(timeout: .seconds(10)) { try await !rig.exists(.pod, "nightly-1") }
            try await waitUntil(timeout: .seconds(10)) { try await !rig.exists(.secret, "nightly-1-config") }
            try? await waitUntil(timeout: .seconds(10)) { rig.deletions(.failedTTL) == 1 }
            #expect(rig.deletions(.failedTTL) == 1)
            // The running pod has no timer at all, however far the clock moves.
            try await rig.settle(timers: 0)
            try await rig.advance(by: .seconds(1000 * 3600))
            #expect(try await rig.exists(.pod, "hourly-1"))
            #expect(try await rig.exists(.secret, "hourly-1-config"))
            #expect(rig.deletions(.succeededTTL) == 0 && rig.deletions(.syncMissing) == 0)
        }
    }

    @Test func podOfAMissingSyncIsDeletedAtOnceEvenWhileRunning() async throws {
        try await withSweeper { rig in
            let sync = try await rig.createSync("weekly")
            try await rig.createWorker(sync: sync, syncName: "weekly", attempt: 1)
            try await rig.setPhase("weekly-1", "Running")
            // A pod naming a Sync that never existed.
            try await rig.createWorker(sync: nil, syncName: "ghost", attempt: 1)
            try await waitUntil(timeout: .seconds(10)) { try await !rig.exists(.pod, "ghost-1") }
            try await waitUntil(timeout: .seconds(10)) { try await !rig.exists(.secret, "ghost-1-config") }
            try await rig.settle(timers: 0)
            #expect(try await rig.exists(.pod, "weekly-1"))
            // Deleting the Sync with orphan propagation leaves the GC nothing to do: the sweeper stops the pod.
            _ = try await rig.client.delete(Sync.resourceType, name: "weekly", namespace: rig.namespace, options: DeleteOptions(propagationPolicy: .orphan))
            try await waitUntil(timeout: .seconds(10)) { try await !rig.exists(.pod, "weekly-1") }
            try await waitUntil(timeout: .seconds(10)) { try await !rig.exists(.secret, "weekly-1-config") }
            try? await waitUntil(timeout: .seconds(10)) { rig.deletions(.syncMissing) == 2 }
            #expect(rig.deletions(.syncMissing) == 2)
            #expect(rig.clock.now == .zero, "orphans go without waiting for any TTL")
        }
    }

    @Test func finishedPodOfAnOldAttemptIsDeletedAtOnce() async throws {
        try await withSweeper { rig in
            let sync = try await rig.createSync("retry", attempts: [1])
            try await rig.createWorker(sync: sync, syncName: "retry", attempt: 1)
            try await rig.setPhase("retry-1", "Failed")
            try await rig.settle(timers: 1)
            // The Sync controller starts attempt 2: attempt 1's pod is now superseded.
            _ = try await rig.setAttempts("retry", [1, 2])
            try await rig.createWorker(sync: sync, syncName: "retry", attempt: 2)
            try await rig.setPhase("retry-2", "Running")
            try await waitUntil(timeout: .seconds(10)) { try await !rig.exists(.pod, "retry-1") }
            try await waitUntil(timeout: .seconds(10)) { try await !rig.exists(.secret, "retry-1-config") }
            try? await waitUntil(timeout: .seconds(10)) { rig.deletions(.supersededAttempt) == 1 }
            #expect(rig.deletions(.supersededAttempt) == 1)
            // retry-1's TTL timer is still queued; when it fires it finds no pod.
            try await rig.settle(timers: 1)
            #expect(try await rig.exists(.pod, "retry-2"))
            #expect(try await rig.exists(.secret, "retry-2-config"))
        }
    }

    @Test func aPodRecreatedUnderTheSameNameKeepsItsOwnTTL() async throws {
        try await withSweeper { rig in
            let sync = try await rig.createSync("daily")
            try await rig.createWorker(sync: sync, syncName: "daily", attempt: 1)
            try await rig.setPhase("daily-1", "Succeeded")
            try await rig.settle(timers: 1)
            let oldPod = try await rig.client.get(.pod, name: "daily-1", namespace: rig.namespace)
            // Five minutes later the pod is replaced by a new one of the same name that finishes then.
            try await rig.advance(by: .seconds(300))
            _ = try await rig.client.delete(.pod, name: "daily-1", namespace: rig.namespace)
            _ = try await rig.client.delete(.secret, name: "daily-1-config", namespace: rig.namespace)
            try await rig.createWorker(sync: sync, syncName: "daily", attempt: 1)
            try await rig.setPhase("daily-1", "Succeeded")
            let newUID = try await rig.uid(.pod, "daily-1")
            #expect(newUID != oldPod.uid)
            try await waitUntil(timeout: .seconds(10)) { rig.controller.primary.store.get(namespace: rig.namespace, name: "daily-1")?.uid == newUID }
            try await rig.settle(timers: 1)

            // A reconcile that still holds the old pod (a stale cache) must not delete the new one.
            let sweeper = PodSweeper(
                client: rig.client, syncs: Informer(resource: Sync.resourceType), events: nil, metrics: rig.metrics, clock: rig.clock,
                options: PodSweeperOptions(succeededTTL: .zero), logger: .init(label: "test"))
            let action = try await sweeper.reconcile(ObjectKey(namespace: rig.namespace, name: "daily-1"), oldPod)
            #expect(action == .done)
            #expect(try await rig.uid(.pod, "daily-1") == newUID, "the uid precondition protects the new pod")
            #expect(try await rig.exists(.secret, "daily-1-config"), "and its Secret")

            // The old timer (at 10:00) finds the new pod, which is kept until its own TTL (15:00).
            try await rig.advance(by: .seconds(300))
            try await rig.settle(timers: 1)
            #expect(try await rig.uid(.pod, "daily-1") == newUID)
            // The queue registers its timer with the clock just after the key is parked.
            try? await waitUntil(timeout: .seconds(10)) { rig.clock.nextDeadline == .seconds(900) }
            #expect(rig.clock.nextDeadline == .seconds(900))
            try await rig.advance(by: .seconds(299))
            #expect(try await rig.exists(.pod, "daily-1"))
            try await rig.advance(by: .seconds(1))
            try await waitUntil(timeout: .seconds(10)) { try await !rig.exists(.pod, "daily-1") }
            // The metric counts a deletion once its Secret and Event are done too.
            try? await waitUntil(timeout: .seconds(10)) { rig.deletions(.succeededTTL) == 1 }
            #expect(rig.deletions(.succeededTTL) == 1)
        }
    }

    @Test func registeredOnAControllerManagerItSweepsOrphans() async throws {
        try await withClient(APIServerConfiguration(bookmarkInterval: .milliseconds(200))) { _, client in
            try await installSyncCRD(client)
            let manager = ControllerManager(client: client, options: .init(healthHost: nil))
            let controller = PodSweeper.register(on: manager)
            #expect(controller.name == PodSweeper.controllerName)
            // A pod that is not Ferry's is never touched, even with a Sync-like label.
            _ = try await client.create([
                "apiVersion": "v1", "kind": "Pod",
                "metadata": ["name": "bystander", "namespace": "default", "labels": [FerryLabels.sync: "ghost"]],
                "spec": ["containers": [["name": "c", "image": "busybox"]]],
            ], .pod)
            let rig = SweeperRig(client: client, clock: ManualClock(), metrics: manager.metrics, controller: controller)
            try await rig.createWorker(sync: nil, syncName: "ghost", attempt: 3)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await manager.run() }
                defer { group.cancelAll() }
                try await waitUntil(timeout: .seconds(10)) { try await !rig.exists(.pod, "ghost-3") }
                try await waitUntil(timeout: .seconds(10)) { try await !rig.exists(.secret, "ghost-3-config") }
                try await waitUntil(timeout: .seconds(10)) { try await !rig.sweepEvents().isEmpty }
                try await rig.settle(timers: 0)
                #expect(try await rig.exists(.pod, "bystander"))
                try? await waitUntil(timeout: .seconds(10)) { rig.deletions(.syncMissing) == 1 }
                #expect(rig.deletions(.syncMissing) == 1)
                #expect(manager.metrics.render().contains("ferry_sweeper_deletions_total{reason=\"sync_missing\"} 1"))
            }
        }
    }
}
