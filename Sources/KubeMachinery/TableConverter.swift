/// meta.k8s.io/v1 `Table` rendering for `kubectl get`, following kube-apiserver's CRD
/// table convertor: a `Name` column, then the CRD's additionalPrinterColumns.
import Foundation
import KubeCore

/// One `additionalPrinterColumns` entry of a CRD version.
public struct PrinterColumn: Sendable, Equatable {
    public var name: String
    public var type: String
    public var format: String
    public var description: String
    public var priority: Int
    public var jsonPath: String

    public init(name: String, type: String, format: String = "", description: String = "", priority: Int = 0, jsonPath: String) {
        self.name = name
        self.type = type
        self.format = format
        self.description = description
        self.priority = priority
        self.jsonPath = jsonPath
    }

    public static let validTypes = ["boolean", "date", "integer", "number", "string"]

    /// Reads a CRD `additionalPrinterColumns` entry; paths in errors are relative to the entry.
    public init(crdColumn: JSONValue) throws(SchemaError) {
        var errors: [FieldError] = []
        let name = crdColumn["name"].stringValue ?? ""
        let type = crdColumn["type"].stringValue ?? ""
        let jsonPath = crdColumn["jsonPath"].stringValue ?? ""
        if name.isEmpty { errors.append(FieldError(.required, path: "name")) }
        if type.isEmpty {
            errors.append(FieldError(.required, path: "type"))
        } else if !Self.validTypes.contains(type) {
            errors.append(FieldError(.notSupported, path: "type", value: .string(type),
                                     detail: "supported values: " + Self.validTypes.map { "\"\($0)\"" }.joined(separator: ", ")))
        }
        if jsonPath.isEmpty {
            errors.append(FieldError(.required, path: "jsonPath"))
        } else {
            do { _ = try JSONPathExpression(jsonPath) } catch {
                errors.append(FieldError(.invalid, path: "jsonPath", value: .string(jsonPath), detail: "must be a simple json path: \(error.message)"))
            }
        }
        let priority = crdColumn["priority"]
        if !priority.isNull && priority.intValue == nil {
            errors.append(FieldError(.invalid, path: "priority", value: priority, detail: "must be an integer"))
        }
        if !errors.isEmpty { throw SchemaError(errors: errors) }
        self.init(name: name, type: type, format: crdColumn["format"].stringValue ?? "",
                  description: crdColumn["description"].stringValue ?? "",
                  priority: Int(priority.intValue ?? 0), jsonPath: jsonPath)
    }

    /// What CRDs without printer columns show: the object's age.
    public static let defaultAge = PrinterColumn(
        name: "Age", type: "date", description: ObjectMetaDescriptions.creationTimestamp, jsonPath: ".metadata.creationTimestamp")
}

public enum TableConverter {
    /// `includeObject` is the `includeObject` query parameter: None, Metadata (default) or Object.
    public static func table(columns: [PrinterColumn], objects: [JSONValue], includeObject: String,
                             resourceVersion: String?, continueToken: String?) -> JSONValue {
        let printed = columns.isEmpty ? [PrinterColumn.defaultAge] : columns
        // A column whose path does not compile shows no values, as kube-apiserver does.
        let paths = printed.map { try? JSONPathExpression($0.jsonPath) }
        var definitions: [JSONValue] = [[
            "name": "Name", "type": "string", "format": "name",
            "description": .string(ObjectMetaDescriptions.name), "priority": 0,
        ]]
        for c in printed {
            definitions.append([
                "name": .string(c.name), "type": .string(c.type), "format": .string(c.format),
                "description": .string(c.description), "priority": .int(Int64(c.priority)),
            ])
        }
        let rows: [JSONValue] = objects.map { object in
            var cells: [JSONValue] = [.string(object.name ?? "")]
            for (column, path) in zip(printed, paths) {
                cells.append(cell(type: column.type, results: path?.evaluate(object) ?? []))
            }
            var row: JSONValue = ["cells": .array(cells)]
            switch includeObject {
            case "None": break
            case "Object": row["object"] = object
            default:
                row["object"] = [
                    "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                    "metadata": object["metadata"].isNull ? .emptyObject : object["metadata"],
                ]
            }
            return row
        }
        var metadata: JSONValue = .emptyObject
        if let resourceVersion, !resourceVersion.isEmpty { metadata["resourceVersion"] = .string(resourceVersion) }
        if let continueToken, !continueToken.isEmpty { metadata["continue"] = .string(continueToken) }
        return [
            "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": metadata,
            "columnDefinitions": .array(definitions), "rows": .array(rows),
        ]
    }

    /// One cell: typed for integer/number/boolean/date, text for string, null when absent or mistyped.
    static func cell(type: String, results: [JSONValue]) -> JSONValue {
        guard let first = results.first else { return .null }
        switch type {
        case "string":
            return .string(results.map(text).joined(separator: ","))
        case "integer":
            return first.intValue.map { .int($0) } ?? .null
        case "number":
            switch first {
            case .int, .double: return first
            default: return .null
            }
        case "boolean":
            return first.boolValue.map { .bool($0) } ?? .null
        case "date":
            // kubectl humanizes the RFC 3339 string itself.
            if let s = first.stringValue, KubeTime.parse(s) != nil { return first }
            return .null
        default:
            return .null
        }
    }

    static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return s
        case .null: return ""
        default: return value.serialized()
        }
    }
}

/// ObjectMeta field descriptions, as Kubernetes publishes them (used in tables and OpenAPI).
public enum ObjectMetaDescriptions {
    public static let name = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
    public static let creationTimestamp = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"
}
