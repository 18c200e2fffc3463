/// One pod's resource usage over a window, as the kubelet's resource metrics report it.
/// The local runtime produces it and the embedded server serves it as metrics.k8s.io
/// PodMetrics; it lives here because neither of those modules depends on the other.
import Foundation

public struct PodUsageSample: Sendable, Hashable {
    /// One container's usage: CPU as an average over the window, memory at its end.
    public struct Container: Sendable, Hashable {
        public var name: String
        /// Average CPU over the window in billionths of a core (cAdvisor's unit).
        public var cpuNanocores: Int64
        public var memoryBytes: Int64

        public init(name: String, cpuNanocores: Int64, memoryBytes: Int64) {
            self.name = name
            self.cpuNanocores = cpuNanocores
            self.memoryBytes = memoryBytes
        }
    }

    public var containers: [Container]
    /// The end of the window (metrics-server's `timestamp`).
    public var timestamp: Date
    /// The length of the window the CPU average covers.
    public var window: Duration

    public init(containers: [Container], timestamp: Date, window: Duration) {
        self.containers = containers
        self.timestamp = timestamp
        self.window = window
    }
}
