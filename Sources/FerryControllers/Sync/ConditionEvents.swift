/// An Event for every condition change (issue #9): `kubectl describe` then tells each step
/// of an object's story — waiting for a worker, a missing reference, a retry — not only
/// its phase changes.
import KubeCore
import KubeRuntime

enum ConditionEvents {
    /// One Event to record: its reason is the condition's reason.
    struct Event: Equatable, Sendable {
        var type: EventType
        var reason: String
        var message: String
    }

    /// The conditions of `after` whose status or reason differ from `before` (a message
    /// alone changing is no change, or a progress message would be an Event per write),
    /// one per reason: conditions changed together for one cause (Failed=True and
    /// Queued=False, both `MaxSuccessiveFailures`) are one Event, the True condition's.
    /// `skipping` reasons are already told by another Event of the same write. Pure.
    static func changes(from before: [Condition], to after: [Condition], skipping: Set<String> = [],
                        isWarning: (Condition) -> Bool) -> [Event] {
        var chosen: [String: Condition] = [:]
        var order: [String] = []
        for condition in after where !skipping.contains(condition.reason) {
            if let old = before[type: condition.type], old.status == condition.status, old.reason == condition.reason { continue }
            guard let existing = chosen[condition.reason] else {
                chosen[condition.reason] = condition
                order.append(condition.reason)
                continue
            }
            if existing.status != .true, condition.status == .true { chosen[condition.reason] = condition }
        }
        return order.compactMap { reason in
            chosen[reason].map { c in
                Event(type: isWarning(c) ? .warning : .normal, reason: c.reason,
                      message: "\(c.type)=\(c.status.rawValue)\(c.message.isEmpty ? "" : ": \(c.message)")")
            }
        }
    }
}
