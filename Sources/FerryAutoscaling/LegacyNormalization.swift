/// Normalization without `behavior` (horizontal.go `normalizeDesiredReplicas`): the
/// highest recommendation of the downscale-stabilization window, then min/max and a
/// scale-up cap of max(2 × current, 4).
import Foundation
import KubeCore

enum LegacyNormalization {
    /// `scaleUpLimitFactor` and `scaleUpLimitMinimum` in production (the upstream unit tests use 8).
    static let scaleUpLimitFactor = 2.0
    static let scaleUpLimitMinimum = 4.0

    static func normalize(current: Int32, desired: Int32, min: Int32, max: Int32, window: TimeInterval, history: inout ScalingHistory, now: Date,
                          scaleUpLimitFactor: Double = scaleUpLimitFactor) -> (workers: Int32, conditions: [Condition]) {
        let stabilized = stabilize(desired, window: window, history: &history, now: now)
        let able = stabilized != desired ? AbleToScale.scaleDownStabilized : AbleToScale.readyForNewScale
        let (workers, limit) = applyRules(current: current, desired: stabilized, min: min, max: max, scaleUpLimitFactor: scaleUpLimitFactor)
        return (workers, [able, limit.condition(changed: workers != stabilized)])
    }

    /// `stabilizeRecommendation`: max of desired and the recommendations not older than the
    /// window; the new one overwrites the last expired entry or is appended.
    static func stabilize(_ desired: Int32, window: TimeInterval, history: inout ScalingHistory, now: Date) -> Int32 {
        let cutoff = now.addingTimeInterval(-window)
        var highest = desired
        var expired: Int?
        for (i, r) in history.recommendations.enumerated() {
            if r.time < cutoff { expired = i } else if r.workers > highest { highest = r.workers }
        }
        let entry = ScalingHistory.Recommendation(workers: desired, time: now)
        if let expired { history.recommendations[expired] = entry } else { history.recommendations.append(entry) }
        return highest
    }

    /// `convertDesiredReplicasWithRules`.
    static func applyRules(current: Int32, desired: Int32, min: Int32, max: Int32, scaleUpLimitFactor: Double = scaleUpLimitFactor) -> (Int32, Limit) {
        let scaleUpLimit = Int32(clamping: Int64(Swift.max(scaleUpLimitFactor * Double(current), scaleUpLimitMinimum)))
        let (maxAllowed, upperLimit) = max > scaleUpLimit ? (scaleUpLimit, Limit.scaleUpLimit) : (max, Limit.tooMany)
        if desired < min { return (min, .tooFew) }
        if desired > maxAllowed { return (maxAllowed, upperLimit) }
        return (desired, .withinRange)
    }
}
