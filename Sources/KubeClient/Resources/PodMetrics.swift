/// metrics.k8s.io/v1beta1 PodMetrics, as metrics-server (or `ferry dev`) serves them: the
/// usage the HPA's Resource metrics and `kubectl top pod` read. Usage values stay
/// quantity strings (`"250m"`, `"1264Ki"`); callers parse what they compare.
import KubeCore

public struct PodMetrics: Codable, Sendable, Hashable {
    public var apiVersion: String?
    public var kind: String?
    public var metadata: ObjectMeta
    /// The end of the window, RFC 3339.
    public var timestamp: String
    /// The window's length as a Go duration (`"10s"`, `"15.003s"`).
    public var window: String
    public var containers: [ContainerMetrics]

    public struct ContainerMetrics: Codable, Sendable, Hashable {
        public var name: String
        /// `cpu` and `memory` quantities.
        public var usage: [String: String]

        public init(name: String, usage: [String: String]) {
            self.name = name
            self.usage = usage
        }
    }

    public init(metadata: ObjectMeta, timestamp: String, window: String, containers: [ContainerMetrics]) {
        self.apiVersion = "metrics.k8s.io/v1beta1"
        self.kind = "PodMetrics"
        self.metadata = metadata
        self.timestamp = timestamp
        self.window = window
        self.containers = containers
    }
}

extension ResourceType {
    public static let podMetrics = ResourceType(group: "metrics.k8s.io", version: "v1beta1", kind: "PodMetrics", plural: "pods", namespaced: true)
}

extension KubernetesClient {
    /// PodMetrics in `namespace` (all namespaces when nil) whose pods match `labelSelector`.
    /// Where the metrics API is not served the error is the server's 404, so
    /// `error.isNotFound` tells the caller "metrics API not available".
    public func listPodMetrics(namespace: String?, labelSelector: String?) async throws(KubeClientError) -> [PodMetrics] {
        let list = try await self.list(.podMetrics, namespace: namespace, options: ListOptions(labelSelector: labelSelector))
        do {
            return try list.items.map { try $0.decode(PodMetrics.self) }
        } catch {
            throw .decoding(DecodingFailure(operation: "decoding PodMetrics", message: "\(error)"))
        }
    }
}
