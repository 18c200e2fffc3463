/// Every configured metric's proposal and their combination (horizontal.go
/// `computeReplicasForMetric(s)`): the maximum over valid metrics; an invalid metric blocks
/// scale-down but never scale-up.
import FerryAPI
import Foundation
import KubeCore

/// One metric's failure: the ScalingActive reason and the error text.
struct InvalidMetric: Error, Hashable {
    var reason: String
    var message: String
}

enum MetricReplicas {
    /// The combined proposal, or nil when the metrics block scaling this time.
    struct Outcome {
        var workers: Int32?
        /// Name of the metric that gave the largest proposal ("Queue", "cpu resource utilization (percentage of request)").
        var metricName: String
        var scalingActive: Condition
        var warnings: [AutoscalerWarning]
    }

    static func combine(_ metrics: [PoolMetric], currentWorkers: Int32, observation: PoolObservation, now: Date, settings: AutoscalerSettings) -> Outcome {
        var best: (workers: Int32, name: String)?
        var invalid: [InvalidMetric] = []
        var warnings: [AutoscalerWarning] = []
        for metric in metrics {
            switch proposal(metric, currentWorkers: currentWorkers, observation: observation, now: now, settings: settings) {
            case .success(let p):
                if best.map({ p.workers > $0.workers }) ?? true { best = p }
            case .failure(let failure):
                // The HPA records each failure as a Warning event named like the reason.
                warnings.append(AutoscalerWarning(reason: failure.reason, message: failure.message))
                invalid.append(failure)
            }
        }
        guard let first = invalid.first else {
            return Outcome(workers: best?.workers ?? 0, metricName: best?.name ?? "", scalingActive: validMetricFound(best?.name ?? ""), warnings: warnings)
        }
        let summary = "invalid metrics (\(invalid.count) invalid out of \(metrics.count)), first error is: \(first.message)"
        if let best, best.workers >= currentWorkers {
            return Outcome(workers: best.workers, metricName: best.name, scalingActive: validMetricFound(best.name), warnings: warnings)
        }
        warnings.append(AutoscalerWarning(reason: "FailedComputeMetricsReplicas", message: summary))
        let condition = Condition(type: ConditionType.scalingActive, status: .false, reason: first.reason,
                                  message: "the autoscaler was unable to compute the worker count: \(first.message)")
        return Outcome(workers: nil, metricName: "", scalingActive: condition, warnings: warnings)
    }

    static func validMetricFound(_ name: String) -> Condition {
        Condition(type: ConditionType.scalingActive, status: .true, reason: "ValidMetricFound",
                  message: "the autoscaler was able to successfully calculate a worker count from \(name)")
    }

    static func proposal(_ metric: PoolMetric, currentWorkers: Int32, observation: PoolObservation, now: Date, settings: AutoscalerSettings) -> Result<(workers: Int32, name: String), InvalidMetric> {
        switch metric.type {
        case .queue:
            let fail = { (m: String) in InvalidMetric(reason: "FailedGetExternalMetric", message: "failed to get Queue metric: \(m)") }
            guard let target = metric.target?.averageValue else { return .failure(fail("target.averageValue is not set")) }
            guard let targetMillis = target.millis, targetMillis > 0 else { return .failure(fail("target.averageValue \"\(target.text)\" is not a positive quantity")) }
            let usage = Int64(max(0, observation.queuedSyncs)) + Int64(max(0, observation.runningSyncs))
            return .success((QueueReplicas.replicas(currentWorkers: currentWorkers, usageMillis: ResourceReplicas.milli(usage), targetMillis: targetMillis, settings: settings), "Queue"))
        case .resource:
            guard let source = metric.resource else {
                return .failure(InvalidMetric(reason: "InvalidMetricSourceType", message: "invalid resource metric source: resource is not set"))
            }
            return resourceProposal(source, currentWorkers: currentWorkers, pods: observation.pods, now: now, settings: settings)
        }
    }

    /// `computeStatusForResourceMetricGeneric`: averageValue first, then averageUtilization.
    static func resourceProposal(_ source: ResourceMetricSource, currentWorkers: Int32, pods: Result<[WorkerPodSample], MetricsUnavailable>,
                                 now: Date, settings: AutoscalerSettings) -> Result<(workers: Int32, name: String), InvalidMetric> {
        let resource = source.name.rawValue
        let fail = { (m: String) in InvalidMetric(reason: "FailedGetResourceMetric", message: m) }
        if let target = source.target.averageValue {
            guard let targetMillis = target.millis, targetMillis > 0 else {
                return .failure(fail("invalid resource metric source: target averageValue \"\(target.text)\" is not a positive quantity"))
            }
            let result = pods.mapError { ReplicaCalculationError("unable to get metrics for resource \(resource): \($0.message)") }
                .flatMap { ResourceReplicas.averageValueReplicas(currentWorkers: currentWorkers, targetMillis: targetMillis, resource: source.name, pods: $0, now: now, settings: settings) }
            switch result {
            case .success(let r): return .success((r.workers, "\(resource) resource"))
            case .failure(let e): return .failure(fail("failed to get \(resource) usage: \(e.message)"))
            }
        }
        guard let utilization = source.target.averageUtilization, utilization > 0 else {
            return .failure(fail("invalid resource metric source: neither a utilization target nor a value target was set"))
        }
        let result = pods.mapError { ReplicaCalculationError("unable to get metrics for resource \(resource): \($0.message)") }
            .flatMap { ResourceReplicas.utilizationReplicas(currentWorkers: currentWorkers, targetUtilization: utilization, resource: source.name, pods: $0, now: now, settings: settings) }
        switch result {
        case .success(let r): return .success((r.workers, "\(resource) resource utilization (percentage of request)"))
        case .failure(let e): return .failure(fail("failed to get \(resource) utilization: \(e.message)"))
        }
    }
}

extension Quantity {
    /// `MilliValue()`; nil when the text is not a quantity or does not fit.
    var millis: Int64? {
        switch self {
        case .int(let i): return ResourceReplicas.milli(i)
        case .string(let s): return ResourceQuantity(s)?.milliValue
        }
    }
}
