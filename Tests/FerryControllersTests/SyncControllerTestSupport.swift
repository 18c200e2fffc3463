/// The Sync controller running against the embedded API server, with builders of the
/// objects it reads and a stand-in kubelet that moves worker pods through their phases
/// over the status subresource, as a node agent would.
import FerryAPI
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeRuntime
import KubeTestSupport
import Synchronization
@testable import FerryControllers

/// A running Sync controller and what tests need to drive and observe it.
struct SyncRig {
    let client: KubernetesClient
    let clock: any RuntimeClock
    let controller: Controller
    let pods: Informer
    /// The most worker pods that were Pending or Running at once, per the pod informer.
    let maxActivePods: ActivePodHighWater
    /// Worker pods in the order the pod informer first saw them.
    let started: StartedPods
    /// The controller's metrics (reconcile and Sync metrics); rigs built elsewhere get a fresh one.
    var metrics = MetricsRegistry()
    let namespace = "default"

    // MARK: objects

    func createPool(_ name: String = "default", workers: Int = 1) async throws {
        _ = try await client.create([
            "apiVersion": .string(FerryAPI.apiVersion), "kind": "WorkerPool",
            "metadata": ["name": .string(name), "namespace": .string(namespace)], "spec": ["workers": .int(Int64(workers))],
        ], WorkerPool.resourceType)
    }

    /// A Source `shop` and a Destination `lake`, with optional secret references.
    func createConnectors(sourceSecret: (name: String, key: String)? = nil, destinationSecret: (name: String, key: String)? = nil) async throws {
        try await createConnector(kind: "Source", name: "shop", resource: Source.resourceType, secret: sourceSecret)
        try await createConnector(kind: "Destination", name: "lake", resource: Destination.resourceType, secret: destinationSecret)
    }

    func createConnector(kind: String, name: String, resource: ResourceType, secret: (name: String, key: String)?) async throws {
        var spec: JSONValue = ["image": "ghcr.io/ferry/connector:1", "config": ["host": "db"]]
        if let secret {
            spec["secretRefs"] = [["path": "/password", "secretKeyRef": ["name": .string(secret.name), "key": .string(secret.key)]]]
        }
        _ = try await client.create([
            "apiVersion": .string(FerryAPI.apiVersion), "kind": .string(kind),
            "metadata": ["name": .string(name), "namespace": .string(namespace)], "spec": spec,
        ], resource)
    }

    /// Connection `shop-to-lake` from `shop` to `lake` with one stream.
    /// `concurrencyPolicy` is Allow unless given: most tests here run many Syncs of this
    /// one Connection to exercise the pool, which one-at-a-time would serialize.
    func createConnection(pool: String? = nil, retry: JSONValue? = nil, timeouts: JSONValue? = nil, concurrencyPolicy: String = "Allow") async throws {
        var spec: JSONValue = ["sourceRef": ["name": "shop"], "destinationRef": ["name": "lake"], "streams": [["name": "users"]],
                               "concurrencyPolicy": .string(concurrencyPolicy)]
        if let pool { spec["workerPool"] = .string(pool) }
        if let retry { spec["retry"] = retry }
        if let timeouts { spec["timeouts"] = timeouts }
        _ = try await client.create([
            "apiVersion": .string(FerryAPI.apiVersion), "kind": "Connection",
            "metadata": ["name": "shop-to-lake", "namespace": .string(namespace)], "spec": spec,
        ], Connection.resourceType)
    }

    func createSync(_ name: String) async throws {
        _ = try await client.create([
            "apiVersion": .string(FerryAPI.apiVersion), "kind": "Sync",
            "metadata": ["name": .string(name), "namespace": .string(namespace)], "spec": ["connectionRef": ["name": "shop-to-lake"]],
        ], Sync.resourceType)
    }

    func sync(_ name: String) async throws -> JSONValue { try await client.get(Sync.resourceType, name: name, namespace: namespace) }

    func phase(_ name: String) async throws -> String? { try await sync(name)["status"]["phase"].stringValue }

    func condition(_ name: String, _ type: String) async throws -> JSONValue? {
        try await sync(name)["status"]["conditions"].arrayValue?.first { $0["type"].stringValue == type }
    }

    func waitForPhase(_ name: String, _ phase: SyncPhase) async throws {
        try await waitUntil(timeout: .seconds(10)) { try await self.phase(name) == phase.rawValue }
    }

    func exists(_ resource: ResourceType, _ name: String) async throws -> Bool {
        do {
            _ = try await client.get(resource, name: name, namespace: namespace)
            return true
        } catch where error.isNotFound {
            return false
        }
    }

