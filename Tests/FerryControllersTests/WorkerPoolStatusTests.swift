/// The WorkerPool controller against the embedded API server, registered with the Sync
/// controller on one ControllerManager as `ferry operator` does: queued/running counts
/// follow the pool's Syncs and settle at 0/0, the capacity and generation are recorded,
/// and the `default` pool is created where a Connection needs it — never over an
/// existing one, and not at all with creation off.
import FerryAPI
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeRuntime
import KubeTestSupport
import Testing
@testable import FerryControllers

@Suite(.timeLimit(.minutes(2))) struct WorkerPoolStatusTests {
    static let summary = #"{"succeeded":true,"recordsCommitted":1}"#

    @Test func countsFollowTheSyncsOfThePoolAndSettleAtZero() async throws {
        try await withPoolOperator(before: { rig in
            try await rig.createPool(workers: 2)
            try await rig.createConnectors()
            try await rig.createConnection()
        }) { pools in
            let rig = pools.rig
            for name in ["sync-a", "sync-b", "sync-c"] { try await rig.createSync(name) }
            // Two Syncs hold a worker (Pending), one waits.
            try await pools.waitForCounts(queued: 1, running: 2)
            let status = try await pools.pool()["status"]
            #expect(status["workers"] == 2)
            #expect(status["observedGeneration"] == .int(try await pools.pool().generation ?? -1))
            #expect(status["selector"] == "app.kubernetes.io/managed-by=ferry,ferry.dev/pool=default")
            try await waitUntil(timeout: .seconds(20)) { rig.activePods().count == 2 }
            let first = rig.activePods()
            for pod in first { try await rig.runPod(pod) }
            for pod in first { try await rig.waitForPhase(String(pod.dropLast(2)), .running) }
            #expect(try await pools.counts() == PoolOccupancy(queued: 1, running: 2), "Running Syncs still hold their workers")
            // One finishes: the waiting Sync takes its worker.
            try await rig.finishPod(first[0], exitCode: 0, message: Self.summary)
            try await pools.waitForCounts(queued: 0, running: 2)
            try await waitUntil(timeout: .seconds(20)) { rig.activePods().count == 2 && rig.activePods() != first }
            for pod in rig.activePods() {
                if !first.contains(pod) { try await rig.runPod(pod) }
                try await rig.finishPod(pod, exitCode: 0, message: Self.summary)
            }
            for name in ["sync-a", "sync-b", "sync-c"] { try await rig.waitForPhase(name, .succeeded) }
            try await pools.waitForCounts(queued: 0, running: 0)

            // kubectl scale: the capacity in effect and the generation it answers follow.
            _ = try await rig.client.patchScale(WorkerPool.resourceType, name: "default", namespace: rig.namespace, patch: ["spec": ["replicas": 4]])
            try await waitUntil(timeout: .seconds(20)) {
                let pool = try await pools.pool()
                return pool["status"]["workers"] == 4 && pool["status"]["observedGeneration"] == .int(pool.generation ?? -1)
            }
        }
    }

    @Test func defaultPoolIsCreatedOnStartWhereAConnectionNeedsIt() async throws {
        try await withPoolOperator(defaultPool: DefaultWorkerPoolOptions(create: true, workers: 3), before: { rig in
            try await rig.createConnectors()
            try await rig.createConnection()  // names no pool: uses `default`
            try await rig.createSync("first")
        }) { pools in
            let rig = pools.rig
            try await waitUntil(timeout: .seconds(20)) { try await rig.exists(WorkerPool.resourceType, "default") }
            let pool = try await pools.pool()
            #expect(pool["spec"]["workers"] == 3)
            #expect(pool.labels[FerryLabels.managedBy] == FerryLabels.managedByValue)
            #expect(pool["metadata"]["annotations"][DefaultWorkerPoolOptions.createdForAnnotation].stringValue?.contains("shop-to-lake") == true)
            // The Sync that waited for the pool gets its worker, and the new pool counts it.
            try await waitUntil(timeout: .seconds(20)) { try await rig.exists(.pod, "first-1") }
            try await pools.waitForCounts(queued: 0, running: 1)
            try await waitUntil(timeout: .seconds(20)) {
                try await rig.client.listAll(.event, namespace: rig.namespace).items.contains {
                    $0["involvedObject"]["kind"] == "WorkerPool" && $0["reason"].stringValue == WorkerPoolReconciler.defaultPoolCreatedReason
                }
            }
        }
    }

    @Test func existingDefaultPoolIsNeverOverwritten() async throws {
        try await withPoolOperator(defaultPool: DefaultWorkerPoolOptions(create: true, workers: 7), before: { rig in
            try await rig.createPool(workers: 2)
            try await rig.createConnectors()
            try await rig.createConnection()
        }) { pools in
            let rig = pools.rig
            // Reconciled: the status answers the pool's generation.
            try await waitUntil(timeout: .seconds(20)) {
                let pool = try await pools.pool()
                return pool["status"]["observedGeneration"] == .int(pool.generation ?? -1) && pool["status"]["workers"] == 2
            }
            let before = try await pools.pool()
            #expect(before["spec"]["workers"] == 2)
            #expect(before["metadata"]["annotations"][DefaultWorkerPoolOptions.createdForAnnotation] == .null)

            // A pool cache that has not shown the pool yet: the create meets AlreadyExists
            // and the pool stays as it was.
            let emptyPools = Informer(client: rig.client, resource: WorkerPool.resourceType, namespace: rig.namespace)
            let caches = WorkerPoolCaches(
                pools: emptyPools, syncs: pools.manager.informer(for: Sync.resourceType, namespace: rig.namespace),
                connections: pools.manager.informer(for: Connection.resourceType, namespace: rig.namespace))
            let reconciler = WorkerPoolReconciler(client: rig.client, caches: caches, events: nil, defaultPool: DefaultWorkerPoolOptions(workers: 7),
                                                  logger: .init(label: "test"))
            #expect(caches.connections.store.list().count == 1, "the reconciler sees the Connection that uses default")
            #expect(try await reconciler.reconcile(ObjectKey(namespace: rig.namespace, name: "default"), nil) == .done)
            let after = try await pools.pool()
            #expect(after["spec"]["workers"] == 2)
            #expect(after.resourceVersion == before.resourceVersion)
        }
    }

    @Test func noDefaultPoolWithCreationOff() async throws {
        try await withPoolOperator(defaultPool: DefaultWorkerPoolOptions(create: false), before: { rig in
            try await rig.createConnectors()
            try await rig.createConnection()
            try await rig.createSync("first")
        }) { pools in
            let rig = pools.rig
            try await waitUntil(timeout: .seconds(20)) {
                try await rig.condition("first", SyncConditions.queued)?["reason"].stringValue == SyncConditions.Reason.workerPoolNotFound
            }
            // The only keys the WorkerPool controller has are the missing `default`'s (from the
            // Connection and the Sync): once one reconcile succeeded and the queue is idle, it
            // has decided.
            let controller = pools.controller
            try await waitUntil(timeout: .seconds(20)) {
                let reconciled = pools.manager.metrics.value("controller_runtime_reconcile_total", ["controller": controller.name, "result": "success"]) ?? 0
                return reconciled >= 1 && controller.queue.depth == 0 && controller.queue.processingCount == 0
            }
            #expect(try await !rig.exists(WorkerPool.resourceType, "default"))
            #expect(try await rig.phase("first") == SyncPhase.queued.rawValue)
        }
    }

    // MARK: pure counting

    @Test func occupancyCountsByPhaseAndTheConnectionsPool() throws {
        func sync(_ name: String, _ connection: String, _ phase: String?, namespace: String = "default", deleting: Bool = false) -> JSONValue {
            var metadata: JSONValue = ["name": .string(name), "namespace": .string(namespace)]
            if deleting { metadata["deletionTimestamp"] = "2025-01-01T00:00:00Z" }
            var object: JSONValue = ["metadata": metadata, "spec": ["connectionRef": ["name": .string(connection)]]]
            if let phase { object["status"] = ["phase": .string(phase)] }
            return object
        }
        let connections: [String: JSONValue] = [
            "plain": ["metadata": ["name": "plain"], "spec": [:]],
            "batch": ["metadata": ["name": "batch"], "spec": ["workerPool": "batch"]],
        ]
        let syncs = [
            sync("new", "plain", nil), sync("queued", "plain", "Queued"), sync("pending", "plain", "Pending"), sync("running", "plain", "Running"),
            sync("done", "plain", "Succeeded"), sync("failed", "plain", "Failed"), sync("cancelled", "plain", "Cancelled"),
            sync("deleted-queued", "plain", "Queued", deleting: true), sync("deleted-running", "plain", "Running", deleting: true),
            sync("other-pool", "batch", "Queued"), sync("no-connection", "gone", "Queued"), sync("elsewhere", "plain", "Running", namespace: "other"),
        ]
        let count = { (pool: String) in PoolOccupancy.count(pool: pool, namespace: "default", syncs: syncs) { connections[$0] } }
        #expect(count("default") == PoolOccupancy(queued: 2, running: 3))
        #expect(count("batch") == PoolOccupancy(queued: 1, running: 0))
        #expect(count("missing") == PoolOccupancy())
    }
}

