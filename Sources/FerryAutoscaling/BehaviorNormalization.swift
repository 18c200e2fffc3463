/// Normalization with `behavior` (horizontal.go `normalizeDesiredReplicasWithBehaviors`):
/// stabilization over both windows, then the rate policies of the scaling direction
/// against the scale events of their periods, then min/max.
import FerryAPI
import Foundation
import KubeCore

enum BehaviorNormalization {
    /// Rules of one direction with every field set.
    struct Rules: Hashable {
        var window: TimeInterval
        var selectPolicy: SelectPolicy
        var policies: [ScalingPolicy]

        /// The longest policy period: scale events older than it are no longer read.
        var longestPeriod: TimeInterval { TimeInterval(policies.map(\.periodSeconds).max() ?? 0) }
    }

    /// The HPA's defaults for unset fields; a scaleDown without a window uses the
    /// `--horizontal-pod-autoscaler-downscale-stabilization` flag (`maybeInitScaleDownStabilizationWindow`).
    static func rules(_ autoscaling: PoolAutoscaling, settings: AutoscalerSettings) -> (up: Rules, down: Rules) {
        let up = autoscaling.effectiveScaleUp, down = autoscaling.effectiveScaleDown
        let downWindow = down.stabilizationWindowSeconds.map(TimeInterval.init) ?? settings.downscaleStabilization
        return (Rules(window: TimeInterval(up.stabilizationWindowSeconds ?? 0), selectPolicy: up.selectPolicy ?? .max, policies: up.policies ?? []),
                Rules(window: downWindow, selectPolicy: down.selectPolicy ?? .max, policies: down.policies ?? []))
    }

    static func normalize(current: Int32, desired: Int32, min: Int32, max: Int32, up: Rules, down: Rules,
                          history: inout ScalingHistory, now: Date) -> (workers: Int32, conditions: [Condition]) {
        let stabilized = stabilize(current: current, desired: desired, upWindow: up.window, downWindow: down.window, history: &history, now: now)
        let able: Condition
        if stabilized == desired {
            able = AbleToScale.readyForNewScale
        } else {
            able = desired >= current ? AbleToScale.scaleUpStabilized : AbleToScale.scaleDownStabilized
        }
        let (workers, limit) = applyRates(current: current, desired: stabilized, min: min, max: max, up: up, down: down, history: history, now: now)
        return (workers, [able, limit.condition(changed: workers != stabilized)])
    }

    /// `stabilizeRecommendationWithBehaviors`: current raised to the lowest recommendation
    /// of the up window and lowered to the highest of the down window (cutoffs strict). The
    /// new recommendation overwrites the last entry older than both windows, or is appended.
    static func stabilize(current: Int32, desired: Int32, upWindow: TimeInterval, downWindow: TimeInterval, history: inout ScalingHistory, now: Date) -> Int32 {
        let upCutoff = now.addingTimeInterval(-upWindow), downCutoff = now.addingTimeInterval(-downWindow)
        var upRecommendation = desired, downRecommendation = desired
        var expired: Int?
        for (i, r) in history.recommendations.enumerated() {
            if r.time > upCutoff { upRecommendation = Swift.min(r.workers, upRecommendation) }
            if r.time > downCutoff { downRecommendation = Swift.max(r.workers, downRecommendation) }
            if r.time < upCutoff && r.time < downCutoff { expired = i }
        }
        var recommendation = current
        if recommendation < upRecommendation { recommendation = upRecommendation }
        if recommendation > downRecommendation { recommendation = downRecommendation }
        let entry = ScalingHistory.Recommendation(workers: desired, time: now)
        if let expired { history.recommendations[expired] = entry } else { history.recommendations.append(entry) }
        return recommendation
    }

    /// `convertDesiredReplicasWithBehaviorRate`.
    static func applyRates(current: Int32, desired: Int32, min: Int32, max: Int32, up: Rules, down: Rules, history: ScalingHistory, now: Date) -> (Int32, Limit) {
        if desired > current {
            let limit = Swift.max(current, scaleUpLimit(current: current, rules: up, history: history, now: now))
            let (maxAllowed, reason) = max > limit ? (limit, Limit.scaleUpLimit) : (max, Limit.tooMany)
            if desired > maxAllowed { return (maxAllowed, reason) }
        } else if desired < current {
            let limit = Swift.min(current, scaleDownLimit(current: current, rules: down, history: history, now: now))
            let (minAllowed, reason) = min < limit ? (limit, Limit.scaleDownLimit) : (min, Limit.tooFew)
            if desired < minAllowed { return (minAllowed, reason) }
        }
        return (desired, .withinRange)
    }

    /// Workers at the start of a policy's period: current minus what was added in it plus what was removed.
    static func periodStart(current: Int32, period: TimeInterval, history: ScalingHistory, now: Date) -> Int32 {
        current - ScalingHistory.change(in: history.scaleUpEvents, within: period, now: now)
            + ScalingHistory.change(in: history.scaleDownEvents, within: period, now: now)
    }

    /// `calculateScaleUpLimitWithScalingRules`: Pods adds its value, Percent rounds up; Max
    /// picks the largest proposal, Min the smallest, Disabled keeps current.
    static func scaleUpLimit(current: Int32, rules: Rules, history: ScalingHistory, now: Date) -> Int32 {
        if rules.selectPolicy == .disabled { return current }
        let proposals = rules.policies.map { policy -> Int32 in
            let start = periodStart(current: current, period: TimeInterval(policy.periodSeconds), history: history, now: now)
            switch policy.type {
            case .pods: return start &+ policy.value
            case .percent: return ceilInt32(Double(start) * (1 + Double(policy.value) / 100))
            }
        }
        return (rules.selectPolicy == .min ? proposals.min() : proposals.max()) ?? (rules.selectPolicy == .min ? .max : .min)
    }

    /// `calculateScaleDownLimitWithBehaviors`: Pods subtracts, Percent truncates; Max picks
    /// the smallest proposal (largest change), Min the largest, Disabled keeps current.
    static func scaleDownLimit(current: Int32, rules: Rules, history: ScalingHistory, now: Date) -> Int32 {
        if rules.selectPolicy == .disabled { return current }
        let proposals = rules.policies.map { policy -> Int32 in
            let start = periodStart(current: current, period: TimeInterval(policy.periodSeconds), history: history, now: now)
            switch policy.type {
            case .pods: return start &- policy.value
            case .percent: return Int32(clamping: Int64((Double(start) * (1 - Double(policy.value) / 100)).rounded(.towardZero)))
            }
        }
        return (rules.selectPolicy == .min ? proposals.max() : proposals.min()) ?? (rules.selectPolicy == .min ? .min : .max)
    }
}
