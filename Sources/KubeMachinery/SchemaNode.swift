/// One node of a structural schema, parsed from an apiextensions v1 `JSONSchemaProps` object.
import KubeCore

/// A parsed schema node. Immutable and shared, so nested schemas cost one allocation each.
final class SchemaNode: Sendable {
    enum AdditionalProperties: Sendable {
        case unspecified
        case allowed(Bool)
        case schema(SchemaNode)
    }

    /// One `x-kubernetes-validations` entry, compiled.
    struct ValidationRule: Sendable {
        var rule: String
        var program: CELProgram
        var message: String?
        var messageExpression: CELProgram?
        var fieldPath: String?
        var reason: String?
        /// Transition rules (referencing `oldSelf`) run only on update when an old value exists.
        var isTransition: Bool
    }

    let raw: JSONValue
    let type: String?
    let nullable: Bool
    let format: String?
    let enumValues: [JSONValue]?
    let minimum: Double?
    let maximum: Double?
    let exclusiveMinimum: Bool
    let exclusiveMaximum: Bool
    let multipleOf: Double?
    let minLength: Int64?
    let maxLength: Int64?
    let pattern: String?
    let minItems: Int64?
    let maxItems: Int64?
    let minProperties: Int64?
    let maxProperties: Int64?
    let required: [String]
    let properties: [String: SchemaNode]
    let additionalProperties: AdditionalProperties
    let items: SchemaNode?
    let anyOf: [SchemaNode]
    let oneOf: [SchemaNode]
    let allOf: [SchemaNode]
    let not: SchemaNode?
    let defaultValue: JSONValue?
    let intOrString: Bool
    let preserveUnknownFields: Bool
    let embeddedResource: Bool
    let listType: String?
    let listMapKeys: [String]
    let mapType: String?
    let validations: [ValidationRule]

    /// Parses `raw`, recording problems (with `path` the schema's own field path) in `errors`.
    init(_ raw: JSONValue, path: String, errors: inout [FieldError]) {
        self.raw = raw
        type = raw["type"].stringValue
        nullable = raw["nullable"].boolValue ?? false
        format = raw["format"].stringValue
        enumValues = raw["enum"].arrayValue
        minimum = raw["minimum"].doubleValue
        maximum = raw["maximum"].doubleValue
        exclusiveMinimum = raw["exclusiveMinimum"].boolValue ?? false
        exclusiveMaximum = raw["exclusiveMaximum"].boolValue ?? false
        multipleOf = raw["multipleOf"].doubleValue
        minLength = raw["minLength"].intValue
        maxLength = raw["maxLength"].intValue
        pattern = raw["pattern"].stringValue
        minItems = raw["minItems"].intValue
        maxItems = raw["maxItems"].intValue
        minProperties = raw["minProperties"].intValue
        maxProperties = raw["maxProperties"].intValue
        required = raw["required"].arrayValue?.compactMap(\.stringValue) ?? []
        defaultValue = raw.has("default") ? raw["default"] : Optional<JSONValue>.none
        intOrString = raw["x-kubernetes-int-or-string"].boolValue ?? false
        preserveUnknownFields = raw["x-kubernetes-preserve-unknown-fields"].boolValue ?? false
        embeddedResource = raw["x-kubernetes-embedded-resource"].boolValue ?? false
        listType = raw["x-kubernetes-list-type"].stringValue
        listMapKeys = raw["x-kubernetes-list-map-keys"].arrayValue?.compactMap(\.stringValue) ?? []
        mapType = raw["x-kubernetes-map-type"].stringValue

        var properties: [String: SchemaNode] = [:]
        for (name, child) in raw["properties"].objectValue ?? [:] {
            properties[name] = SchemaNode(child, path: "\(path).properties[\(name)]", errors: &errors)
        }
        self.properties = properties
        switch raw["additionalProperties"] {
        case .bool(let b): additionalProperties = .allowed(b)
        case .object(let o): additionalProperties = .schema(SchemaNode(.object(o), path: path + ".additionalProperties", errors: &errors))
        default: additionalProperties = .unspecified
        }
        switch raw["items"] {
        case .object: items = SchemaNode(raw["items"], path: path + ".items", errors: &errors)
        case .array: items = nil; errors.append(FieldError(.forbidden, path: path + ".items", detail: "items must be a schema object and not an array"))
        default: items = nil
        }
        func branches(_ key: String, errors: inout [FieldError]) -> [SchemaNode] {
            (raw[key].arrayValue ?? []).enumerated().map { SchemaNode($1, path: "\(path).\(key)[\($0)]", errors: &errors) }
        }
        anyOf = branches("anyOf", errors: &errors)
        oneOf = branches("oneOf", errors: &errors)
        allOf = branches("allOf", errors: &errors)
        not = raw.has("not") ? SchemaNode(raw["not"], path: path + ".not", errors: &errors) : nil

        var rules: [ValidationRule] = []
        for (i, entry) in (raw["x-kubernetes-validations"].arrayValue ?? []).enumerated() {
            let rulePath = "\(path).x-kubernetes-validations[\(i)]"
            guard let rule = entry["rule"].stringValue, !rule.isEmpty else {
                errors.append(FieldError(.required, path: rulePath + ".rule"))
                continue
            }
            do {
                let program = try CELProgram(rule)
                var messageExpression: CELProgram?
                if let text = entry["messageExpression"].stringValue {
                    do { messageExpression = try CELProgram(text) } catch {
                        errors.append(FieldError(.invalid, path: rulePath + ".messageExpression", value: .string(text),
                                                 detail: "messageExpression compilation failed: \(error.message)"))
                    }
                }
                rules.append(ValidationRule(rule: rule, program: program, message: entry["message"].stringValue,
                                            messageExpression: messageExpression, fieldPath: entry["fieldPath"].stringValue,
                                            reason: entry["reason"].stringValue, isTransition: program.referencesOldSelf))
            } catch {
                errors.append(FieldError(.invalid, path: rulePath + ".rule", value: .string(rule),
                                         detail: "compilation failed: \(error.message)"))
            }
        }
        validations = rules
    }

    /// The schema of a member `name` of an object this node describes, if any.
    func propertySchema(_ name: String) -> SchemaNode? {
        if let p = properties[name] { return p }
        if case .schema(let s) = additionalProperties { return s }
        return nil
    }
}
