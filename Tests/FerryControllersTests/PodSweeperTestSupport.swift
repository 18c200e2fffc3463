/// The pod sweeper running against the embedded API server with a manual clock, and
/// builders of the worker pods, Secrets and Syncs it acts on.
import FerryAPI
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeRuntime
import KubeTestSupport
@testable import FerryControllers

/// A running sweeper and what tests need to drive and observe it.
struct SweeperRig {
    let client: KubernetesClient
    let clock: ManualClock
    let metrics: MetricsRegistry
    let controller: Controller
    let namespace = "default"

    func deletions(_ reason: SweepReason) -> Double { metrics.value(PodSweeper.deletionsMetric, ["reason": reason.rawValue]) ?? -1 }

    var reconciles: Double {
        ["success", "error", "requeue", "requeue_after"].compactMap {
            metrics.value("controller_runtime_reconcile_total", ["controller": PodSweeper.controllerName, "result": $0])
        }.reduce(0, +)
    }

    func exists(_ resource: ResourceType, _ name: String) async throws -> Bool {
        do {
            _ = try await client.get(resource, name: name, namespace: namespace)
            return true
        } catch where error.isNotFound {
            return false
        }
    }

    func uid(_ resource: ResourceType, _ name: String) async throws -> String? {
        try await client.get(resource, name: name, namespace: namespace).uid
    }

    /// Waits until the sweeper has no work left except timers: every key reconciled and
    /// `timers` keys waiting on the manual clock.
    func settle(timers: Int) async throws {
        try await waitUntil(timeout: .seconds(10)) {
            controller.queue.depth == 0 && controller.queue.processingCount == 0 && controller.queue.waitingCount == timers
        }
    }

    /// Advances the manual clock and waits until the queue has looked at the new time.
    func advance(by duration: Duration) async throws {
        clock.advance(by: duration)
        let now = clock.now
        try await waitUntil(timeout: .seconds(10)) {
            // Either a worker is sleeping again on a later deadline, or nothing is waiting.
            (clock.nextDeadline.map { $0 > now } ?? true) || controller.queue.processingCount > 0
        }
    }

    func sweepEvents() async throws -> [JSONValue] {
        try await client.listAll(.event, namespace: namespace).items.filter { $0["reason"] == .string(PodSweeper.eventReason) }
    }

    // MARK: objects

    func createSync(_ name: String, attempts: [Int] = [1]) async throws -> JSONValue {
        let sync: JSONValue = [
            "apiVersion": .string(FerryAPI.apiVersion), "kind": "Sync",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": ["connectionRef": ["name": "shop"]],
        ]
        _ = try await client.create(sync, Sync.resourceType)
        return try await setAttempts(name, attempts)
    }

    func setAttempts(_ sync: String, _ attempts: [Int]) async throws -> JSONValue {
        let patch: JSONValue = ["status": ["attempts": .array(attempts.map { ["number": .int(Int64($0)), "podName": .string("\(sync)-\($0)")] })]]
        return try await client.patchStatus(Sync.resourceType, name: sync, namespace: namespace, patch: patch)
    }

    /// Creates the pod `<sync>-<attempt>` and its `-config` Secret as the Sync controller would.
    @discardableResult
    func createWorker(sync: JSONValue?, syncName: String, attempt: Int) async throws -> JSONValue {
        let name = WorkerPodNaming.podName(sync: syncName, attempt: attempt)
        var meta: JSONValue = ["name": .string(name), "namespace": .string(namespace), "labels": JSONValue(stringMap: [
            FerryLabels.managedBy: FerryLabels.managedByValue, FerryLabels.sync: syncName, FerryLabels.attempt: "\(attempt)",
            FerryLabels.connection: "shop", FerryLabels.pool: "default",
        ])]
        if let sync, let uid = sync.uid {
            meta["ownerReferences"] = [[
                "apiVersion": .string(FerryAPI.apiVersion), "kind": "Sync", "name": .string(syncName), "uid": .string(uid), "controller": true,
            ]]
        }
        var secretMeta = meta
        secretMeta["name"] = .string(WorkerPodNaming.secretName(podName: name))
        _ = try await client.create(["apiVersion": "v1", "kind": "Secret", "metadata": secretMeta, "stringData": ["source.json": "{}"]], .secret)
        let pod: JSONValue = [
            "apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": ["restartPolicy": "Never", "containers": [["name": "orchestrator", "image": "ghcr.io/ferry/ferry:1.0"]]],
        ]
        return try await client.create(pod, .pod)
    }

    /// Moves a pod to `phase` through the status subresource, as a kubelet does; terminal
    /// phases get a container that finished at the manual clock's wall time.
    func setPhase(_ pod: String, _ phase: String) async throws {
        var status: JSONValue = ["phase": .string(phase), "startTime": .string(KubeTime.format(clock.wallTime))]
        if phase == "Succeeded" || phase == "Failed" {
            status["containerStatuses"] = [[
                "name": "orchestrator", "ready": false, "restartCount": 0, "image": "ghcr.io/ferry/ferry:1.0",
                "state": ["terminated": ["exitCode": phase == "Succeeded" ? 0 : 1, "finishedAt": .string(KubeTime.format(clock.wallTime))]],
            ]]
        }
        _ = try await client.patchStatus(.pod, name: pod, namespace: namespace, patch: ["status": status])
    }
}

/// Starts an embedded server with the Sync CRD, runs a sweeper over it with a manual clock
/// whose wall time starts at a whole second now, runs `body`, and stops everything.
func withSweeper(options: PodSweeperOptions = PodSweeperOptions(), _ body: (SweeperRig) async throws -> Void) async throws {
    try await withClient(APIServerConfiguration(bookmarkInterval: .milliseconds(200))) { _, client in
        try await installSyncCRD(client)
        // Whole seconds, so timestamps written from the clock are exact and TTL edges are sharp.
        let clock = ManualClock(wallOrigin: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)))
        let metrics = MetricsRegistry()
        let pods = Informer(
            client: client, resource: .pod, namespace: "default",
            configuration: .init(labelSelector: "\(FerryLabels.managedBy)=\(FerryLabels.managedByValue)"), indexers: PodSweeper.podIndexers)
        let syncs = Informer(client: client, resource: Sync.resourceType, namespace: "default")
        let events = EventRecorder(client: client, component: "ferry-sweeper-test", clock: clock)
        let controller = PodSweeper.make(client: client, pods: pods, syncs: syncs, events: events, clock: clock, metrics: metrics, options: options)
        let rig = SweeperRig(client: client, clock: clock, metrics: metrics, controller: controller)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await pods.run() }
            group.addTask { await syncs.run() }
            group.addTask { await events.run() }
            group.addTask { await controller.run() }
            do {
                try await waitUntil(timeout: .seconds(10)) { controller.hasSynced }
                try await body(rig)
                group.cancelAll()
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }
}

/// Creates the Sync CRD and waits until Syncs are served.
func installSyncCRD(_ client: KubernetesClient) async throws {
    _ = try await client.create(Sync.crd, .customResourceDefinition)
    try await waitUntil(timeout: .seconds(10)) {
        do throws(KubeClientError) {
            _ = try await client.list(Sync.resourceType, namespace: "default")
            return true
        } catch where error.isNotFound {
            return false
        }
    }
}
