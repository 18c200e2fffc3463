/// One resource the server serves at one group/version: its type, discovery data,
/// subresources, schema and printer columns (built-in kinds and CRD-served kinds alike).
import KubeCore
import KubeMachinery

struct ScaleMapping: Sendable, Hashable {
    var specReplicasPath: String
    var statusReplicasPath: String
    var labelSelectorPath: String?
}

struct ServedResource: Sendable {
    var type: ResourceType
    var singular: String
    var shortNames: [String] = []
    var categories: [String] = []
    var hasStatus: Bool = false
    var scale: ScaleMapping?
    /// Subresources beyond status/scale (pods: binding, eviction, log).
    var extraSubresources: [String] = []
    var schema: StructuralSchema?
    /// The OpenAPI v3 schema for discovery/explain documents.
    var openAPISchema: JSONValue = ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
    var printerColumns: [PrinterColumn] = []
    /// The CRD that serves this resource, nil for built-ins.
    var crdName: String?
    /// Whether this version is the storage version (preferred in discovery).
    var storageVersion: Bool = true

    var isCustom: Bool { crdName != nil }
    var gvr: GroupVersionResource { type.gvr }
    var groupResource: GroupResourceName { GroupResourceName(group: type.gvk.group, resource: type.plural) }
    /// Storage is shared by all versions of a resource (group + plural).
    var storageKey: String { "\(type.gvk.group)/\(type.plural)" }

    var verbs: [String] {
        ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
    }

    /// `APIResource` entries for discovery: the resource and its subresources.
    var discoveryEntries: [JSONValue] {
        var main: JSONValue = [
            "name": .string(type.plural), "singularName": .string(singular), "namespaced": .bool(type.namespaced),
            "kind": .string(type.kind), "verbs": .array(verbs.map { .string($0) }),
        ]
        if !shortNames.isEmpty { main["shortNames"] = .array(shortNames.map { .string($0) }) }
        if !categories.isEmpty { main["categories"] = .array(categories.map { .string($0) }) }
        main["storageVersionHash"] = .string(String(stableHash(storageKey).prefix(12)))
        var entries = [main]
        func sub(_ name: String, kind: String, verbs: [String], group: String? = nil, version: String? = nil) {
            var e: JSONValue = [
                "name": .string("\(type.plural)/\(name)"), "singularName": "", "namespaced": .bool(type.namespaced),
                "kind": .string(kind), "verbs": .array(verbs.map { .string($0) }),
            ]
            if let group { e["group"] = .string(group) }
            if let version { e["version"] = .string(version) }
            entries.append(e)
        }
        if hasStatus { sub("status", kind: type.kind, verbs: ["get", "patch", "update"]) }
        if scale != nil { sub("scale", kind: "Scale", verbs: ["get", "patch", "update"], group: "autoscaling", version: "v1") }
        for name in extraSubresources {
            switch name {
            case "binding": sub(name, kind: "Binding", verbs: ["create"])
            case "eviction": sub(name, kind: "Eviction", verbs: ["create"], group: "policy", version: "v1")
            case "log": sub(name, kind: "Pod", verbs: ["get"])
            case "finalize": sub(name, kind: type.kind, verbs: ["update"])
            default: sub(name, kind: type.kind, verbs: ["get"])
            }
        }
        return entries
    }
}