/// The Sync and WorkerPool controllers on one manager, and what the tests read.
struct PoolRig {
    let rig: SyncRig
    let manager: ControllerManager
    let controller: Controller

    func pool(_ name: String = "default") async throws -> JSONValue {
        try await rig.client.get(WorkerPool.resourceType, name: name, namespace: rig.namespace)
    }

    func counts(_ name: String = "default") async throws -> PoolOccupancy? {
        let status = try await pool(name)["status"]
        guard let queued = status["queuedSyncs"].intValue, let running = status["runningSyncs"].intValue else { return nil }
        return PoolOccupancy(queued: Int(queued), running: Int(running))
    }

    func waitForCounts(queued: Int, running: Int, pool name: String = "default") async throws {
        try await waitUntil(timeout: .seconds(20)) { try await counts(name) == PoolOccupancy(queued: queued, running: running) }
    }
}

/// Starts an embedded server with Ferry's CRDs, runs `before` (objects that exist before
/// the operator starts), then the Sync and WorkerPool controllers registered on a
/// ControllerManager for namespace `default`, runs `body`, and stops everything. Worker
/// pods are moved through their phases by the test (`SyncRig.runPod` / `finishPod`).
func withPoolOperator(
    defaultPool: DefaultWorkerPoolOptions = DefaultWorkerPoolOptions(create: false), clock: any RuntimeClock = SystemClock(),
    autoscaler: PoolAutoscalerOptions = PoolAutoscalerOptions(), warmWorkers: WarmWorkerOptions = WarmWorkerOptions(),
    podMetrics: (any PodMetricsProvider)? = nil, before: (SyncRig) async throws -> Void, _ body: (PoolRig) async throws -> Void
) async throws {
    try await withClient(APIServerConfiguration(bookmarkInterval: .milliseconds(200))) { server, client in
        server.setPodMetricsProvider(podMetrics)
        let kinds: [(JSONValue, ResourceType)] = [
            (Sync.crd, Sync.resourceType), (Connection.crd, Connection.resourceType), (Source.crd, Source.resourceType),
            (Destination.crd, Destination.resourceType), (WorkerPool.crd, WorkerPool.resourceType),
        ]
        for (crd, _) in kinds { _ = try await client.create(crd, .customResourceDefinition) }
        for (_, resource) in kinds { try await waitUntil(timeout: .seconds(10)) { await served(resource, by: client) } }
        let namespace = "default"
        let manager = ControllerManager(client: client, options: .init(leaderElection: nil, healthHost: nil, healthPort: 0), clock: clock)
        let syncs = SyncController.register(on: manager, defaults: OperatorDefaults(orchestratorImage: "ghcr.io/ferry/ferry:1.0"), namespace: namespace)
        let pools = WorkerPoolController.register(on: manager, defaultPool: defaultPool, autoscaler: autoscaler, warmWorkers: warmWorkers, namespace: namespace)
        let podInformer = manager.informer(for: .pod, namespace: namespace, indexers: PodSweeper.podIndexers)
        let rig = SyncRig(client: client, clock: manager.clock, controller: syncs, pods: podInformer, maxActivePods: ActivePodHighWater(), started: StartedPods())
        try await before(rig)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await manager.run() }
            do {
                try await waitUntil(timeout: .seconds(20)) { syncs.hasSynced && pools.hasSynced }
                try await body(PoolRig(rig: rig, manager: manager, controller: pools))
                group.cancelAll()
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }
}
