/// Controllers against the embedded API server under faults: every changed object is
/// reconciled, no key is ever reconciled concurrently, owned children map to owners.
import KubeAPIServer
import KubeClient
import KubeCore
import KubeRuntime
import KubeTestSupport
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(1))) struct ControllerIntegrationTests {
    @Test func everyChangedObjectIsReconciledAndNoKeyConcurrently() async throws {
        try await withClient(runtimeServer) { server, client in
            for i in 0..<40 { _ = try await client.create(configMap("cm-\(i)"), .configMap) }
            let metrics = MetricsRegistry()
            let log = ReconcileLog()
            let informer = Informer(
                client: client, resource: .configMap, namespace: "default",
                configuration: .init(initialBackoff: .milliseconds(20), maxBackoff: .milliseconds(200)))
            let controller = Controller(
                name: "configmaps", for: informer, maxConcurrentReconciles: 8, metrics: metrics,
                rateLimiter: DefaultControllerRateLimiter(maxDelay: .milliseconds(200))
            ) { key, object in
                log.begin(key, object)
                defer { log.end(key) }
                // Yield so overlapping reconciles of one key would be observed if the queue allowed them.
                try await Task.sleep(for: .milliseconds(2))
                if object?["data"]["value"] == "fail-once", log.seen[key] != nil, Int.random(in: 0..<2) == 0 { throw ReconcileTestError() }
                return .done
            }
            try await whileRunning({
                await withTaskGroup(of: Void.self) { g in
                    g.addTask { await informer.run() }
                    g.addTask { await controller.run() }
                }
            }) {
                try await poll { log.seen.count == 40 }
                server.faults.set(FaultPlan(errorRate: 0.2, throttleRate: 0.1, retryAfterSeconds: 0, forcedWatchExpirations: 1, seed: 3))
                server.faults.dropWatches()
                for round in 0..<3 {
                    for i in 0..<40 where i % 3 == round {
                        do {
                            var cm = try await client.get(.configMap, name: "cm-\(i)", namespace: "default")
                            cm["data"]["value"] = .string(round == 2 ? "fail-once" : "r\(round)")
                            _ = try await client.update(cm, .configMap)
                        } catch {}
                    }
                    server.faults.dropWatches()
                }
                server.faults.clear()
                // Every object's latest version must have been reconciled.
                try await poll(timeout: .seconds(15)) {
                    let items = try await client.listAll(.configMap, namespace: "default").items
                    let want = Dictionary(uniqueKeysWithValues: items.compactMap { o in ObjectKey(o).map { ($0, o.resourceVersion ?? "") } })
                    let seen = log.seen
                    return want.allSatisfy { seen[$0.key] == $0.value } && controller.queue.depth == 0 && controller.queue.processingCount == 0
                }
            }
            #expect(log.violations.isEmpty, "keys reconciled concurrently: \(log.violations)")
            #expect(log.maxParallel > 1, "the test must actually run reconciles in parallel")
            let total = ["success", "error", "requeue", "requeue_after"].compactMap { metrics.value("controller_runtime_reconcile_total", ["controller": "configmaps", "result": $0]) }.reduce(0, +)
            #expect(Int(total) == log.count)
            #expect(metrics.value("controller_runtime_max_concurrent_reconciles", ["controller": "configmaps"]) == 8)
        }
    }

    @Test func ownedChildrenTriggerTheirOwnerAndConflictsRequeueQuietly() async throws {
        try await withClient(runtimeServer) { server, client in
            let owner = try await client.create(configMap("owner"), .configMap)
            let metrics = MetricsRegistry()
            let log = ReconcileLog()
            let primary = Informer(client: client, resource: .configMap, namespace: "default", configuration: .init(labelSelector: "!child"))
            let children = Informer(client: client, resource: .secret, namespace: "default")
            let conflicts = ConflictBudget(1)
            let controller = Controller(name: "owners", for: primary, metrics: metrics) { key, object in
                log.begin(key, object)
                defer { log.end(key) }
                if key.name == "owner", conflicts.take() {
                    // A stale update: the server answers 409.
                    var stale = owner
                    stale["data"]["value"] = "stale"
                    _ = try await client.update(stale, .configMap)
                }
                return .done
            }
            controller.owns(children)
            // Make `owner` stale before the controller starts, so the reconciler's write conflicts.
            var bumped = try await client.get(.configMap, name: "owner", namespace: "default")
            bumped["data"]["value"] = "bumped"
            _ = try await client.update(bumped, .configMap)
            try await whileRunning({
                await withTaskGroup(of: Void.self) { g in
                    g.addTask { await primary.run() }
                    g.addTask { await children.run() }
                    g.addTask { await controller.run() }
                }
            }) {
                try await poll { metrics.value("controller_runtime_reconcile_total", ["controller": "owners", "result": "requeue"]) == 1 }
                try await poll { metrics.value("controller_runtime_reconcile_total", ["controller": "owners", "result": "success"]) ?? 0 >= 1 }
                #expect(metrics.value("controller_runtime_reconcile_errors_total", ["controller": "owners"]) == 0, "a conflict is not an error")
                let before = log.count
                let secret: JSONValue = [
                    "apiVersion": "v1", "kind": "Secret",
                    "metadata": [
                        "name": "child", "namespace": "default",
                        "ownerReferences": [["apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": .string(owner.uid ?? ""), "controller": true]],
                    ],
                ]
                _ = try await client.create(secret, .secret)
                try await poll { log.count > before }
                #expect(log.seen.keys.map(\.name).sorted() == ["owner"], "the child maps to its owner's key only")
            }
        }
    }
}

struct ReconcileTestError: Error {}

/// Lets a reconciler fail a fixed number of times.
final class ConflictBudget: Sendable {
    private let left: Mutex<Int>
    init(_ n: Int) { left = Mutex(n) }
    func take() -> Bool { left.withLock { if $0 > 0 { $0 -= 1; return true } else { return false } } }
}
