/// Validation of custom objects against a structural schema, with kube-apiserver's paths
/// and messages (`spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`).
import Foundation
import KubeCore

extension StructuralSchema {
    /// Every problem with `object`; `old` is the stored object on update (for transition rules).
    public func validate(_ object: JSONValue, old: JSONValue?) -> [FieldError] {
        Validator(rules: true).validateRoot(object, node: root, old: old)
    }
}

struct Validator {
    /// Whether to run `x-kubernetes-validations` (off when checking a schema's own defaults).
    var rules: Bool

    func validateRoot(_ object: JSONValue, node: SchemaNode, old: JSONValue?) -> [FieldError] {
        guard case .object(let members) = object else {
            return [FieldError(.typeInvalid, path: "", value: .string(object.typeName), detail: "must be of type object: \"\(object.typeName)\"")]
        }
        var errors: [FieldError] = []
        // The server validates ObjectMeta itself; the schema may only constrain name/generateName.
        if let metadataNode = node.properties["metadata"] {
            for field in ["name", "generateName"] {
                if let fieldNode = metadataNode.properties[field], let value = members["metadata"]?[field], !value.isNull {
                    errors += validate(value, node: fieldNode, path: "metadata." + field, old: nil)
                }
            }
        }
        var rest = members
        rest.removeValue(forKey: "metadata")
        errors += validateObjectMembers(rest, node: node, path: "", old: old, skipRequired: ["metadata", "apiVersion", "kind"])
        errors += composition(object, node: node, path: "")
        if rules { errors += runRules(object, node: node, path: "", old: old) }
        return errors
    }

