/// The HPA's condition types and the messages of its normalization steps, with "replicas"
/// read as "workers" (K8S-SEMANTICS.md §1.7).
import KubeCore

public enum ConditionType {
    public static let ableToScale = "AbleToScale"
    public static let scalingActive = "ScalingActive"
    public static let scalingLimited = "ScalingLimited"
}

/// The outcome of a limiting step: a reason for ScalingLimited and its message.
struct Limit: Hashable {
    var reason: String
    var message: String

    static let withinRange = Limit(reason: "DesiredWithinRange", message: "the desired count is within the acceptable range")
    static let tooFew = Limit(reason: "TooFewReplicas", message: "the desired worker count is less than the minimum worker count")
    static let tooMany = Limit(reason: "TooManyReplicas", message: "the desired worker count is more than the maximum worker count")
    static let scaleUpLimit = Limit(reason: "ScaleUpLimit", message: "the desired worker count is increasing faster than the maximum scale rate")
    static let scaleDownLimit = Limit(reason: "ScaleDownLimit", message: "the desired worker count is decreasing faster than the maximum scale rate")

    /// ScalingLimited is True exactly when the step changed the value.
    func condition(changed: Bool) -> Condition {
        Condition(type: ConditionType.scalingLimited, status: changed ? .true : .false, reason: reason, message: message)
    }
}

enum AbleToScale {
    static let succeededGetScale = Condition(type: ConditionType.ableToScale, status: .true, reason: "SucceededGetScale",
                                             message: "the autoscaler was able to get the pool's current worker count")
    static let readyForNewScale = Condition(type: ConditionType.ableToScale, status: .true, reason: "ReadyForNewScale",
                                            message: "recommended size matches current size")
    static let scaleDownStabilized = Condition(type: ConditionType.ableToScale, status: .true, reason: "ScaleDownStabilized",
                                               message: "recent recommendations were higher than current one, applying the highest recent recommendation")
    static let scaleUpStabilized = Condition(type: ConditionType.ableToScale, status: .true, reason: "ScaleUpStabilized",
                                             message: "recent recommendations were lower than current one, applying the lowest recent recommendation")

    static func succeededRescale(_ workers: Int32) -> Condition {
        Condition(type: ConditionType.ableToScale, status: .true, reason: "SucceededRescale",
                  message: "the autoscaler was able to update the pool's worker count to \(workers)")
    }
}
