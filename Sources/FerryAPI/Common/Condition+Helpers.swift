/// Lookup and update of conditions in a list, with `meta.SetStatusCondition` semantics:
/// the transition time changes only when the status does.
import KubeCore

extension Array where Element == Condition {
    /// The condition of this type, if present.
    public subscript(type type: String) -> Condition? {
        first { $0.type == type }
    }

    /// Whether the condition of this type is True.
    public func isTrue(_ type: String) -> Bool { self[type: type]?.status == .true }

    /// Adds or updates `condition`; keeps the old lastTransitionTime when the status is
    /// unchanged. Returns whether anything changed.
    @discardableResult
    public mutating func set(_ condition: Condition) -> Bool {
        guard let i = firstIndex(where: { $0.type == condition.type }) else {
            append(condition)
            return true
        }
        var updated = condition
        if self[i].status == condition.status { updated.lastTransitionTime = self[i].lastTransitionTime }
        if self[i] == updated { return false }
        self[i] = updated
        return true
    }
}
