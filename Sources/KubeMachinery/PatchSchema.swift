/// Strategic-merge-patch metadata (Go's `patchStrategy`/`patchMergeKey` struct tags) for
/// the built-in kinds the embedded API server serves.

/// How the fields of one object merge: only fields whose lists merge (or whose children
/// do) are listed; everything else merges as a map or is replaced.
public struct PatchSchema: Sendable {
    public var fields: [String: PatchField]

    public init(_ fields: [String: PatchField] = [:]) { self.fields = fields }

    public static let empty = PatchSchema()

    public func field(_ name: String) -> PatchField { fields[name] ?? PatchField() }

    /// The schema for a built-in kind. Unknown kinds (custom resources) merge maps only
    /// and replace lists, except the ObjectMeta lists every kind shares.
    public static func forKind(_ kind: String) -> PatchSchema {
        var top: [String: PatchField] = ["metadata": PatchField(schema: objectMeta)]
        switch kind {
        case "Pod":
            top["spec"] = PatchField(schema: podSpec)
            top["status"] = PatchField(schema: podStatus)
        case "Node":
            top["spec"] = PatchField(schema: PatchSchema(["podCIDRs": .primitiveMerge]))
            top["status"] = PatchField(schema: PatchSchema([
                "conditions": .mergeBy("type"),
                "addresses": .mergeBy("type"),
            ]))
        case "Namespace":
            top["status"] = PatchField(schema: PatchSchema(["conditions": .mergeBy("type")]))
        case "ServiceAccount":
            top["secrets"] = .mergeBy("name")
        case "Deployment":
            top["spec"] = PatchField(schema: PatchSchema([
                "template": PatchField(schema: PatchSchema(["metadata": PatchField(schema: objectMeta), "spec": PatchField(schema: podSpec)])),
            ]))
            top["status"] = PatchField(schema: PatchSchema(["conditions": .mergeBy("type")]))
        case "Service":
            top["spec"] = PatchField(schema: PatchSchema(["ports": .mergeBy("port")]))
        case "Secret", "ConfigMap", "Event", "Lease":
            break
        default:
            break
        }
        return PatchSchema(top)
    }

    static let objectMeta = PatchSchema([
        "ownerReferences": .mergeBy("uid"),
        "finalizers": .primitiveMerge,
    ])

    static let container = PatchSchema([
        "ports": .mergeBy("containerPort"),
        "env": .mergeBy("name"),
        "volumeMounts": .mergeBy("mountPath"),
        "volumeDevices": .mergeBy("devicePath"),
    ])

    static let podSpec = PatchSchema([
        "volumes": PatchField(mergeKey: "name", retainKeys: true),
        "initContainers": .mergeBy("name", schema: container),
        "containers": .mergeBy("name", schema: container),
        "ephemeralContainers": .mergeBy("name", schema: container),
        "imagePullSecrets": .mergeBy("name"),
        "hostAliases": .mergeBy("ip"),
        "topologySpreadConstraints": .mergeBy("topologyKey"),
        "schedulingGates": .mergeBy("name"),
        "resourceClaims": PatchField(mergeKey: "name", retainKeys: true),
    ])

    static let podStatus = PatchSchema([
        "conditions": .mergeBy("type"),
        "podIPs": .mergeBy("ip"),
        "hostIPs": .mergeBy("ip"),
    ])
}

/// Patch metadata of one field.
public struct PatchField: Sendable {
    /// Lists of objects merge element-wise by this key.
    public var mergeKey: String?
    /// Lists of primitives merge as a set (e.g. `metadata.finalizers`).
    public var mergePrimitives: Bool
    /// Elements carry the `retainKeys` strategy (e.g. pod volumes).
    public var retainKeys: Bool
    /// Metadata of the field's object value, or of each list element.
    public var schema: PatchSchema

    public init(mergeKey: String? = nil, mergePrimitives: Bool = false, retainKeys: Bool = false, schema: PatchSchema = .empty) {
        self.mergeKey = mergeKey
        self.mergePrimitives = mergePrimitives
        self.retainKeys = retainKeys
        self.schema = schema
    }

    public var mergesList: Bool { mergeKey != nil || mergePrimitives }

    public static func mergeBy(_ key: String, schema: PatchSchema = .empty) -> PatchField {
        PatchField(mergeKey: key, schema: schema)
    }

    public static let primitiveMerge = PatchField(mergePrimitives: true)
}
