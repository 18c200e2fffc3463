/// WorkerPool: how many sync workers may run at once, scaled the way an HPA scales
/// replicas. Data only; schema in WorkerPool+Schema.swift, defaults in WorkerPool+Defaults.swift.
import KubeCore

public enum PoolMetricType: String, Codable, Sendable, CaseIterable {
    /// (queued + running syncs) per worker.
    case queue = "Queue"
    /// CPU or memory utilization of running workers (metrics.k8s.io).
    case resource = "Resource"
}

public enum ResourceMetricName: String, Codable, Sendable, CaseIterable { case cpu, memory }

/// Target value of a metric, as in autoscaling/v2 (one of the two is set).
public struct MetricTarget: Codable, Sendable, Hashable {
    public var averageValue: Quantity?
    public var averageUtilization: Int32?
    public init(averageValue: Quantity? = nil, averageUtilization: Int32? = nil) {
        self.averageValue = averageValue
        self.averageUtilization = averageUtilization
    }
}

public struct ResourceMetricSource: Codable, Sendable, Hashable {
    public var name: ResourceMetricName
    public var target: MetricTarget
    public init(name: ResourceMetricName, target: MetricTarget) {
        self.name = name
        self.target = target
    }
}

public struct PoolMetric: Codable, Sendable, Hashable {
    public var type: PoolMetricType
    /// For `Queue`.
    public var target: MetricTarget?
    /// For `Resource`.
    public var resource: ResourceMetricSource?
    public init(type: PoolMetricType, target: MetricTarget? = nil, resource: ResourceMetricSource? = nil) {
        self.type = type
        self.target = target
        self.resource = resource
    }
}

/// autoscaling/v2 HPAScalingPolicy.
public struct ScalingPolicy: Codable, Sendable, Hashable {
    public enum PolicyType: String, Codable, Sendable, CaseIterable { case pods = "Pods", percent = "Percent" }
    public var type: PolicyType
    public var value: Int32
    public var periodSeconds: Int32
    public init(type: PolicyType, value: Int32, periodSeconds: Int32) {
        self.type = type
        self.value = value
        self.periodSeconds = periodSeconds
    }
}

public enum SelectPolicy: String, Codable, Sendable, CaseIterable { case max = "Max", min = "Min", disabled = "Disabled" }

/// autoscaling/v2 HPAScalingRules.
public struct ScalingRules: Codable, Sendable, Hashable {
    public var stabilizationWindowSeconds: Int32?
    public var selectPolicy: SelectPolicy?
    public var policies: [ScalingPolicy]?
    public init(stabilizationWindowSeconds: Int32? = nil, selectPolicy: SelectPolicy? = nil, policies: [ScalingPolicy]? = nil) {
        self.stabilizationWindowSeconds = stabilizationWindowSeconds
        self.selectPolicy = selectPolicy
        self.policies = policies
    }
}

public struct ScalingBehavior: Codable, Sendable, Hashable {
    public var scaleUp: ScalingRules?
    public var scaleDown: ScalingRules?
    public init(scaleUp: ScalingRules? = nil, scaleDown: ScalingRules? = nil) {
        self.scaleUp = scaleUp
        self.scaleDown = scaleDown
    }
}

public struct PoolAutoscaling: Codable, Sendable, Hashable {
    public var minWorkers: Int32?
    public var maxWorkers: Int32
    public var metrics: [PoolMetric]?
    public var behavior: ScalingBehavior?
    public init(minWorkers: Int32? = nil, maxWorkers: Int32, metrics: [PoolMetric]? = nil, behavior: ScalingBehavior? = nil) {
        self.minWorkers = minWorkers
        self.maxWorkers = maxWorkers
        self.metrics = metrics
        self.behavior = behavior
    }
}

/// Defaults for every worker pod of the pool.
public struct WorkerTemplate: Codable, Sendable, Hashable {
    public var resources: WorkerResources?
    public var nodeSelector: [String: String]?
    public var tolerations: [Toleration]?
    public var affinity: JSONValue?
    public var priorityClassName: String?
    public var serviceAccountName: String?
    public init(resources: WorkerResources? = nil, nodeSelector: [String: String]? = nil, tolerations: [Toleration]? = nil, affinity: JSONValue? = nil, priorityClassName: String? = nil, serviceAccountName: String? = nil) {
        self.resources = resources
        self.nodeSelector = nodeSelector
        self.tolerations = tolerations
        self.affinity = affinity
        self.priorityClassName = priorityClassName
        self.serviceAccountName = serviceAccountName
    }
}

public struct WorkerPoolSpec: Codable, Sendable, Hashable {
    public var workers: Int32?
    public var autoscaling: PoolAutoscaling?
    public var warmWorkers: Int32?
    public var template: WorkerTemplate?
    public init(workers: Int32? = nil, autoscaling: PoolAutoscaling? = nil, warmWorkers: Int32? = nil, template: WorkerTemplate? = nil) {
        self.workers = workers
        self.autoscaling = autoscaling
        self.warmWorkers = warmWorkers
        self.template = template
    }
}

public struct WorkerPoolStatus: Codable, Sendable, Hashable {
    public var observedGeneration: Int64?
    public var workers: Int32?
    public var desiredWorkers: Int32?
    public var queuedSyncs: Int32?
    public var runningSyncs: Int32?
    public var lastScaleTime: String?
    /// Label selector of the pool's worker pods, as a string (for the scale subresource).
    public var selector: String?
    public var conditions: [Condition]?
    public init(observedGeneration: Int64? = nil, workers: Int32? = nil, desiredWorkers: Int32? = nil, queuedSyncs: Int32? = nil, runningSyncs: Int32? = nil, lastScaleTime: String? = nil, selector: String? = nil, conditions: [Condition]? = nil) {
        self.observedGeneration = observedGeneration
        self.workers = workers
        self.desiredWorkers = desiredWorkers
        self.queuedSyncs = queuedSyncs
        self.runningSyncs = runningSyncs
        self.lastScaleTime = lastScaleTime
        self.selector = selector
        self.conditions = conditions
    }
}

/// Sync worker capacity (short name `fpool`).
public struct WorkerPool: FerryResource, Hashable {
    public static let resourceType = ResourceType.ferry(kind: "WorkerPool", plural: "workerpools")
    public var apiVersion: String = FerryAPI.apiVersion
    public var kind: String = "WorkerPool"
    public var metadata: ObjectMeta
    public var spec: WorkerPoolSpec
    public var status: WorkerPoolStatus?
    public init(metadata: ObjectMeta, spec: WorkerPoolSpec, status: WorkerPoolStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}
