/// What the autoscaler observes of a pool: its queue from the Sync counts, and — only when a
/// Resource metric is configured — its worker pods from the pod cache joined with their
/// metrics.k8s.io samples, as the HPA joins the scale target's pods with PodMetrics.
import FerryAPI
import FerryAutoscaling
import Foundation
import KubeClient
import KubeCore
import KubeRuntime

struct PoolObservationReader: Sendable {
    let client: KubernetesClient
    let pods: Informer?

    func observe(pool: WorkerPool, namespace: String, autoscaling: PoolAutoscaling, occupancy: PoolOccupancy) async -> PoolObservation {
        var observation = PoolObservation(queuedSyncs: occupancy.queued, runningSyncs: occupancy.running)
        guard autoscaling.effectiveMetrics.contains(where: { $0.type == .resource }) else { return observation }
        observation.pods = await workerPods(pool: pool.metadata.name ?? "", namespace: namespace)
        return observation
    }

    /// The pool's worker pods with their samples, or why the samples could not be read.
    func workerPods(pool: String, namespace: String) async -> Result<[WorkerPodSample], MetricsUnavailable> {
        let selector = PoolStatusFields.selector(pool: pool)
        let samples: [PodMetrics]
        do {
            samples = try await client.listPodMetrics(namespace: namespace, labelSelector: selector)
        } catch where error.isNotFound {
            return .failure(MetricsUnavailable(
                "unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)"))
        } catch {
            return .failure(MetricsUnavailable("unable to fetch metrics from resource metrics API: \(error)"))
        }
        let byName = Dictionary(samples.map { ($0.metadata.name ?? "", $0) }, uniquingKeysWith: { first, _ in first })
        let label = WorkerPodNaming.labelValue(pool)
        let pods = (self.pods?.store.list() ?? []).filter {
            ($0.namespace ?? "") == namespace && $0.labels[FerryLabels.pool] == label && $0.labels[FerryLabels.managedBy] == FerryLabels.managedByValue
        }
        return .success(pods.map { Self.sample(pod: $0, metrics: $0.name.flatMap { byName[$0] }) })
    }

    /// One pod as the HPA's `groupPods` and `calculateRequests` see it.
    static func sample(pod: JSONValue, metrics: PodMetrics?) -> WorkerPodSample {
        let status = pod["status"]
        let ready = (status["conditions"].arrayValue ?? []).first { $0["type"].stringValue == "Ready" }
        var sample = WorkerPodSample(
            name: pod.name ?? "", phase: WorkerPodSample.Phase(rawValue: status["phase"].stringValue ?? "") ?? .pending,
            deleting: pod.deletionTimestamp != nil,
            ready: ready.flatMap { $0["status"].stringValue }.map { $0 == "True" },
            readyTransitionTime: ready.flatMap { $0["lastTransitionTime"].stringValue }.flatMap(KubeTime.parse),
            startTime: status["startTime"].stringValue.flatMap(KubeTime.parse))
        let containers = pod["spec"]["containers"].arrayValue ?? []
        sample.cpuRequestMillis = requestSum(containers, "cpu") { $0.milliValue }
        sample.memoryRequestBytes = requestSum(containers, "memory") { $0.value }
        if let metrics {
            sample.cpuUsageMillis = usageSum(metrics, "cpu") { $0.milliValue }
            sample.memoryUsageBytes = usageSum(metrics, "memory") { $0.value }
            sample.metricTimestamp = KubeTime.parse(metrics.timestamp)
            sample.metricWindow = DurationSyntax.seconds(metrics.window)
        }
        return sample
    }

    /// The sum of every container's request, nil when one has none (the HPA's error case).
    private static func requestSum(_ containers: [JSONValue], _ resource: String, _ amount: (ResourceQuantity) -> Int64?) -> Int64? {
        var total: Int64 = 0
        for container in containers {
            guard let text = container["resources"]["requests"][resource].quantityText, let quantity = ResourceQuantity(text) else { return nil }
            guard let part = amount(quantity) else { return nil }
            total += part
        }
        return total
    }

    private static func usageSum(_ metrics: PodMetrics, _ resource: String, _ amount: (ResourceQuantity) -> Int64?) -> Int64? {
        var total: Int64 = 0
        for container in metrics.containers {
            guard let text = container.usage[resource], let quantity = ResourceQuantity(text) else { return nil }
            guard let part = amount(quantity) else { return nil }
            total += part
        }
        return total
    }
}

private extension JSONValue {
    /// A quantity as JSON carries it: a string, or a bare number.
    var quantityText: String? {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        default: return nil
        }
    }
}
