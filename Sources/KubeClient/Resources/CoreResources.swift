/// Typed core/v1 kinds a controller needs: Namespace, ConfigMap, Secret, Pod.
import KubeCore

/// core/v1 Namespace.
public struct Namespace: KubernetesResource, Hashable {
    public static let resourceType = ResourceType.namespace
    public var metadata: ObjectMeta
    public var spec: Spec?
    public var status: Status?

    public struct Spec: Codable, Sendable, Hashable {
        public var finalizers: [String]?
        public init(finalizers: [String]? = nil) { self.finalizers = finalizers }
    }

    public struct Status: Codable, Sendable, Hashable {
        public var phase: String?
        public init(phase: String? = nil) { self.phase = phase }
    }

    public init(metadata: ObjectMeta, spec: Spec? = nil) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// core/v1 ConfigMap.
public struct ConfigMap: KubernetesResource, Hashable {
    public static let resourceType = ResourceType.configMap
    public var metadata: ObjectMeta
    public var data: [String: String]?
    /// Values are base64 in JSON.
    public var binaryData: [String: String]?
    public var immutable: Bool?

    public init(metadata: ObjectMeta, data: [String: String]? = nil, binaryData: [String: String]? = nil, immutable: Bool? = nil) {
        self.metadata = metadata
        self.data = data
        self.binaryData = binaryData
        self.immutable = immutable
    }
}

/// core/v1 Secret. Prints its keys, never its values.
public struct Secret: KubernetesResource, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public static let resourceType = ResourceType.secret
    public var metadata: ObjectMeta
    /// Values are base64 in JSON, as the API returns them.
    public var data: [String: String]?
    /// Write-only plain-text values, merged into `data` by the server.
    public var stringData: [String: String]?
    public var type: String?
    public var immutable: Bool?

    public init(metadata: ObjectMeta, data: [String: String]? = nil, stringData: [String: String]? = nil, type: String? = nil, immutable: Bool? = nil) {
        self.metadata = metadata
        self.data = data
        self.stringData = stringData
        self.type = type
        self.immutable = immutable
    }

    public var description: String {
        let keys = Set((data ?? [:]).keys).union((stringData ?? [:]).keys).sorted()
        return "Secret(\(metadata.namespace ?? "")/\(metadata.name ?? ""), type: \(type ?? ""), keys: \(keys), values: [redacted])"
    }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["metadata": metadata, "type": type as Any], displayStyle: .struct) }
}

/// core/v1 Pod, minimal: spec and status stay unstructured.
public struct Pod: KubernetesResource, Hashable {
    public static let resourceType = ResourceType.pod
    public var metadata: ObjectMeta
    public var spec: JSONValue?
    public var status: JSONValue?

    public init(metadata: ObjectMeta, spec: JSONValue? = nil, status: JSONValue? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public var phase: String? { status?["phase"].stringValue }
}
