/// metrics.k8s.io/v1beta1 PodMetrics, served like metrics-server does for `kubectl top pod`
/// and the HPA's Resource metrics, from whatever `PodMetricsProvider` is installed (the
/// local runtime in `ferry dev`). Without a provider the group does not exist: 404s and no
/// discovery entry, as on a cluster without metrics-server.
import Foundation
import KubeCore
import KubeMachinery

/// Supplies the current usage of pods; the local runtime implements it. Pod identity and
/// labels come from the stored Pod, so the provider answers only for usage.
public protocol PodMetricsProvider: Sendable {
    /// The latest completed usage window of the pod, nil when there is none yet (not
    /// running here, or not yet sampled twice).
    func podUsage(namespace: String, name: String) async -> PodUsageSample?
}

enum ResourceMetrics {
    static let group = "metrics.k8s.io"
    static let version = "v1beta1"
    static let apiVersion = "\(group)/\(version)"
    /// The resource metrics-server names in its errors (`podmetrics.metrics.k8s.io "ns/name" not found`).
    static let podMetrics = GroupResourceName(group: group, resource: "podmetrics")
    static let discoveryGroup: (name: String, versions: [String]) = (group, [version])

    /// Requests under `/apis/metrics.k8s.io`; only called while a provider is installed.
    static func handle(_ request: ServerRequest, provider: any PodMetricsProvider, store: ClusterStore) async throws(APIError) -> ServerResponse {
        let s = request.segments
        if s.count <= 3 {
            guard request.method == "GET" else { throw .methodNotAllowed(request.method) }
            if s.count == 2 { return .json(groupDocument.serializedBytes()) }
            guard s[2] == version else { throw .notServed }
            return .json(resourceList.serializedBytes())
        }
        guard let path = ResourcePath(segments: s), path.groupVersion.version == version, path.plural == "pods",
              path.subresource == nil else { throw .notServed }
        guard request.method == "GET", !path.legacyWatch, !request.queryBool("watch") else { throw .methodNotAllowed(request.method) }
        if let name = path.name {
            let namespace = path.namespace ?? ""
            guard let pod = store.withState({ $0.get("/pods", ObjectKey(namespace: namespace, name: name)) }) else {
                throw .notFound(GroupResourceName(group: "", resource: "pods"), name)
            }
            guard let item = await item(pod, provider: provider) else { throw .notFound(podMetrics, "\(namespace)/\(name)") }
            return .json(item.serializedBytes())
        }
        let pods = try selectedPods(request, namespace: path.namespace, store: store)
        var items: [JSONValue] = []
        for pod in pods {
            if let item = await item(pod, provider: provider) { items.append(item) }
        }
        let list: JSONValue = ["kind": "PodMetricsList", "apiVersion": .string(apiVersion), "metadata": .emptyObject, "items": .array(items)]
        return .json(list.serializedBytes())
    }

    /// Stored pods in `namespace` (all when nil) matching `labelSelector`, and `fieldSelector`
    /// on the two fields metrics-server filters on.
    private static func selectedPods(_ request: ServerRequest, namespace: String?, store: ClusterStore) throws(APIError) -> [JSONValue] {
        let (labels, fields) = try ObjectFilter.selectors(request)
        for f in fields.fields where f != "metadata.name" && f != "metadata.namespace" {
            throw .badRequest("field label not supported: \(f)")
        }
        return store.withState { $0.list("/pods", namespace: namespace) }.map(\.1).filter { pod in
            labels.matches(pod.labels)
                && fields.matches(["metadata.name": pod.name ?? "", "metadata.namespace": pod.namespace ?? ""])
        }
    }

    /// The PodMetrics of a stored pod, nil when the provider has no sample for it.
    private static func item(_ pod: JSONValue, provider: any PodMetricsProvider) async -> JSONValue? {
        guard let name = pod.name, let namespace = pod.namespace,
              let sample = await provider.podUsage(namespace: namespace, name: name) else { return nil }
        return podMetrics(name: name, namespace: namespace, labels: pod.labels, sample: sample, now: Date())
    }

    /// The object exactly as metrics-server renders it; `creationTimestamp` is the time of
    /// the response there too, since PodMetrics are computed, not stored.
    static func podMetrics(name: String, namespace: String, labels: [String: String], sample: PodUsageSample, now: Date) -> JSONValue {
        var metadata: JSONValue = ["name": .string(name), "namespace": .string(namespace), "creationTimestamp": .string(KubeTime.format(now))]
        if !labels.isEmpty { metadata["labels"] = .object(labels.mapValues { .string($0) }) }
        let containers: [JSONValue] = sample.containers.map {
            ["name": .string($0.name), "usage": [
                "cpu": .string(MetricsFormatting.cpu(nanocores: $0.cpuNanocores)),
                "memory": .string(MetricsFormatting.memory(bytes: $0.memoryBytes)),
            ]]
        }
        return [
            "kind": "PodMetrics", "apiVersion": .string(apiVersion), "metadata": metadata,
            "timestamp": .string(KubeTime.format(sample.timestamp)), "window": .string(MetricsFormatting.goDuration(sample.window)),
            "containers": .array(containers),
        ]
    }

    static let groupDocument: JSONValue = [
        "kind": "APIGroup", "apiVersion": "v1", "name": .string(group),
        "versions": [["groupVersion": .string(apiVersion), "version": .string(version)]],
        "preferredVersion": ["groupVersion": .string(apiVersion), "version": .string(version)],
    ]

    /// Only pods: NodeMetrics would need the whole machine's usage, which the local
    /// runtime does not own, so `kubectl top node` stays unavailable.
    static let resourceList: JSONValue = [
        "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(apiVersion),
        "resources": [["name": "pods", "singularName": "", "namespaced": true, "kind": "PodMetrics", "verbs": ["get", "list"]]],
    ]
}
