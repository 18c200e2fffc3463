/// The autoscaler's entry point: one HPA reconcile (`reconcileAutoscaler`, horizontal.go)
/// for a WorkerPool, as a pure function of the spec, the observation, the history and the
/// time. The caller writes `workers` to the pool and stamps the conditions.
import FerryAPI
import Foundation
import KubeCore

/// A Warning event the HPA would record.
public struct AutoscalerWarning: Sendable, Hashable {
    public var reason: String
    public var message: String
    public init(reason: String, message: String) {
        self.reason = reason
        self.message = message
    }
}

public struct AutoscalingDecision: Sendable, Hashable {
    /// The metrics' proposal before stabilization, policies and clamping; nil when metrics were not computed.
    public var recommendation: Int32?
    /// The worker capacity after stabilization, policies and clamping (== currentWorkers when nothing changes).
    public var workers: Int32
    /// AbleToScale, ScalingActive, ScalingLimited in the HPA's order, with the HPA's reasons and
    /// messages adapted to workers; lastTransitionTime left empty (the caller stamps it).
    /// Only the conditions the HPA sets in this reconcile: when it skips the metrics (workers
    /// outside min/max) or they block scaling, the others keep their previous value.
    public var conditions: [Condition]
    /// When workers != currentWorkers: the SuccessfulRescale reason ("Queue above target", "All metrics below target", ...).
    public var rescaleReason: String?
    /// Warning events the HPA would record (FailedGetResourceMetric, FailedComputeMetricsReplicas, ...).
    public var warnings: [AutoscalerWarning]

    public init(recommendation: Int32?, workers: Int32, conditions: [Condition], rescaleReason: String?, warnings: [AutoscalerWarning]) {
        self.recommendation = recommendation
        self.workers = workers
        self.conditions = conditions
        self.rescaleReason = rescaleReason
        self.warnings = warnings
    }
}

public enum PoolAutoscaler {
    /// One HPA reconcile (`reconcileAutoscaler`) for a pool whose capacity is `currentWorkers`.
    /// Records the recommendation and (when workers changes) the scale event in `history`.
    ///
    /// Differences from the HPA: at zero workers the metrics are computed when a Queue
    /// metric is configured (a Queue is External-like, so it can scale from zero; the HPA
    /// needs the HPAScaleToZero gate for that), and the result is then at least minWorkers.
    public static func evaluate(_ autoscaling: PoolAutoscaling, currentWorkers: Int32, observation: PoolObservation,
                                history: inout ScalingHistory, now: Date, settings: AutoscalerSettings = AutoscalerSettings()) -> AutoscalingDecision {
        var conditions = [AbleToScale.succeededGetScale]
        history.recordInitialRecommendation(currentWorkers, now: now)
        let minWorkers = autoscaling.effectiveMinWorkers, maxWorkers = autoscaling.maxWorkers
        let metrics = autoscaling.effectiveMetrics

        var desired: Int32
        var recommendation: Int32?
        var rescaleReason: String?
        var warnings: [AutoscalerWarning] = []
        if currentWorkers == 0 && !metrics.contains(where: { $0.type == .queue }) {
            conditions.set(Condition(type: ConditionType.scalingActive, status: .false, reason: "ScalingDisabled",
                                     message: "scaling is disabled since the worker count of the pool is zero"))
            return AutoscalingDecision(recommendation: nil, workers: 0, conditions: conditions, rescaleReason: nil, warnings: [])
        } else if currentWorkers > maxWorkers {
            desired = maxWorkers
            rescaleReason = "Current number of workers above maxWorkers"
        } else if currentWorkers < minWorkers && currentWorkers > 0 {
            desired = minWorkers
            rescaleReason = "Current number of workers below minWorkers"
        } else {
            let outcome = MetricReplicas.combine(metrics, currentWorkers: currentWorkers, observation: observation, now: now, settings: settings)
            warnings = outcome.warnings
            conditions.set(outcome.scalingActive)
            guard let proposal = outcome.workers else {
                return AutoscalingDecision(recommendation: nil, workers: currentWorkers, conditions: conditions, rescaleReason: nil, warnings: warnings)
            }
            recommendation = proposal
            desired = max(proposal, 0)
            if desired > currentWorkers { rescaleReason = "\(outcome.metricName) above target" }
            if desired < currentWorkers { rescaleReason = "All metrics below target" }
            if currentWorkers == 0 && desired < minWorkers {
                desired = minWorkers
                rescaleReason = "Current number of workers below minWorkers"
            }

            let normalized: (workers: Int32, conditions: [Condition])
            if autoscaling.behavior == nil {
                normalized = LegacyNormalization.normalize(current: currentWorkers, desired: desired, min: minWorkers, max: maxWorkers,
                                                           window: settings.downscaleStabilization, history: &history, now: now)
            } else {
                let (up, down) = BehaviorNormalization.rules(autoscaling, settings: settings)
                normalized = BehaviorNormalization.normalize(current: currentWorkers, desired: desired, min: minWorkers, max: maxWorkers,
                                                             up: up, down: down, history: &history, now: now)
            }
            desired = normalized.workers
            for c in normalized.conditions { conditions.set(c) }
        }

        guard desired != currentWorkers else {
            return AutoscalingDecision(recommendation: recommendation, workers: currentWorkers, conditions: conditions, rescaleReason: nil, warnings: warnings)
        }
        conditions.set(AbleToScale.succeededRescale(desired))
        if autoscaling.behavior != nil {
            let (up, down) = BehaviorNormalization.rules(autoscaling, settings: settings)
            history.recordScaleEvent(from: currentWorkers, to: desired, longestPeriod: desired > currentWorkers ? up.longestPeriod : down.longestPeriod, now: now)
        }
        return AutoscalingDecision(recommendation: recommendation, workers: desired, conditions: conditions, rescaleReason: rescaleReason, warnings: warnings)
    }
}
