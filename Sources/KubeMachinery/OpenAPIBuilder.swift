/// OpenAPI documents for `kubectl explain` and clients: v3 per group-version
/// (`/openapi/v3/apis/<group>/<version>`) and one Swagger 2 document (`/openapi/v2`).
import KubeCore

/// A resource to publish: its type, its `openAPIV3Schema`, and its subresources.
public struct OpenAPIResource: Sendable {
    public var type: ResourceType
    public var schema: JSONValue
    public var hasStatus: Bool
    public var hasScale: Bool

    public init(type: ResourceType, schema: JSONValue, hasStatus: Bool, hasScale: Bool) {
        self.type = type
        self.schema = schema
        self.hasStatus = hasStatus
        self.hasScale = hasScale
    }
}

public enum OpenAPIBuilder {
    enum Flavor {
        case v3, v2
        var refPrefix: String { self == .v3 ? "#/components/schemas/" : "#/definitions/" }
    }

    public static func v3Document(groupVersion: GroupVersion, resources: [OpenAPIResource]) -> JSONValue {
        let published = resources.filter { $0.type.gvk.groupVersion == groupVersion }
        var schemas = MetaSchemas.all(.v3)
        var paths: [String: JSONValue] = [:]
        for resource in published {
            for (name, schema) in definitions(for: resource, flavor: .v3) { schemas[name] = schema }
            for (path, item) in pathItems(for: resource, flavor: .v3) { paths[path] = item }
        }
        return [
            "openapi": "3.0.0",
            "info": ["title": "Kubernetes", "version": "unversioned"],
            "paths": .object(paths),
            "components": ["schemas": .object(schemas)],
        ]
    }

    public static func v2Document(resources: [OpenAPIResource]) -> JSONValue {
        var definitions = MetaSchemas.all(.v2)
        var paths: [String: JSONValue] = [:]
        for resource in resources {
            for (name, schema) in self.definitions(for: resource, flavor: .v2) { definitions[name] = schema }
            for (path, item) in pathItems(for: resource, flavor: .v2) { paths[path] = item }
        }
        return [
            "swagger": "2.0",
            "info": ["title": "Kubernetes", "version": "unversioned"],
            "paths": .object(paths),
            "definitions": .object(definitions),
        ]
    }

    /// `dev.ferry.v1alpha1.Source` for group `ferry.dev`; built-in groups use Kubernetes' own names.
    public static func schemaName(_ gvk: GroupVersionKind) -> String {
        "\(namePrefix(group: gvk.group)).\(gvk.version).\(gvk.kind)"
    }

    static func namePrefix(group: String) -> String {
        if group.isEmpty { return "io.k8s.api.core" }
        if group.hasSuffix(".k8s.io") {
            let first = group.split(separator: ".").first.map(String.init) ?? group
            return first == "apiextensions" ? "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions" : "io.k8s.api.\(first)"
        }
        return group.split(separator: ".").reversed().joined(separator: ".")
    }

    static func gvkExtension(_ gvk: GroupVersionKind) -> JSONValue {
        [["group": .string(gvk.group), "version": .string(gvk.version), "kind": .string(gvk.kind)]]
    }

    /// The resource's schema and its list schema.
    static func definitions(for resource: OpenAPIResource, flavor: Flavor) -> [String: JSONValue] {
        let gvk = resource.type.gvk
        var schema = resource.schema.objectValue ?? [:]
        schema["type"] = "object"
        var properties = schema["properties"]?.objectValue ?? [:]
        properties["apiVersion"] = ["type": "string", "description": .string(MetaSchemas.apiVersionDescription)]
        properties["kind"] = ["type": "string", "description": .string(MetaSchemas.kindDescription)]
        properties["metadata"] = [
            "description": "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
            "allOf": [["$ref": .string(flavor.refPrefix + MetaSchemas.objectMeta)]],
        ]
        schema["properties"] = .object(properties)
        schema["x-kubernetes-group-version-kind"] = gvkExtension(gvk)
        let name = schemaName(gvk)
        var listKind = gvk
        listKind.kind += "List"
        let list: JSONValue = [
            "type": "object",
            "description": .string("\(gvk.kind)List is a list of \(gvk.kind)"),
            "required": ["items"],
            "properties": [
                "apiVersion": ["type": "string", "description": .string(MetaSchemas.apiVersionDescription)],
                "kind": ["type": "string", "description": .string(MetaSchemas.kindDescription)],
                "metadata": ["allOf": [["$ref": .string(flavor.refPrefix + MetaSchemas.listMeta)]]],
                "items": [
                    "type": "array",
                    "description": .string("List of \(resource.type.plural). More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md"),
                    "items": ["$ref": .string(flavor.refPrefix + name)],
                ],
            ],
            "x-kubernetes-group-version-kind": gvkExtension(listKind),
        ]
        return [name: .object(schema), schemaName(listKind): list]
    }
}