    func validate(_ value: JSONValue, node: SchemaNode, path: String, old: JSONValue? = nil) -> [FieldError] {
        var errors: [FieldError] = []
        if value.isNull {
            if node.nullable || (node.type == nil && !node.intOrString) { return [] }
            return [typeError(path: path, expected: node.intOrString ? "integer,string" : node.type ?? "", value: value)]
        }
        if node.intOrString {
            switch value {
            case .int, .string: break
            case .double where value.intValue != nil: break
            default: return [typeError(path: path, expected: "integer,string", value: value)]
            }
        } else if let type = node.type, !Self.matches(value, type: type) {
            return [typeError(path: path, expected: type, value: value)]
        }
        if let enumValues = node.enumValues, !enumValues.contains(where: { JSONPatch.jsonEqual($0, value) }) {
            // Go quotes every supported value, numbers included.
            let supported = enumValues.map { "\"" + ($0.stringValue ?? $0.serialized()) + "\"" }.joined(separator: ", ")
            errors.append(FieldError(.notSupported, path: path, value: value, detail: "supported values: \(supported)"))
        }
        switch value {
        case .int, .double: errors += numberErrors(value, node: node, path: path)
        case .string(let s): errors += stringErrors(s, node: node, path: path)
        case .array(let items): errors += arrayErrors(items, node: node, path: path, old: old)
        case .object(let members):
            errors += validateObjectMembers(members, node: node, path: path, old: old, skipRequired: [])
            if node.embeddedResource && !members.isEmpty {
                for key in ["apiVersion", "kind"] where members[key]?.stringValue?.isEmpty ?? true {
                    errors.append(FieldError(.required, path: Self.join(path, key), detail: "must not be empty"))
                }
            }
        default: break
        }
        errors += composition(value, node: node, path: path)
        if rules && errors.isEmpty { errors += runRules(value, node: node, path: path, old: old) }
        return errors
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool),
             ("integer", .int), ("number", .int), ("number", .double): return true
        case ("integer", .double): return value.intValue != nil
        default: return false
        }
    }

    static func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : path + "." + name }

    /// The field itself for messages at the root, where the path is empty.
    static func subject(_ path: String) -> String { path.isEmpty ? "body" : path }

    func typeError(path: String, expected: String, value: JSONValue) -> FieldError {
        FieldError(.typeInvalid, path: path, value: .string(value.typeName),
                   detail: "\(Self.subject(path)) in body must be of type \(expected): \"\(value.typeName)\"")
    }

    func invalid(_ path: String, _ value: JSONValue, _ detail: String) -> FieldError {
        FieldError(.invalid, path: path, value: value, detail: "\(Self.subject(path)) in body \(detail)")
    }

    func numberErrors(_ value: JSONValue, node: SchemaNode, path: String) -> [FieldError] {
        guard let d = value.doubleValue else { return [] }
        var errors: [FieldError] = []
        if let min = node.minimum {
            if node.exclusiveMinimum ? d <= min : d < min {
                errors.append(invalid(path, value, "should be greater than \(node.exclusiveMinimum ? "" : "or equal to ")\(Self.number(min))"))
            }
        }
        if let max = node.maximum {
            if node.exclusiveMaximum ? d >= max : d > max {
                errors.append(invalid(path, value, "should be less than \(node.exclusiveMaximum ? "" : "or equal to ")\(Self.number(max))"))
            }
        }
        if let m = node.multipleOf, m != 0 {
            let q = d / m
            if q.rounded() != q { errors.append(invalid(path, value, "should be a multiple of \(Self.number(m))")) }
        }
        if let format = node.format, let i = value.intValue {
            if format == "int32" && (i < Int64(Int32.min) || i > Int64(Int32.max)) {
                errors.append(FieldError(.typeInvalid, path: path, value: value, detail: "\(Self.subject(path)) in body must be of type int32: \"\(i)\""))
            }
        }
        return errors
    }

    /// Go's `%v` for a float64 bound: `0`, `1.5`.
    static func number(_ d: Double) -> String {
        if d.rounded() == d && abs(d) < 1e15 { return String(Int64(d)) }
        return String(d)
    }

    func stringErrors(_ s: String, node: SchemaNode, path: String) -> [FieldError] {
        var errors: [FieldError] = []
        let length = Int64(s.unicodeScalars.count)
        if let max = node.maxLength, length > max {
            errors.append(FieldError(.tooLong, path: path, value: .string(s), detail: "may not be more than \(max) bytes"))
        }
        if let min = node.minLength, length < min {
            errors.append(invalid(path, .string(s), "should be at least \(min) chars long"))
        }
        if let pattern = node.pattern, let regex = try? Regex(pattern), (try? regex.firstMatch(in: s)) == nil {
            // The pattern compiled when the schema was accepted, so `try?` only guards the impossible.
            errors.append(invalid(path, .string(s), "should match '\(pattern)'"))
        }
        if let format = node.format, !Formats.matches(s, format: format) {
            errors.append(FieldError(.typeInvalid, path: path, value: .string(s),
                                     detail: "\(Self.subject(path)) in body must be of type \(format): \"\(s)\""))
        }
        return errors
    }

    func arrayErrors(_ items: [JSONValue], node: SchemaNode, path: String, old: JSONValue?) -> [FieldError] {
        var errors: [FieldError] = []
        if let max = node.maxItems, items.count > max {
            errors.append(FieldError(.tooMany, path: path, value: .int(Int64(items.count)), detail: "must have at most \(max) items"))
        }
        if let min = node.minItems, items.count < min {
            errors.append(invalid(path, .array(items), "should have at least \(min) items"))
        }
        switch node.listType {
        case "set":
            for (i, item) in items.enumerated() where items[..<i].contains(where: { JSONPatch.jsonEqual($0, item) }) {
                errors.append(FieldError(.duplicate, path: "\(path)[\(i)]", value: item))
            }
        case "map":
            var seen: [JSONValue] = []
            for (i, item) in items.enumerated() {
                let key = mapKey(item, keys: node.listMapKeys)
                if seen.contains(key) { errors.append(FieldError(.duplicate, path: "\(path)[\(i)]", value: key)) }
                seen.append(key)
            }
        default: break
        }
        if let itemNode = node.items {
            let oldItems = node.listType == "map" ? old?.arrayValue : nil
            for (i, item) in items.enumerated() {
                let oldItem = oldItems?.first { mapKey($0, keys: node.listMapKeys) == mapKey(item, keys: node.listMapKeys) }
                errors += validate(item, node: itemNode, path: "\(path)[\(i)]", old: oldItem)
            }
        }
        return errors
    }

    func mapKey(_ item: JSONValue, keys: [String]) -> JSONValue {
        .object(Dictionary(uniqueKeysWithValues: keys.map { ($0, item[$0]) }))
    }

    func validateObjectMembers(_ members: [String: JSONValue], node: SchemaNode, path: String, old: JSONValue?, skipRequired: Set<String>) -> [FieldError] {
        var errors: [FieldError] = []
        // Property-count failures stop the object's validation, as in kube-openapi.
        if let min = node.minProperties, members.count < min {
            return [invalid(path, .object(members), "should have at least \(min) properties")]
        }
        if let max = node.maxProperties, members.count > max {
            return [FieldError(.tooMany, path: path, value: .int(Int64(members.count)), detail: "must have at most \(max) items")]
        }
        for name in node.required where members[name] == nil && !skipRequired.contains(name) {
            errors.append(FieldError(.required, path: Self.join(path, name)))
        }
        for (name, value) in members.sorted(by: { $0.key < $1.key }) {
            guard let child = node.propertySchema(name) else { continue }
            errors += validate(value, node: child, path: Self.join(path, name), old: old.flatMap { $0.has(name) ? $0[name] : Optional<JSONValue>.none })
        }
        return errors
    }

    /// anyOf/allOf/oneOf/not: value validations only (branches carry no types of their own).
    func composition(_ value: JSONValue, node: SchemaNode, path: String) -> [FieldError] {
        var errors: [FieldError] = []
        let branchValidator = Validator(rules: false)
        for b in node.allOf { errors += branchValidator.validate(value, node: b, path: path) }
        if !node.anyOf.isEmpty && !node.anyOf.contains(where: { branchValidator.validate(value, node: $0, path: path).isEmpty }) {
            errors.append(FieldError(.invalid, path: path, value: value, detail: "\"\(Self.subject(path))\" must validate at least one schema (anyOf)"))
        }
        if !node.oneOf.isEmpty && node.oneOf.filter({ branchValidator.validate(value, node: $0, path: path).isEmpty }).count != 1 {
            errors.append(FieldError(.invalid, path: path, value: value, detail: "\"\(Self.subject(path))\" must validate one and only one schema (oneOf)"))
        }
        if let n = node.not, branchValidator.validate(value, node: n, path: path).isEmpty {
            errors.append(FieldError(.invalid, path: path, value: value, detail: "\"\(Self.subject(path))\" must not validate the schema (not)"))
        }
        return errors
    }
}
