/// What a kind's CustomResourceDefinition says beyond its group and names: schema,
/// printer columns, short names, subresources. `crd` renders the apiextensions.k8s.io/v1 object.
import KubeCore

/// A printer column (`additionalPrinterColumns`).
public struct PrinterColumn: Sendable {
    public var name: String
    public var type: String
    public var jsonPath: String
    public var description: String
    public var priority: Int
    public init(_ name: String, type: String = "string", jsonPath: String, description: String, priority: Int = 0) {
        self.name = name
        self.type = type
        self.jsonPath = jsonPath
        self.description = description
        self.priority = priority
    }

    /// The `Ready` condition's status, the first column users look at.
    static let ready = PrinterColumn("Ready", jsonPath: #".status.conditions[?(@.type=="Ready")].status"#, description: "Whether the object is ready (the Ready condition).")
    static let reason = PrinterColumn("Reason", jsonPath: #".status.conditions[?(@.type=="Ready")].reason"#, description: "Reason of the Ready condition.", priority: 1)
    static let age = PrinterColumn("Age", type: "date", jsonPath: ".metadata.creationTimestamp", description: "Time since the object was created.")
}

/// The scale subresource paths (`kubectl scale`, HPA, KEDA).
public struct ScaleSubresource: Sendable {
    public var specReplicasPath: String
    public var statusReplicasPath: String
    public var labelSelectorPath: String?
}

public struct ResourceDefinition: Sendable {
    public var description: String
    public var shortNames: [String]
    public var spec: FieldSchema
    public var status: FieldSchema
    public var printerColumns: [PrinterColumn]
    public var scale: ScaleSubresource?
    /// Whether `spec` must be present.
    public var specRequired = true

    /// The full `openAPIV3Schema` of the kind.
    public var openAPIV3Schema: JSONValue {
        var root: [String: JSONValue] = [
            "type": "object",
            "description": .string(description),
            "properties": [
                "apiVersion": ["type": "string", "description": "Versioned schema of this representation of an object; ferry.dev/v1alpha1."],
                "kind": ["type": "string", "description": "REST resource this object represents, in CamelCase."],
                // kube-apiserver allows nothing but the type here (metadata is implicitly specified).
                "metadata": ["type": "object"],
                "spec": spec.value,
                "status": status.value,
            ],
        ]
        if specRequired { root["required"] = ["spec"] }
        return .object(root)
    }

    /// The apiextensions.k8s.io/v1 CustomResourceDefinition for `resourceType`.
    public func crd(for resourceType: ResourceType) -> JSONValue {
        var subresources: [String: JSONValue] = ["status": [:]]
        if let scale {
            var s: [String: JSONValue] = ["specReplicasPath": .string(scale.specReplicasPath), "statusReplicasPath": .string(scale.statusReplicasPath)]
            if let l = scale.labelSelectorPath { s["labelSelectorPath"] = .string(l) }
            subresources["scale"] = .object(s)
        }
        let columns: [JSONValue] = printerColumns.map { c in
            var j: [String: JSONValue] = ["name": .string(c.name), "type": .string(c.type), "jsonPath": .string(c.jsonPath), "description": .string(c.description)]
            if c.priority != 0 { j["priority"] = .int(Int64(c.priority)) }
            return .object(j)
        }
        let kind = resourceType.kind
        return [
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": ["name": .string("\(resourceType.plural).\(resourceType.gvk.group)")],
            "spec": [
                "group": .string(resourceType.gvk.group),
                "names": [
                    "kind": .string(kind),
                    "listKind": .string(kind + "List"),
                    "plural": .string(resourceType.plural),
                    "singular": .string(kind.lowercased()),
                    "shortNames": .array(shortNames.map { .string($0) }),
                    "categories": [.string(FerryAPI.category)],
                ],
                "scope": resourceType.namespaced ? "Namespaced" : "Cluster",
                "versions": [[
                    "name": .string(resourceType.gvk.version),
                    "served": true,
                    "storage": true,
                    "schema": ["openAPIV3Schema": openAPIV3Schema],
                    "subresources": .object(subresources),
                    "additionalPrinterColumns": .array(columns),
                ]],
            ],
        ]
    }
}

extension FerryResource {
    /// This kind's CustomResourceDefinition.
    public static var crd: JSONValue { definition.crd(for: resourceType) }
}