    func eventReasons(_ sync: String) async throws -> Set<String> {
        Set(try await client.listAll(.event, namespace: namespace).items
            .filter { $0["involvedObject"]["name"].stringValue == sync }.compactMap { $0["reason"].stringValue })
    }

    /// Worker pods not yet finished, by name.
    func activePods() -> [String] {
        pods.store.list().filter { !["Succeeded", "Failed"].contains($0["status"]["phase"].stringValue ?? "") }.compactMap(\.name).sorted()
    }

    // MARK: the stand-in kubelet

    func runPod(_ pod: String) async throws {
        _ = try await client.patchStatus(.pod, name: pod, namespace: namespace, patch: ["status": [
            "phase": "Running", "startTime": .string(KubeTime.format(clock.wallTime)),
        ]])
    }

    /// Finishes a pod: the orchestrator exits `exitCode` with `message` as its termination message.
    func finishPod(_ pod: String, exitCode: Int64, message: String? = nil) async throws {
        var terminated: JSONValue = ["exitCode": .int(exitCode), "finishedAt": .string(KubeTime.format(clock.wallTime))]
        if let message { terminated["message"] = .string(message) }
        _ = try await client.patchStatus(.pod, name: pod, namespace: namespace, patch: ["status": [
            "phase": exitCode == 0 ? "Succeeded" : "Failed",
            "containerStatuses": [["name": "orchestrator", "ready": false, "restartCount": 0, "image": "ghcr.io/ferry/ferry:1.0",
                                   "state": ["terminated": terminated]]],
        ]])
    }
}

/// Starts an embedded server with Ferry's CRDs, runs the Sync controller over it (with
/// `clock`), runs `body`, and stops everything.
/// `rig.started` records the order the worker pods appeared in.
func withSyncController(clock: any RuntimeClock = SystemClock(), _ body: (SyncRig) async throws -> Void) async throws {
    try await withClient(APIServerConfiguration(bookmarkInterval: .milliseconds(200))) { _, client in
        for crd in [Sync.crd, Connection.crd, Source.crd, Destination.crd, WorkerPool.crd] {
            _ = try await client.create(crd, .customResourceDefinition)
        }
        for resource in [Sync.resourceType, Connection.resourceType, Source.resourceType, Destination.resourceType, WorkerPool.resourceType] {
            try await waitUntil(timeout: .seconds(10)) { await served(resource, by: client) }
        }
        let informer = { (resource: ResourceType) in Informer(client: client, resource: resource, namespace: "default") }
        let pods = Informer(client: client, resource: .pod, namespace: "default",
                            configuration: .init(labelSelector: "\(FerryLabels.managedBy)=\(FerryLabels.managedByValue)"))
        let caches = SyncCaches(syncs: informer(Sync.resourceType), pods: pods, connections: informer(Connection.resourceType),
                                sources: informer(Source.resourceType), destinations: informer(Destination.resourceType), pools: informer(WorkerPool.resourceType))
        let events = EventRecorder(client: client, component: "ferry-sync-test", clock: clock)
        let metrics = MetricsRegistry()
        let controller = SyncController.make(client: client, caches: caches, events: events,
                                             defaults: OperatorDefaults(orchestratorImage: "ghcr.io/ferry/ferry:1.0"), clock: clock, metrics: metrics)
        let maxActive = ActivePodHighWater()
        let rig = SyncRig(client: client, clock: clock, controller: controller, pods: pods, maxActivePods: maxActive, started: StartedPods(), metrics: metrics)
        // Counted on every pod change, so no moment between polls is missed.
        pods.addHandler { _ in
            let active = rig.activePods().count
            maxActive.observe(active)
        }
        pods.addHandler { change in
            if case .added(let pod) = change, let name = pod.name, pod["status"]["phase"].stringValue ?? "Pending" == "Pending" {
                rig.started.append(name)
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for informer in [caches.syncs, caches.pods, caches.connections, caches.sources, caches.destinations, caches.pools] {
                group.addTask { await informer.run() }
            }
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

/// The highest number of active worker pods seen.
final class ActivePodHighWater: Sendable {
    private let high = Mutex(0)
    func observe(_ count: Int) { high.withLock { $0 = max($0, count) } }
    var value: Int { high.withLock { $0 } }
}

/// Whether the server serves `resource` yet (a new CRD takes a moment).
func served(_ resource: ResourceType, by client: KubernetesClient) async -> Bool {
    (try? await client.list(resource, namespace: "default")) != nil
}

/// Names in the order they were appended.
final class StartedPods: Sendable {
    private let names = Mutex<[String]>([])
    func append(_ name: String) { names.withLock { $0.append(name) } }
    var value: [String] { names.withLock { $0 } }
}
