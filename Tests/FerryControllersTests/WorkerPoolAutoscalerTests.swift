/// The WorkerPool controller's autoscaler and warm workers against the embedded API server,
/// with the Sync controller on one manager and a manual clock: the capacity follows the
/// queue through the scale-up policy and the scale-down stabilization window, with the HPA's
/// conditions and Events; a Resource metric without a metrics API is reported, not fatal;
/// placeholder pods hold the room of one worker each and are kept at `warmWorkers`.
import FerryAPI
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeRuntime
import KubeTestSupport
import Testing
@testable import FerryControllers

@Suite(.timeLimit(.minutes(2))) struct WorkerPoolAutoscalerTests {
    static let summary = #"{"succeeded":true,"recordsCommitted":1}"#

    func createAutoscaledPool(_ rig: SyncRig, _ autoscaling: JSONValue, warmWorkers: Int? = nil, template: JSONValue? = nil) async throws {
        var spec: JSONValue = ["autoscaling": autoscaling]
        if let warmWorkers { spec["warmWorkers"] = .int(Int64(warmWorkers)) }
        if let template { spec["template"] = template }
        _ = try await rig.client.create([
            "apiVersion": .string(FerryAPI.apiVersion), "kind": "WorkerPool",
            "metadata": ["name": "default", "namespace": .string(rig.namespace)], "spec": spec,
        ], WorkerPool.resourceType)
    }

    func condition(_ pool: JSONValue, _ type: String) -> (status: String, reason: String)? {
        guard let c = (pool["status"]["conditions"].arrayValue ?? []).first(where: { $0["type"].stringValue == type }) else { return nil }
        return (c["status"].stringValue ?? "", c["reason"].stringValue ?? "")
    }

    @Test func capacityFollowsTheQueueByThePoliciesAndScalesDownAfterTheWindow() async throws {
        let clock = ManualClock(wallOrigin: Date())
        try await withPoolOperator(clock: clock, before: { rig in
            try await createAutoscaledPool(rig, [
                "minWorkers": 1, "maxWorkers": 6, "metrics": [["type": "Queue", "target": ["averageValue": 1]]],
                "behavior": ["scaleUp": ["policies": [["type": "Pods", "value": 2, "periodSeconds": 15]]]],
            ])
            try await rig.createConnectors()
            try await rig.createConnection()
            for i in 0..<5 { try await rig.createSync("sync-\(i)") }
        }) { pools in
            let rig = pools.rig
            // First evaluation: 5 Syncs on 1 worker want 5; the policy allows +2.
            var pool = try await waitForWorkers(pools, 3)
            #expect(pool["status"]["desiredWorkers"] == 3)
            #expect(condition(pool, "ScalingLimited")?.reason == "ScaleUpLimit")
            #expect(condition(pool, "ScalingActive").map { $0.status == "True" && $0.reason == "ValidMetricFound" } == true)
            #expect(condition(pool, "AbleToScale")?.status == "True")
            #expect(pool["status"]["lastScaleTime"].stringValue != nil)
            try await waitUntil(timeout: .seconds(20)) { rig.activePods().count == 3 }

            // One sync period later: +2 more, and the desired count is within range.
            clock.advance(by: .seconds(15))
            pool = try await waitForWorkers(pools, 5)
            #expect(condition(pool, "ScalingLimited").map { $0.status == "False" && $0.reason == "DesiredWithinRange" } == true)
            try await waitUntil(timeout: .seconds(20)) { rig.activePods().count == 5 }
            #expect(pools.manager.metrics.value("ferry_workerpool_workers", ["namespace": rig.namespace, "pool": "default"]) == 5)

            // Every Sync finishes: the queue is empty, but the 300 s window holds the capacity.
            for pod in rig.activePods() {
                try await rig.runPod(pod)
                try await rig.finishPod(pod, exitCode: 0, message: Self.summary)
            }
            try await pools.waitForCounts(queued: 0, running: 0)
            clock.advance(by: .seconds(15))
            try await waitUntil(timeout: .seconds(20)) { condition(try await pools.pool(), "AbleToScale")?.reason == "ScaleDownStabilized" }
            #expect(try await pools.pool()["status"]["workers"] == 5)

            // After the window: down to minWorkers in one step (100% per 15 s).
            clock.advance(by: .seconds(300))
            pool = try await waitForWorkers(pools, 1)
            #expect(condition(pool, "ScalingLimited").map { $0.status == "True" && $0.reason == "TooFewReplicas" } == true)
            var rescales: [String] = []
            try await waitUntil(timeout: .seconds(20)) {
                rescales = try await rig.client.listAll(.event, namespace: rig.namespace).items
                    .filter { $0["reason"] == "SuccessfulRescale" }.compactMap { $0["message"].stringValue }
                return rescales.contains { $0.hasPrefix("New size: 1; reason: ") }
            }
            #expect(rescales.contains("New size: 3; reason: Queue above target"), "\(rescales)")
            #expect(rescales.contains("New size: 5; reason: Queue above target"), "\(rescales)")
            #expect(rescales.contains { $0.hasPrefix("New size: 1; reason: ") }, "\(rescales)")
        }
    }

    @Test func aResourceMetricWithoutAMetricsAPIIsReportedOnThePool() async throws {
        try await withPoolOperator(before: { rig in
            try await createAutoscaledPool(rig, [
                "minWorkers": 2, "maxWorkers": 6,
                "metrics": [["type": "Resource", "resource": ["name": "cpu", "target": ["averageUtilization": 80]]]],
            ])
        }) { pools in
            let rig = pools.rig
            try await waitUntil(timeout: .seconds(20)) { condition(try await pools.pool(), "ScalingActive")?.reason == "FailedGetResourceMetric" }
            let pool = try await pools.pool()
            #expect(condition(pool, "ScalingActive")?.status == "False")
            #expect(pool["status"]["workers"] == 2, "the capacity stays at minWorkers")
            let message = (pool["status"]["conditions"].arrayValue ?? []).first { $0["type"] == "ScalingActive" }?["message"].stringValue ?? ""
            #expect(message.contains("metrics.k8s.io"), "\(message)")
            try await waitUntil(timeout: .seconds(20)) {
                try await rig.client.listAll(.event, namespace: rig.namespace).items.contains {
                    $0["type"] == "Warning" && $0["reason"] == "FailedGetResourceMetric"
                }
            }
        }
    }

    /// Every pod uses exactly its memory requests (the operator's defaults: orchestrator
    /// 128Mi, source and destination 1Gi each), as metrics.k8s.io would report it.
    struct PodsAtTheirMemoryRequests: PodMetricsProvider {
        func podUsage(namespace: String, name: String) async -> PodUsageSample? {
            PodUsageSample(containers: [
                .init(name: "orchestrator", cpuNanocores: 1_000_000, memoryBytes: 128 << 20),
                .init(name: "source", cpuNanocores: 1_000_000, memoryBytes: 1 << 30),
                .init(name: "destination", cpuNanocores: 1_000_000, memoryBytes: 1 << 30),
            ], timestamp: Date(), window: .seconds(10))
        }
    }

    @Test func aResourceMetricReadsTheWorkerPodsFromMetricsAPI() async throws {
        try await withPoolOperator(autoscaler: PoolAutoscalerOptions(syncPeriod: 0.5), podMetrics: PodsAtTheirMemoryRequests(), before: { rig in
            // 100% of the requests against a 50% target: twice the running workers.
            try await createAutoscaledPool(rig, [
                "minWorkers": 1, "maxWorkers": 4,
                "metrics": [["type": "Resource", "resource": ["name": "memory", "target": ["averageUtilization": 50]]]],
            ])
            try await rig.createConnectors()
            try await rig.createConnection()
            try await rig.createSync("first")
        }) { pools in
            let rig = pools.rig
            try await waitUntil(timeout: .seconds(20)) { try await rig.exists(.pod, "first-1") }
            try await rig.runPod("first-1")
            let pool = try await waitForWorkers(pools, 2)
            #expect(condition(pool, "ScalingActive").map { $0.status == "True" && $0.reason == "ValidMetricFound" } == true)
            // Events are written after the status: wait for this one.
            try await waitUntil(timeout: .seconds(20)) {
                try await rig.client.listAll(.event, namespace: rig.namespace).items.contains {
                    $0["message"] == "New size: 2; reason: memory resource utilization (percentage of request) above target"
                }
            }
        }
    }

    @Test func warmWorkersArePlaceholderPodsKeptAtTheCountAndNeverCountedAsWorkers() async throws {
        try await withPoolOperator(before: { rig in
            try await rig.createPool(workers: 1)
            try await rig.createConnectors()
            try await rig.createConnection()
        }) { pools in
            let rig = pools.rig
            _ = try await rig.client.patch(WorkerPool.resourceType, name: "default", namespace: rig.namespace, patch: ["spec": [
                "warmWorkers": 2, "template": ["nodeSelector": ["pool": "sync"], "resources": ["source": ["requests": ["cpu": "2", "memory": "3Gi"]]]],
            ]], type: .merge)
            func placeholders() -> [JSONValue] { rig.pods.store.list().filter { $0.labels[WarmWorkerPods.poolLabel] == "default" } }
            try await waitUntil(timeout: .seconds(20)) { placeholders().count == 2 }
            // From the server: the controller's cache keeps only what its readers use.
            #expect(placeholders().contains { $0.name == "default-warm-0" })
            let pod = try await rig.client.get(.pod, name: "default-warm-0", namespace: rig.namespace)
            #expect(pod["spec"]["priorityClassName"] == "ferry-warm-worker")
            #expect(pod["spec"]["nodeSelector"]["pool"] == "sync")
            // One worker pod's room: orchestrator 100m/128Mi + source 2/3Gi + destination 500m/1Gi.
            let requests = pod["spec"]["containers"].arrayValue?.first?["resources"]["requests"]
            #expect(requests?["cpu"] == "2600m")
            #expect(requests?["memory"] == .string(String(128 * 1_048_576 + 4 * 1_073_741_824)))
            #expect(pod["metadata"]["ownerReferences"].arrayValue?.first?["kind"] == "WorkerPool")
            #expect(pod.labels[FerryLabels.pool] == nil && pod.labels[FerryLabels.sync] == nil)

            // Placeholders take no worker: the pool's one worker still runs a Sync.
            try await rig.createSync("first")
            try await waitUntil(timeout: .seconds(20)) { try await rig.exists(.pod, "first-1") }

            // A preempted (deleted) or failed placeholder is replaced.
            let uid = try #require(pod.uid)
            _ = try await rig.client.delete(.pod, name: "default-warm-0", namespace: rig.namespace)
            try await waitUntil(timeout: .seconds(20)) { placeholders().contains { $0.name == "default-warm-0" && $0.uid != uid } }
            let other = try #require(placeholders().first { $0.name == "default-warm-1" }?.uid)
            _ = try await rig.client.patchStatus(.pod, name: "default-warm-1", namespace: rig.namespace, patch: ["status": ["phase": "Failed", "reason": "Evicted"]])
            try await waitUntil(timeout: .seconds(20)) {
                placeholders().contains { $0.name == "default-warm-1" && $0.uid != other && $0["status"]["phase"].stringValue != "Failed" }
            }

            // warmWorkers 0 removes them.
            _ = try await rig.client.patch(WorkerPool.resourceType, name: "default", namespace: rig.namespace, patch: ["spec": ["warmWorkers": 0]], type: .merge)
            try await waitUntil(timeout: .seconds(20)) { placeholders().isEmpty }
        }
    }

    @discardableResult
    func waitForWorkers(_ pools: PoolRig, _ workers: Int64) async throws -> JSONValue {
        var last: JSONValue = .null
        do {
            try await waitUntil(timeout: .seconds(20)) {
                last = try await pools.pool()
                return last["status"]["workers"] == .int(workers)
            }
        } catch {
            Issue.record("pool never had \(workers) workers; status: \(last["status"].serialized())")
            throw error
        }
        return last
    }
}
