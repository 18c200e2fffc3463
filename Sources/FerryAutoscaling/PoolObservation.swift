/// What the autoscaler reads about a pool in one evaluation: its Syncs and its worker pods
/// with their metrics.k8s.io samples, plus the kube-controller-manager flags it runs with.
import Foundation

/// One worker pod as the Resource metric sees it.
public struct WorkerPodSample: Sendable, Hashable {
    public enum Phase: String, Sendable, Hashable { case pending = "Pending", running = "Running", succeeded = "Succeeded", failed = "Failed", unknown = "Unknown" }
    public var name: String
    public var phase: Phase
    public var deleting: Bool
    /// The Ready condition's status; nil when the pod has none.
    public var ready: Bool?
    public var readyTransitionTime: Date?
    public var startTime: Date?
    /// Sum of container requests; nil when some container has none.
    public var cpuRequestMillis: Int64?
    public var memoryRequestBytes: Int64?
    /// metrics.k8s.io sample; nil when the pod has no sample.
    public var cpuUsageMillis: Int64?
    public var memoryUsageBytes: Int64?
    /// When the sample was taken; nil is read as "now".
    public var metricTimestamp: Date?
    /// The sample's averaging window; nil is read as 0.
    public var metricWindow: TimeInterval?

    public init(name: String, phase: Phase, deleting: Bool = false, ready: Bool? = nil, readyTransitionTime: Date? = nil, startTime: Date? = nil,
                cpuRequestMillis: Int64? = nil, memoryRequestBytes: Int64? = nil, cpuUsageMillis: Int64? = nil, memoryUsageBytes: Int64? = nil,
                metricTimestamp: Date? = nil, metricWindow: TimeInterval? = nil) {
        self.name = name
        self.phase = phase
        self.deleting = deleting
        self.ready = ready
        self.readyTransitionTime = readyTransitionTime
        self.startTime = startTime
        self.cpuRequestMillis = cpuRequestMillis
        self.memoryRequestBytes = memoryRequestBytes
        self.cpuUsageMillis = cpuUsageMillis
        self.memoryUsageBytes = memoryUsageBytes
        self.metricTimestamp = metricTimestamp
        self.metricWindow = metricWindow
    }
}

/// Why the resource metrics could not be read (the message is shown in conditions/events).
public struct MetricsUnavailable: Error, Sendable, Hashable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

public struct PoolObservation: Sendable, Hashable {
    public var queuedSyncs: Int
    public var runningSyncs: Int
    /// Worker pods with their samples; only read when a Resource metric is configured.
    public var pods: Result<[WorkerPodSample], MetricsUnavailable>
    public init(queuedSyncs: Int, runningSyncs: Int, pods: Result<[WorkerPodSample], MetricsUnavailable> = .success([])) {
        self.queuedSyncs = queuedSyncs
        self.runningSyncs = runningSyncs
        self.pods = pods
    }
}

/// The kube-controller-manager flags the HPA runs with, at their defaults.
public struct AutoscalerSettings: Sendable, Hashable {
    /// `--horizontal-pod-autoscaler-tolerance`.
    public var tolerance: Double
    /// `--horizontal-pod-autoscaler-downscale-stabilization`: used when there is no behavior,
    /// and for behavior.scaleDown without a window.
    public var downscaleStabilization: TimeInterval
    /// `--horizontal-pod-autoscaler-cpu-initialization-period`.
    public var cpuInitializationPeriod: TimeInterval
    /// `--horizontal-pod-autoscaler-initial-readiness-delay`.
    public var initialReadinessDelay: TimeInterval
    public init(tolerance: Double = 0.1, downscaleStabilization: TimeInterval = 300, cpuInitializationPeriod: TimeInterval = 300, initialReadinessDelay: TimeInterval = 30) {
        self.tolerance = tolerance
        self.downscaleStabilization = downscaleStabilization
        self.cpuInitializationPeriod = cpuInitializationPeriod
        self.initialReadinessDelay = initialReadinessDelay
    }

    /// `Tolerances.isWithin`: both bounds inclusive. NaN (0/0) is never within.
    func isWithinTolerance(_ ratio: Double) -> Bool {
        (1 - tolerance) <= ratio && ratio <= (1 + tolerance)
    }
}
