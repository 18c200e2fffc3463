/// `metav1.Condition` and apimachinery's `meta.SetStatusCondition`: conditions keyed by
/// type, lastTransitionTime changing only when the status does.
import Foundation

/// One status condition, as CRDs and built-in kinds carry them.
public struct Condition: Codable, Sendable, Hashable {
    public enum Status: String, Codable, Sendable, CaseIterable {
        case `true` = "True"
        case `false` = "False"
        case unknown = "Unknown"
    }
    public var type: String
    public var status: Status
    public var observedGeneration: Int64?
    /// RFC 3339; stamped by `set(_:now:)` when left empty and a time is given.
    public var lastTransitionTime: String
    public var reason: String
    public var message: String

    public init(type: String, status: Status, reason: String, message: String = "", observedGeneration: Int64? = nil, lastTransitionTime: String = "") {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.observedGeneration = observedGeneration
        self.lastTransitionTime = lastTransitionTime
    }

    public init(type: String, status: Status, observedGeneration: Int64? = nil, lastTransitionTime: String, reason: String, message: String) {
        self.init(type: type, status: status, reason: reason, message: message, observedGeneration: observedGeneration, lastTransitionTime: lastTransitionTime)
    }
}

extension Array where Element == Condition {
    /// The condition of this type, if present.
    public subscript(type type: String) -> Condition? {
        first { $0.type == type }
    }

    /// Whether the condition of this type is True.
    public func isTrue(_ type: String) -> Bool { self[type: type]?.status == .true }

    /// `meta.SetStatusCondition`: adds or updates the condition of `condition.type`. The
    /// transition time is kept when the status is unchanged, even if `condition` carries
    /// another; an empty one is stamped with `now` when given. Returns whether anything changed.
    @discardableResult
    public mutating func set(_ condition: Condition, now: Date? = nil) -> Bool {
        var new = condition
        if new.lastTransitionTime.isEmpty, let now { new.lastTransitionTime = KubeTime.format(now) }
        guard let i = firstIndex(where: { $0.type == new.type }) else {
            append(new)
            return true
        }
        if self[i].status == new.status { new.lastTransitionTime = self[i].lastTransitionTime }
        if self[i] == new { return false }
        self[i] = new
        return true
    }
}
