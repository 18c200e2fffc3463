/// `metav1.Condition` and apimachinery's `SetStatusCondition`: conditions keyed by type,
/// lastTransitionTime changing only when the status does, observedGeneration recorded.
import Foundation
import KubeCore

/// One status condition, as CRDs and built-in kinds carry them.
public struct Condition: Codable, Sendable, Hashable {
    public enum Status: String, Codable, Sendable {
        case `true` = "True"
        case `false` = "False"
        case unknown = "Unknown"
    }
    public var type: String
    public var status: Status
    public var observedGeneration: Int64?
    /// RFC 3339; set by `setCondition` when left empty.
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
}

public enum Conditions {
    /// `meta.SetStatusCondition`: adds or updates the condition of `new.type`. The
    /// transition time is kept when the status is unchanged, even if `new` carries another.
    /// Returns whether anything changed.
    @discardableResult
    public static func set(_ conditions: inout [Condition], _ new: Condition, now: Date) -> Bool {
        var new = new
        guard let i = conditions.firstIndex(where: { $0.type == new.type }) else {
            if new.lastTransitionTime.isEmpty { new.lastTransitionTime = KubeTime.format(now) }
            conditions.append(new)
            return true
        }
        var existing = conditions[i]
        var changed = false
        if existing.status != new.status {
            existing.status = new.status
            existing.lastTransitionTime = new.lastTransitionTime.isEmpty ? KubeTime.format(now) : new.lastTransitionTime
            changed = true
        }
        if existing.reason != new.reason { existing.reason = new.reason; changed = true }
        if existing.message != new.message { existing.message = new.message; changed = true }
        if existing.observedGeneration != new.observedGeneration { existing.observedGeneration = new.observedGeneration; changed = true }
        conditions[i] = existing
        return changed
    }

    public static func find(_ conditions: [Condition], _ type: String) -> Condition? {
        conditions.first { $0.type == type }
    }

    /// Sets a condition inside an unstructured object's `status.conditions`, stamping
    /// `observedGeneration` with the object's `metadata.generation`. Returns whether it changed.
    /// Entries that do not decode as a `Condition` (written by other tools) are kept as they are
    /// unless they have the type being set.
    @discardableResult
    public static func set(in object: inout JSONValue, _ new: Condition, now: Date) throws -> Bool {
        let raw = object["status"]["conditions"].arrayValue ?? []
        var list = raw.compactMap { try? $0.decode(Condition.self) }
        var new = new
        if new.observedGeneration == nil { new.observedGeneration = object.generation }
        guard set(&list, new, now: now) else { return false }
        var out: [JSONValue] = []
        var written = Set<String>()
        for entry in raw {
            guard let type = entry["type"].stringValue, let condition = list.first(where: { $0.type == type }) else {
                out.append(entry)
                continue
            }
            if written.insert(type).inserted { out.append(try JSONValue(encoding: condition)) }
        }
        for condition in list where !written.contains(condition.type) { out.append(try JSONValue(encoding: condition)) }
        var status = object["status"].objectValue.map(JSONValue.object) ?? .emptyObject
        status["conditions"] = .array(out)
        object["status"] = status
        return true
    }
}
