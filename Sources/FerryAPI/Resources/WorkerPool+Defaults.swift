/// Effective autoscaling settings of a WorkerPool, with autoscaling/v2 HPA defaults
/// (`SetDefaults_HorizontalPodAutoscalerBehavior`): scale up by max(4 workers, 100%)
/// per 15 s with no stabilization; scale down by 100% per 15 s after the operator's
/// `--workerpool-downscale-stabilization` window (300 s), which, as in the HPA, is left
/// unset here and read by the autoscaler.
import KubeCore

extension ScalingRules {
    public static let defaultScaleUp = ScalingRules(
        stabilizationWindowSeconds: 0, selectPolicy: .max,
        policies: [ScalingPolicy(type: .pods, value: 4, periodSeconds: 15), ScalingPolicy(type: .percent, value: 100, periodSeconds: 15)]
    )
    public static let defaultScaleDown = ScalingRules(
        stabilizationWindowSeconds: nil, selectPolicy: .max,
        policies: [ScalingPolicy(type: .percent, value: 100, periodSeconds: 15)]
    )

    /// Unset fields taken from `defaults`, field by field, as the HPA defaults them.
    public func filled(from defaults: ScalingRules) -> ScalingRules {
        ScalingRules(
            stabilizationWindowSeconds: stabilizationWindowSeconds ?? defaults.stabilizationWindowSeconds,
            selectPolicy: selectPolicy ?? defaults.selectPolicy,
            policies: policies ?? defaults.policies
        )
    }
}

extension PoolAutoscaling {
    public var effectiveMinWorkers: Int32 { minWorkers ?? 1 }

    /// Queue with one sync per worker when no metric is given.
    public var effectiveMetrics: [PoolMetric] {
        if let metrics, !metrics.isEmpty { return metrics }
        return [PoolMetric(type: .queue, target: MetricTarget(averageValue: 1))]
    }

    public var effectiveScaleUp: ScalingRules { (behavior?.scaleUp ?? ScalingRules()).filled(from: .defaultScaleUp) }
    public var effectiveScaleDown: ScalingRules { (behavior?.scaleDown ?? ScalingRules()).filled(from: .defaultScaleDown) }
}

extension WorkerPoolSpec {
    /// Fixed capacity when autoscaling is absent (1 when unset).
    public var effectiveWorkers: Int32 { workers ?? 1 }
    public var effectiveWarmWorkers: Int32 { warmWorkers ?? 0 }
}

extension WorkerPool {
    /// How many worker pods of the pool may exist at once. Without autoscaling it is
    /// `spec.workers` (set by hand, `kubectl scale`, or an external HPA through the scale
    /// subresource). With autoscaling it is the count the operator's autoscaler last chose,
    /// `status.workers`, kept within min/max; a pool the autoscaler has not seen yet starts
    /// at `minWorkers`, as an HPA starts from the target's current replicas.
    public var capacity: Int32 { capacity(autoscaledWorkers: status?.workers) }

    /// `capacity` with `workers` as the autoscaler's count (the one it last chose, which a
    /// cached status may not show yet).
    public func capacity(autoscaledWorkers workers: Int32?) -> Int32 {
        guard let autoscaling = spec.autoscaling else { return max(0, spec.effectiveWorkers) }
        let current = workers ?? autoscaling.effectiveMinWorkers
        return min(max(current, autoscaling.effectiveMinWorkers), autoscaling.maxWorkers)
    }
}
