/// What the autoscaler remembers between evaluations of one pool, as the HPA controller
/// keeps it in memory per HPA key: timestamped recommendations (for stabilization) and
/// scale-up/scale-down events (for rate policies).
import Foundation

/// What the autoscaler remembers between evaluations of one pool (the HPA keeps the same in memory):
/// recommendations and scale-up/scale-down events. Empty after an operator restart, like the HPA's.
public struct ScalingHistory: Sendable, Hashable {
    struct Recommendation: Sendable, Hashable {
        var workers: Int32
        var time: Date
    }

    struct ScaleEvent: Sendable, Hashable {
        /// Workers added (up list) or removed (down list); always positive.
        var change: Int32
        var time: Date
        /// Older than the direction's longest policy period; the slot is reused.
        var outdated = false
    }

    var recommendations: [Recommendation] = []
    var scaleUpEvents: [ScaleEvent] = []
    var scaleDownEvents: [ScaleEvent] = []

    public init() {}

    /// `recordInitialRecommendation`: a fresh history starts with the current count, so a
    /// new pool (or any pool after a restart) cannot scale down within the first window.
    mutating func recordInitialRecommendation(_ workers: Int32, now: Date) {
        if recommendations.isEmpty { recommendations = [Recommendation(workers: workers, time: now)] }
    }

    /// `storeScaleEvent` (behavior path only): the new event reuses the last slot older
    /// than the direction's longest policy period, or is appended.
    mutating func recordScaleEvent(from previous: Int32, to new: Int32, longestPeriod: TimeInterval, now: Date) {
        func store(_ change: Int32, in events: inout [ScaleEvent]) {
            let cutoff = now.addingTimeInterval(-longestPeriod)
            for i in events.indices where events[i].time < cutoff { events[i].outdated = true }
            let event = ScaleEvent(change: change, time: now)
            if let slot = events.lastIndex(where: \.outdated) { events[slot] = event } else { events.append(event) }
        }
        if new > previous { store(new - previous, in: &scaleUpEvents) } else { store(previous - new, in: &scaleDownEvents) }
    }

    /// `getReplicasChangePerPeriod`: the change of events strictly younger than the period.
    static func change(in events: [ScaleEvent], within period: TimeInterval, now: Date) -> Int32 {
        let cutoff = now.addingTimeInterval(-period)
        return events.filter { $0.time > cutoff }.reduce(0) { $0 + $1.change }
    }
}
