/// Conditions inside unstructured objects: `SetStatusCondition` on `status.conditions`
/// with observedGeneration recorded.
import Foundation
import KubeCore

/// Condition helpers for controllers; the type and `SetStatusCondition` live in KubeCore.
public enum Conditions {
    /// `meta.SetStatusCondition` on a typed list, stamping an empty transition time with `now`.
    @discardableResult
    public static func set(_ conditions: inout [Condition], _ new: Condition, now: Date) -> Bool {
        conditions.set(new, now: now)
    }

    public static func find(_ conditions: [Condition], _ type: String) -> Condition? {
        conditions[type: type]
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
