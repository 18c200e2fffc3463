/// Source and Destination: a connector instance (which Airbyte-protocol image, and its
/// configuration). Data only; schemas in Connector+Schema.swift, defaults in Connector+Defaults.swift.
import KubeCore

/// The spec shared by Source and Destination.
public struct ConnectorSpec: Codable, Sendable, Hashable {
    /// Airbyte-protocol connector image.
    public var image: String
    /// Entrypoint override; empty means the image's AIRBYTE_ENTRYPOINT.
    public var command: [String]?
    /// Non-secret connector configuration, free-form (the connector's spec defines it).
    public var config: JSONValue?
    public var secretRefs: [SecretRef]?
    public var resources: ResourceRequirements?
    public var check: CheckPolicy?

    public init(image: String, command: [String]? = nil, config: JSONValue? = nil, secretRefs: [SecretRef]? = nil, resources: ResourceRequirements? = nil, check: CheckPolicy? = nil) {
        self.image = image
        self.command = command
        self.config = config
        self.secretRefs = secretRefs
        self.resources = resources
        self.check = check
    }
}

/// When the connector's `check` runs again (it always runs on a spec change).
public struct CheckPolicy: Codable, Sendable, Hashable {
    public var interval: String?
    public init(interval: String? = nil) { self.interval = interval }
}

/// A stream found by `discover`, summarized.
public struct DiscoveredStream: Codable, Sendable, Hashable {
    public var name: String
    public var namespace: String?
    public var supportedSyncModes: [SyncMode]?
    public var sourceDefinedCursor: Bool?
    public var defaultCursorField: [String]?
    public var sourceDefinedPrimaryKey: [[String]]?
    /// Top-level field names (the keys of the stream's `json_schema.properties`), sorted;
    /// nil when the schema lists none, so a change of fields cannot be told. A Connection
    /// compares them between discoveries (its `schemaChanges` policy).
    public var fields: [String]?
    public init(name: String, namespace: String? = nil, supportedSyncModes: [SyncMode]? = nil, sourceDefinedCursor: Bool? = nil, defaultCursorField: [String]? = nil,
                sourceDefinedPrimaryKey: [[String]]? = nil, fields: [String]? = nil) {
        self.name = name
        self.namespace = namespace
        self.supportedSyncModes = supportedSyncModes
        self.sourceDefinedCursor = sourceDefinedCursor
        self.defaultCursorField = defaultCursorField
        self.sourceDefinedPrimaryKey = sourceDefinedPrimaryKey
        self.fields = fields
    }
}

/// The result of the last `discover`.
public struct DiscoveredCatalog: Codable, Sendable, Hashable {
    public var discoveredAt: String?
    public var streams: [DiscoveredStream]?
    public init(discoveredAt: String? = nil, streams: [DiscoveredStream]? = nil) {
        self.discoveredAt = discoveredAt
        self.streams = streams
    }
}

public struct SourceStatus: Codable, Sendable, Hashable {
    public var observedGeneration: Int64?
    public var conditions: [Condition]?
    public var lastCheckTime: String?
    public var catalog: DiscoveredCatalog?
    public init(observedGeneration: Int64? = nil, conditions: [Condition]? = nil, lastCheckTime: String? = nil, catalog: DiscoveredCatalog? = nil) {
        self.observedGeneration = observedGeneration
        self.conditions = conditions
        self.lastCheckTime = lastCheckTime
        self.catalog = catalog
    }
}

public struct DestinationStatus: Codable, Sendable, Hashable {
    public var observedGeneration: Int64?
    public var conditions: [Condition]?
    public var lastCheckTime: String?
    public init(observedGeneration: Int64? = nil, conditions: [Condition]? = nil, lastCheckTime: String? = nil) {
        self.observedGeneration = observedGeneration
        self.conditions = conditions
        self.lastCheckTime = lastCheckTime
    }
}

/// A source connector instance (short name `fsrc`).
public struct Source: FerryResource, Hashable {
    public static let resourceType = ResourceType.ferry(kind: "Source", plural: "sources")
    public var apiVersion: String = FerryAPI.apiVersion
    public var kind: String = "Source"
    public var metadata: ObjectMeta
    public var spec: ConnectorSpec
    public var status: SourceStatus?
    public init(metadata: ObjectMeta, spec: ConnectorSpec, status: SourceStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// A destination connector instance (short name `fdst`).
public struct Destination: FerryResource, Hashable {
    public static let resourceType = ResourceType.ferry(kind: "Destination", plural: "destinations")
    public var apiVersion: String = FerryAPI.apiVersion
    public var kind: String = "Destination"
    public var metadata: ObjectMeta
    public var spec: ConnectorSpec
    public var status: DestinationStatus?
    public init(metadata: ObjectMeta, spec: ConnectorSpec, status: DestinationStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}
