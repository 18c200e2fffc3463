/// A small DSL for OpenAPI v3 structural schemas, written beside each type so the CRD
/// YAML is rendered from code (there is no code generator in Swift).
import KubeCore

/// One node of an `openAPIV3Schema`. Every constructor takes the description first,
/// so no field can be declared without one (`kubectl explain` shows it).
public struct FieldSchema: Sendable {
    public private(set) var json: [String: JSONValue]

    init(_ json: [String: JSONValue]) { self.json = json }

    /// The node as a JSON object, ready to embed in a CRD.
    public var value: JSONValue { .object(json) }

    // MARK: Scalars

    public static func string(
        _ description: String, enum values: [String]? = nil, pattern: String? = nil, format: String? = nil,
        minLength: Int? = nil, maxLength: Int? = nil, default def: String? = nil
    ) -> FieldSchema {
        var j: [String: JSONValue] = ["type": "string", "description": .string(description)]
        if let values { j["enum"] = .array(values.map { .string($0) }) }
        if let pattern { j["pattern"] = .string(pattern) }
        if let format { j["format"] = .string(format) }
        if let minLength { j["minLength"] = .int(Int64(minLength)) }
        if let maxLength { j["maxLength"] = .int(Int64(maxLength)) }
        if let def { j["default"] = .string(def) }
        return FieldSchema(j)
    }

    /// A string restricted to the raw values of a Swift enum, so schema and type cannot drift.
    public static func `enum`<E: CaseIterable & RawRepresentable>(
        _ description: String, _ type: E.Type, default def: E? = nil
    ) -> FieldSchema where E.RawValue == String {
        string(description, enum: type.allCases.map(\.rawValue), default: def?.rawValue)
    }

    /// An RFC 3339 timestamp.
    public static func time(_ description: String) -> FieldSchema {
        string(description, format: "date-time")
    }

    /// A Go-style duration such as `90s`, `15m` or `1h30m`.
    public static func duration(_ description: String, default def: String? = nil) -> FieldSchema {
        string(description, pattern: FerryPatterns.duration, default: def)
    }

    public static func integer(
        _ description: String, format: String = "int32", minimum: Int64? = nil, maximum: Int64? = nil, default def: Int64? = nil
    ) -> FieldSchema {
        var j: [String: JSONValue] = ["type": "integer", "format": .string(format), "description": .string(description)]
        if let minimum { j["minimum"] = .int(minimum) }
        if let maximum { j["maximum"] = .int(maximum) }
        if let def { j["default"] = .int(def) }
        return FieldSchema(j)
    }

    public static func boolean(_ description: String, default def: Bool? = nil) -> FieldSchema {
        var j: [String: JSONValue] = ["type": "boolean", "description": .string(description)]
        if let def { j["default"] = .bool(def) }
        return FieldSchema(j)
    }

    /// A Kubernetes quantity (`500m`, `2Gi`, `1`): an integer or a string, as core/v1 declares it.
    public static func quantity(_ description: String) -> FieldSchema {
        FieldSchema([
            "description": .string(description),
            "x-kubernetes-int-or-string": true,
            "anyOf": [["type": "integer"], ["type": "string"]],
            "pattern": .string(FerryPatterns.quantity),
        ])
    }

    // MARK: Collections

    /// An object with the given properties, in declaration order (rendering sorts them).
    public static func object(
        _ description: String, required: [String] = [], _ properties: KeyValuePairs<String, FieldSchema>
    ) -> FieldSchema {
        var props: [String: JSONValue] = [:]
        for (name, schema) in properties { props[name] = schema.value }
        var j: [String: JSONValue] = ["type": "object", "description": .string(description), "properties": .object(props)]
        if !required.isEmpty { j["required"] = .array(required.map { .string($0) }) }
        return FieldSchema(j)
    }

    /// A map from string keys to values of one schema (`additionalProperties`).
    public static func map(_ description: String, of values: FieldSchema) -> FieldSchema {
        FieldSchema(["type": "object", "description": .string(description), "additionalProperties": values.value])
    }

    /// A string-to-string map such as labels or a node selector.
    public static func stringMap(_ description: String) -> FieldSchema {
        map(description, of: FieldSchema(["type": "string"]))
    }

    public static func array(
        _ description: String, of items: FieldSchema, listType: String? = nil, mapKeys: [String]? = nil, maxItems: Int? = nil
    ) -> FieldSchema {
        var j: [String: JSONValue] = ["type": "array", "description": .string(description), "items": items.value]
        if let listType { j["x-kubernetes-list-type"] = .string(listType) }
        if let mapKeys { j["x-kubernetes-list-map-keys"] = .array(mapKeys.map { .string($0) }) }
        if let maxItems { j["maxItems"] = .int(Int64(maxItems)) }
        return FieldSchema(j)
    }

    /// A list of strings (items need no description of their own).
    public static func strings(_ description: String, minItems: Int? = nil) -> FieldSchema {
        var s = array(description, of: FieldSchema(["type": "string"]))
        if let minItems { s.json["minItems"] = .int(Int64(minItems)) }
        return s
    }

    /// An object whose content is not described here and is kept as written. Ferry uses this
    /// for connector `config` (its shape is the connector's spec, checked by the connector)
    /// and for core/v1 pass-through structs (affinity, securityContext) that the Pod API validates.
    public static func freeForm(_ description: String) -> FieldSchema {
        FieldSchema(["type": "object", "description": .string(description), "x-kubernetes-preserve-unknown-fields": true])
    }

    // MARK: Modifiers

    /// Adds a CEL rule (`x-kubernetes-validations`).
    public func rule(_ rule: String, message: String, fieldPath: String? = nil, reason: String? = nil) -> FieldSchema {
        var copy = self
        var r: [String: JSONValue] = ["rule": .string(rule), "message": .string(message)]
        if let fieldPath { r["fieldPath"] = .string(fieldPath) }
        if let reason { r["reason"] = .string(reason) }
        copy.json["x-kubernetes-validations"] = .array((json["x-kubernetes-validations"]?.arrayValue ?? []) + [.object(r)])
        return copy
    }

    /// Sets a default the API server fills in (for objects, `{}` lets nested defaults apply).
    public func defaulted(_ value: JSONValue) -> FieldSchema {
        var copy = self
        copy.json["default"] = value
        return copy
    }

    public func withDescription(_ description: String) -> FieldSchema {
        var copy = self
        copy.json["description"] = .string(description)
        return copy
    }
}

/// Patterns shared by several schemas and by semantic validation.
public enum FerryPatterns {
    /// Go `time.ParseDuration` syntax without sign: one or more number+unit pairs.
    public static let duration = #"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$"#
    /// core/v1 resource quantity.
    public static let quantity = #"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"#
    /// RFC 6901 JSON pointer (non-empty, so a secret never replaces the whole config).
    public static let jsonPointer = #"^(/([^/~]|~[01])*)+$"#
    /// DNS-1123 subdomain, for names of referenced objects.
    public static let objectName = #"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"#
}
