/// Effective autoscaling settings of a WorkerPool, with autoscaling/v2 HPA defaults
/// (`SetDefaults_HorizontalPodAutoscalerBehavior`): scale up by max(4 workers, 100%)
/// per 15 s with no stabilization; scale down by 100% per 15 s after a 300 s window.
import KubeCore

extension ScalingRules {
    public static let defaultScaleUp = ScalingRules(
        stabilizationWindowSeconds: 0, selectPolicy: .max,
        policies: [ScalingPolicy(type: .pods, value: 4, periodSeconds: 15), ScalingPolicy(type: .percent, value: 100, periodSeconds: 15)]
    )
    public static let defaultScaleDown = ScalingRules(
        stabilizationWindowSeconds: 300, selectPolicy: .max,
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
