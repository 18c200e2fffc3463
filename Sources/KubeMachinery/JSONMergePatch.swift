import KubeCore

/// RFC 7386 JSON merge patch: objects merge recursively, `null` deletes a member, and
/// anything else (arrays included) replaces the target wholesale.
public enum JSONMergePatch {
    public static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let patchMembers) = patch else { return patch }
        var result: [String: JSONValue]
        if case .object(let t) = target { result = t } else { result = [:] }
        for (key, value) in patchMembers {
            if value.isNull {
                result.removeValue(forKey: key)
            } else {
                result[key] = apply(value, to: result[key] ?? .null)
            }
        }
        return .object(result)
    }

    /// The merge patch that turns `original` into `modified` (used by clients to send
    /// minimal status patches).
    public static func create(from original: JSONValue, to modified: JSONValue) -> JSONValue {
        guard case .object(let o) = original, case .object(let m) = modified else { return modified }
        var patch: [String: JSONValue] = [:]
        for (key, value) in m {
            if let old = o[key] {
                if old != value {
                    if case .object = old, case .object = value {
                        patch[key] = create(from: old, to: value)
                    } else {
                        patch[key] = value
                    }
                }
            } else {
                patch[key] = value
            }
        }
        for key in o.keys where m[key] == nil { patch[key] = .null }
        return .object(patch)
    }
}
