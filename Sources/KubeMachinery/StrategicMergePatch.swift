/// Strategic merge patch, as `kubectl apply`/`kubectl patch` send for built-in kinds:
/// maps merge, `null` deletes, lists merge by key where the patch schema says so, and the
/// `$patch`, `$retainKeys`, `$setElementOrder/` and `$deleteFromPrimitiveList/` directives.
import KubeCore

public enum StrategicMergePatch {
    static let directive = "$patch"
    static let retainKeysDirective = "$retainKeys"
    static let setElementOrderPrefix = "$setElementOrder/"
    static let deleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/"

    public static func apply(_ patch: JSONValue, to original: JSONValue, schema: PatchSchema) throws(PatchError) -> JSONValue {
        guard case .object(let patchMembers) = patch else {
            throw PatchError("strategic merge patch must be a JSON object, got \(patch.typeName)")
        }
        let originalMembers = original.objectValue ?? [:]
        return .object(try mergeMap(originalMembers, patchMembers, schema: schema))
    }

    /// Merges one object (`$patch: delete` yields an empty one).
    static func mergeMap(_ original: [String: JSONValue], _ patch: [String: JSONValue], schema: PatchSchema) throws(PatchError) -> [String: JSONValue] {
        var patch = patch
        var result = original
        if let d = patch[directive] {
            switch d.stringValue {
            case "replace":
                patch.removeValue(forKey: directive)
                return try mergeMap([:], patch, schema: schema)
            case "delete":
                return [:]
            case "merge":
                patch.removeValue(forKey: directive)
            default:
                throw PatchError("Unrecognized patch type: \(d.serialized()) in map: \(JSONValue.object(patch).serialized())")
            }
        }
        if let retain = patch.removeValue(forKey: retainKeysDirective) {
            guard case .array(let keys) = retain else {
                throw PatchError("invalid patch: $retainKeys must be a list, got \(retain.serialized())")
            }
            let kept = Set(keys.compactMap(\.stringValue))
            for key in patch.keys where !key.hasPrefix("$") && !kept.contains(key) {
                throw PatchError("invalid patch: key \(key) of the patch is not in the $retainKeys list \(retain.serialized())")
            }
            result = result.filter { kept.contains($0.key) }
        }
        var elementOrders: [String: [JSONValue]] = [:]
        for (key, value) in patch where key.hasPrefix(deleteFromPrimitiveListPrefix) || key.hasPrefix(setElementOrderPrefix) {
            patch.removeValue(forKey: key)
            guard case .array(let items) = value else {
                throw PatchError("invalid patch: \(key) must be a list, got \(value.serialized())")
            }
            if key.hasPrefix(deleteFromPrimitiveListPrefix) {
                let field = String(key.dropFirst(deleteFromPrimitiveListPrefix.count))
                if case .array(let current) = result[field] {
                    result[field] = .array(current.filter { !items.contains($0) })
                }
            } else {
                elementOrders[String(key.dropFirst(setElementOrderPrefix.count))] = items
            }
        }
        for (key, patchValue) in patch {
            let field = schema.field(key)
            if patchValue.isNull {
                result.removeValue(forKey: key)
                continue
            }
            let current = result[key]
            switch (current, patchValue) {
            case (_, .object(let p)):
                let o: [String: JSONValue]
                if case .object(let c)? = current { o = c } else { o = [:] }
                // `$patch: delete` on a nested map leaves an empty map, as in Go.
                result[key] = .object(try mergeMap(o, p, schema: field.schema))
            case (_, .array(let p)):
                let o: [JSONValue]
                if case .array(let c)? = current { o = c } else { o = [] }
                if field.mergesList {
                    result[key] = .array(try mergeList(o, p, field: field))
                } else {
                    result[key] = .array(try p.map { (v) throws(PatchError) in try stripDirectives(v, schema: field.schema) })
                }
            default:
                result[key] = patchValue
            }
        }
        for (key, order) in elementOrders {
            guard case .array(let items) = result[key] else { continue }
            result[key] = .array(ordered(items, by: order, mergeKey: schema.field(key).mergeKey))
        }
        return result
    }

    /// Patch content for a field the original lacks: directives still apply (against nothing).
    static func stripDirectives(_ value: JSONValue, schema: PatchSchema) throws(PatchError) -> JSONValue {
        guard case .object(let members) = value else { return value }
        return .object(try mergeMap([:], members, schema: schema))
    }

    static func mergeList(_ original: [JSONValue], _ patch: [JSONValue], field: PatchField) throws(PatchError) -> [JSONValue] {
        if patch.contains(where: { $0[directive].stringValue == "replace" }) {
            return try patch.filter { $0[directive].stringValue != "replace" }.map { (v) throws(PatchError) in
                try stripDirectives(v, schema: field.schema)
            }
        }
        guard let mergeKey = field.mergeKey else {
            // A set of primitives: original order, then new values, without duplicates.
            var result: [JSONValue] = []
            for v in original + patch where !result.contains(v) { result.append(v) }
            return result
        }
        var result = original
        for element in patch {
            guard case .object(var members) = element else {
                throw PatchError("invalid patch: list \(JSONValue.array(patch).serialized()) merged by key \(mergeKey) contains a non-object: \(element.serialized())")
            }
            let action = members[directive]?.stringValue
            guard let keyValue = members[mergeKey] else {
                if action == "delete" && members.count == 1 { result.removeAll(); continue }
                throw PatchError("map: \(element.serialized()) does not contain declared merge key: \(mergeKey)")
            }
            let index = result.firstIndex { $0[mergeKey] == keyValue }
            if action == "delete" {
                result.removeAll { $0[mergeKey] == keyValue }
                continue
            }
            if action == "merge" { members.removeValue(forKey: directive) }
            if let index, case .object(let existing) = result[index] {
                result[index] = .object(try mergeMap(existing, members, schema: field.schema))
            } else {
                result.append(.object(try mergeMap([:], members, schema: field.schema)))
            }
        }
        return result
    }

    /// Orders `items` as `$setElementOrder` lists them; items it does not list keep their
    /// relative order after the listed ones.
    static func ordered(_ items: [JSONValue], by order: [JSONValue], mergeKey: String?) -> [JSONValue] {
        func identity(_ v: JSONValue) -> JSONValue { mergeKey.map { v[$0] } ?? v }
        var listed: [JSONValue] = []
        for o in order {
            let id = identity(o)
            if let item = items.first(where: { identity($0) == id }), !listed.contains(item) { listed.append(item) }
        }
        let rest = items.filter { !listed.contains($0) }
        return listed + rest
    }
}
