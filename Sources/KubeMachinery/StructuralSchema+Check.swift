/// The apiextensions "structural schema" rules: every specified field has a type, value
/// validations (anyOf/allOf/oneOf/not) carry no structure, and root metadata is limited.
import KubeCore

enum StructuralCheck {
    enum Position { case root, property, items, additionalProperties }

    static func check(_ node: SchemaNode, path: String, position: Position, errors: inout [FieldError]) {
        let raw = node.raw
        if raw.has("$ref") {
            errors.append(FieldError(.forbidden, path: path + ".$ref", detail: "$ref is not supported"))
        }
        if raw["uniqueItems"].boolValue == true {
            errors.append(FieldError(.forbidden, path: path + ".uniqueItems",
                                     detail: "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"))
        }
        if raw["x-kubernetes-preserve-unknown-fields"].boolValue == false {
            errors.append(FieldError(.invalid, path: path + ".x-kubernetes-preserve-unknown-fields", value: .bool(false),
                                     detail: "must be true or undefined"))
        }
        if let t = node.type, !["object", "array", "string", "integer", "number", "boolean"].contains(t) {
            errors.append(FieldError(.notSupported, path: path + ".type", value: .string(t),
                                     detail: #"supported values: "array", "boolean", "integer", "number", "object", "string""#))
        }
        checkTyped(node, path: path, position: position, errors: &errors)
        if let pattern = node.pattern {
            do { _ = try Regex(pattern) } catch {
                errors.append(FieldError(.invalid, path: path + ".pattern", value: .string(pattern),
                                         detail: "must be a valid regular expression, but isn't: \(error)"))
            }
        }
        for (name, child) in node.properties {
            check(child, path: "\(path).properties[\(name)]", position: .property, errors: &errors)
        }
        if position == .root || node.embeddedResource { checkResourceFields(node, path: path, position: position, errors: &errors) }
        if case .schema(let s) = node.additionalProperties {
            check(s, path: path + ".additionalProperties", position: .additionalProperties, errors: &errors)
        }
        if let items = node.items {
            check(items, path: path + ".items", position: .items, errors: &errors)
        }
        let skipAnyOf = isIntOrStringPattern(node.anyOf)
        let skipFirstAllOfAnyOf = node.allOf.first.map { isIntOrStringPattern($0.anyOf) } ?? false
        if !skipAnyOf {
            for (i, b) in node.anyOf.enumerated() { checkBranch(b, path: "\(path).anyOf[\(i)]", errors: &errors) }
        }
        for (i, b) in node.allOf.enumerated() {
            checkBranch(b, path: "\(path).allOf[\(i)]", skipAnyOf: i == 0 && skipFirstAllOfAnyOf, errors: &errors)
        }
        for (i, b) in node.oneOf.enumerated() { checkBranch(b, path: "\(path).oneOf[\(i)]", errors: &errors) }
        if let n = node.not { checkBranch(n, path: path + ".not", errors: &errors) }
        if let d = node.defaultValue {
            // A default must itself be valid (kube-apiserver also checks it is already pruned).
            errors += Validator(rules: false).validate(d, node: node, path: path + ".default")
        }
    }

    /// `anyOf: [{type: integer}, {type: string}]`, the int-or-string spelling allowed to carry types.
    static func isIntOrStringPattern(_ branches: [SchemaNode]) -> Bool {
        branches.count == 2 && branches[0].raw == ["type": "integer"] && branches[1].raw == ["type": "string"]
    }

    static func checkTyped(_ node: SchemaNode, path: String, position: Position, errors: inout [FieldError]) {
        if node.embeddedResource && node.type != "object" {
            if let t = node.type {
                errors.append(FieldError(.invalid, path: path + ".type", value: .string(t), detail: "must be object if x-kubernetes-embedded-resource is true"))
            } else {
                errors.append(FieldError(.required, path: path + ".type", detail: "must be object if x-kubernetes-embedded-resource is true"))
            }
        } else if node.type == nil && !node.intOrString && !node.preserveUnknownFields {
            let detail: String
            switch position {
            case .root: detail = "must not be empty at the root"
            case .items: detail = "must not be empty for specified array items"
            default: detail = "must not be empty for specified object fields"
            }
            errors.append(FieldError(.required, path: path + ".type", detail: detail))
        }
        if position == .root, let t = node.type, t != "object" {
            errors.append(FieldError(.invalid, path: path + ".type", value: .string(t), detail: "must be object at the root"))
        }
        if node.raw.has("additionalProperties") {
            if position == .root {
                errors.append(FieldError(.forbidden, path: path + ".additionalProperties", detail: "must not be used at the root"))
            }
            if node.embeddedResource {
                errors.append(FieldError(.forbidden, path: path + ".additionalProperties", detail: "must not be used if x-kubernetes-embedded-resource is set"))
            }
            var exclusive = false
            if case .schema = node.additionalProperties { exclusive = true }
            if case .allowed(false) = node.additionalProperties { exclusive = true }
            if exclusive && !node.properties.isEmpty {
                errors.append(FieldError(.forbidden, path: path + ".additionalProperties",
                                         detail: "additionalProperties and properties are mutual exclusive"))
            }
        }
        if node.embeddedResource && !node.preserveUnknownFields && node.properties.isEmpty {
            errors.append(FieldError(.required, path: path + ".properties",
                                     detail: "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"))
        }
        if node.intOrString && node.preserveUnknownFields {
            errors.append(FieldError(.invalid, path: path + ".x-kubernetes-preserve-unknown-fields", value: .bool(true),
                                     detail: "must be false if x-kubernetes-int-or-string is true"))
        }
        if node.intOrString && node.embeddedResource {
            errors.append(FieldError(.invalid, path: path + ".x-kubernetes-embedded-resource", value: .bool(true),
                                     detail: "must be false if x-kubernetes-int-or-string is true"))
        }
        if node.type == "array" && node.items == nil {
            errors.append(FieldError(.required, path: path + ".items", detail: "must be specified"))
        }
        checkListAndMapTypes(node, path: path, errors: &errors)
    }

    static func checkListAndMapTypes(_ node: SchemaNode, path: String, errors: inout [FieldError]) {
        if let listType = node.listType {
            if !["atomic", "set", "map"].contains(listType) {
                errors.append(FieldError(.notSupported, path: path + ".x-kubernetes-list-type", value: .string(listType),
                                         detail: #"supported values: "atomic", "map", "set""#))
            }
            if node.type != "array" {
                errors.append(FieldError(.invalid, path: path + ".type", value: .string(node.type ?? ""),
                                         detail: "must be array if x-kubernetes-list-type is specified"))
            }
            if listType == "map" {
                if node.listMapKeys.isEmpty {
                    errors.append(FieldError(.required, path: path + ".x-kubernetes-list-map-keys",
                                             detail: "must not be empty if x-kubernetes-list-type is map"))
                }
                if let items = node.items, items.type != "object" {
                    errors.append(FieldError(.invalid, path: path + ".items.type", value: .string(items.type ?? ""),
                                             detail: "must be object if parent array's x-kubernetes-list-type is map"))
                }
            }
        } else if !node.listMapKeys.isEmpty {
            errors.append(FieldError(.forbidden, path: path + ".x-kubernetes-list-map-keys",
                                     detail: "must be empty if x-kubernetes-list-type is not map"))
        }
        if let mapType = node.mapType, !["granular", "atomic"].contains(mapType) {
            errors.append(FieldError(.notSupported, path: path + ".x-kubernetes-map-type", value: .string(mapType),
                                     detail: #"supported values: "atomic", "granular""#))
        }
    }

    /// apiVersion/kind/metadata at the root (and in embedded resources).
    static func checkResourceFields(_ node: SchemaNode, path: String, position: Position, errors: inout [FieldError]) {
        for (name, expected) in [("kind", "string"), ("apiVersion", "string"), ("metadata", "object")] {
            if let child = node.properties[name], child.type != expected {
                errors.append(FieldError(.invalid, path: "\(path).properties[\(name)].type", value: .string(child.type ?? ""),
                                         detail: "must be \(expected)"))
            }
        }
        guard position == .root, let metadata = node.properties["metadata"] else { return }
        let allowedKeys: Set<String> = ["type", "properties", "default"]
        let extraKeys = metadata.raw.objectValue?.keys.filter { !allowedKeys.contains($0) } ?? []
        let extraProperties = metadata.properties.keys.filter { $0 != "name" && $0 != "generateName" }
        if !extraKeys.isEmpty || !extraProperties.isEmpty {
            errors.append(FieldError(.forbidden, path: path + ".properties[metadata]",
                                     detail: "must not specify anything other than name and generateName, but metadata is implicitly specified"))
        }
    }

    /// Inside anyOf/allOf/oneOf/not: value validations only.
    static func checkBranch(_ node: SchemaNode, path: String, skipAnyOf: Bool = false, errors: inout [FieldError]) {
        let raw = node.raw
        let forbidden: [(String, String)] = [
            ("type", "must be empty to be structural"),
            ("additionalProperties", "must be undefined to be structural"),
            ("default", "must be undefined to be structural"),
            ("title", "must be empty to be structural"),
            ("description", "must be empty to be structural"),
            ("x-kubernetes-list-map-keys", "must be empty to be structural"),
            ("x-kubernetes-list-type", "must be undefined to be structural"),
        ]
        for (key, detail) in forbidden where raw.has(key) {
            errors.append(FieldError(.forbidden, path: "\(path).\(key)", detail: detail))
        }
        for key in ["nullable", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-embedded-resource", "x-kubernetes-int-or-string"]
        where raw[key].boolValue == true {
            errors.append(FieldError(.forbidden, path: "\(path).\(key)", detail: "must be false to be structural"))
        }
        if node.properties["metadata"] != nil {
            errors.append(FieldError(.forbidden, path: path + ".properties[metadata]", detail: "must not be specified in a nested context"))
        }
        for (name, child) in node.properties { checkBranch(child, path: "\(path).properties[\(name)]", errors: &errors) }
        if let items = node.items { checkBranch(items, path: path + ".items", errors: &errors) }
        if !skipAnyOf {
            for (i, b) in node.anyOf.enumerated() { checkBranch(b, path: "\(path).anyOf[\(i)]", errors: &errors) }
        }
        for (i, b) in node.allOf.enumerated() { checkBranch(b, path: "\(path).allOf[\(i)]", errors: &errors) }
        for (i, b) in node.oneOf.enumerated() { checkBranch(b, path: "\(path).oneOf[\(i)]", errors: &errors) }
        if let n = node.not { checkBranch(n, path: path + ".not", errors: &errors) }
        if let pattern = node.pattern, (try? Regex(pattern)) == nil {
            errors.append(FieldError(.invalid, path: path + ".pattern", value: .string(pattern), detail: "must be a valid regular expression"))
        }
    }
}
