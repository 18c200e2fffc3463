/// Connection: what to move from which Source to which Destination, and when.
/// Data only; schema in Connection+Schema.swift, defaults in Connection+Defaults.swift.
import KubeCore

/// Airbyte sync mode of a stream's read side.
public enum SyncMode: String, Codable, Sendable, CaseIterable {
    case fullRefresh = "full_refresh", incremental
}

/// Airbyte sync mode of a stream's write side.
public enum DestinationSyncMode: String, Codable, Sendable, CaseIterable {
    case overwrite, append
    case appendDedup = "append_dedup"
    case overwriteDedup = "overwrite_dedup"

    /// Whether the mode deduplicates by primary key.
    public var deduplicates: Bool { self == .appendDedup || self == .overwriteDedup }
}

public enum NamespaceDefinition: String, Codable, Sendable, CaseIterable { case source, destination, custom }

public enum SchemaChangePolicy: String, Codable, Sendable, CaseIterable {
    case ignore
    case propagateColumns = "propagate_columns"
    case propagateFully = "propagate_fully"
    case disable
}

/// Same meaning as CronJob's concurrencyPolicy.
public enum ConcurrencyPolicy: String, Codable, Sendable, CaseIterable { case forbid = "Forbid", replace = "Replace", allow = "Allow" }

/// When scheduled syncs run: a cron expression in a time zone, or a fixed interval.
public struct Schedule: Codable, Sendable, Hashable {
    public var cron: String?
    public var timeZone: String?
    public var every: String?
    public init(cron: String? = nil, timeZone: String? = nil, every: String? = nil) {
        self.cron = cron
        self.timeZone = timeZone
        self.every = every
    }
}

/// One stream of the configured catalog.
public struct ConfiguredStream: Codable, Sendable, Hashable {
    public var name: String
    public var namespace: String?
    public var syncMode: SyncMode?
    public var destinationSyncMode: DestinationSyncMode?
    public var cursorField: [String]?
    public var primaryKey: [[String]]?
    public init(name: String, namespace: String? = nil, syncMode: SyncMode? = nil, destinationSyncMode: DestinationSyncMode? = nil, cursorField: [String]? = nil, primaryKey: [[String]]? = nil) {
        self.name = name
        self.namespace = namespace
        self.syncMode = syncMode
        self.destinationSyncMode = destinationSyncMode
        self.cursorField = cursorField
        self.primaryKey = primaryKey
    }
}

/// Backoff after attempts that committed nothing.
public struct Backoff: Codable, Sendable, Hashable {
    public var initialSeconds: Int32?
    public var factor: Int32?
    public var maxSeconds: Int32?
    public init(initialSeconds: Int32? = nil, factor: Int32? = nil, maxSeconds: Int32? = nil) {
        self.initialSeconds = initialSeconds
        self.factor = factor
        self.maxSeconds = maxSeconds
    }
}

/// Airbyte's progress-aware retry policy.
public struct RetryPolicy: Codable, Sendable, Hashable {
    public var maxSuccessiveFailures: Int32?
    public var maxTotalFailures: Int32?
    public var maxAttemptsWithProgress: Int32?
    public var backoff: Backoff?
    public init(maxSuccessiveFailures: Int32? = nil, maxTotalFailures: Int32? = nil, maxAttemptsWithProgress: Int32? = nil, backoff: Backoff? = nil) {
        self.maxSuccessiveFailures = maxSuccessiveFailures
        self.maxTotalFailures = maxTotalFailures
        self.maxAttemptsWithProgress = maxAttemptsWithProgress
        self.backoff = backoff
    }
}

public struct Timeouts: Codable, Sendable, Hashable {
    public var attempt: String?
    public var sourceSilence: String?
    public var podStart: String?
    public init(attempt: String? = nil, sourceSilence: String? = nil, podStart: String? = nil) {
        self.attempt = attempt
        self.sourceSilence = sourceSilence
        self.podStart = podStart
    }
}

/// Pod-level settings of a Connection's worker pods.
public struct PodTemplateOverrides: Codable, Sendable, Hashable {
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var nodeSelector: [String: String]?
    public var tolerations: [Toleration]?
    public var affinity: JSONValue?
    public var priorityClassName: String?
    public var serviceAccountName: String?
    public var securityContext: JSONValue?
    public init(labels: [String: String]? = nil, annotations: [String: String]? = nil, nodeSelector: [String: String]? = nil, tolerations: [Toleration]? = nil, affinity: JSONValue? = nil, priorityClassName: String? = nil, serviceAccountName: String? = nil, securityContext: JSONValue? = nil) {
        self.labels = labels
        self.annotations = annotations
        self.nodeSelector = nodeSelector
        self.tolerations = tolerations
        self.affinity = affinity
        self.priorityClassName = priorityClassName
        self.serviceAccountName = serviceAccountName
        self.securityContext = securityContext
    }
}

/// How many finished Syncs are kept.
public struct HistoryLimits: Codable, Sendable, Hashable {
    public var successful: Int32?
    public var failed: Int32?
    public init(successful: Int32? = nil, failed: Int32? = nil) {
        self.successful = successful
        self.failed = failed
    }
}

public struct ConnectionSpec: Codable, Sendable, Hashable {
    public var sourceRef: LocalObjectReference
    public var destinationRef: LocalObjectReference
    public var schedule: Schedule?
    public var suspend: Bool?
    public var streams: [ConfiguredStream]?
    public var namespaceDefinition: NamespaceDefinition?
    public var namespaceFormat: String?
    public var prefix: String?
    public var schemaChanges: SchemaChangePolicy?
    public var concurrencyPolicy: ConcurrencyPolicy?
    public var startingDeadlineSeconds: Int64?
    public var retry: RetryPolicy?
    public var timeouts: Timeouts?
    public var workerPool: String?
    public var resources: WorkerResources?
    public var podTemplate: PodTemplateOverrides?
    public var history: HistoryLimits?

    public init(sourceRef: LocalObjectReference, destinationRef: LocalObjectReference, schedule: Schedule? = nil, suspend: Bool? = nil, streams: [ConfiguredStream]? = nil, namespaceDefinition: NamespaceDefinition? = nil, namespaceFormat: String? = nil, prefix: String? = nil, schemaChanges: SchemaChangePolicy? = nil, concurrencyPolicy: ConcurrencyPolicy? = nil, startingDeadlineSeconds: Int64? = nil, retry: RetryPolicy? = nil, timeouts: Timeouts? = nil, workerPool: String? = nil, resources: WorkerResources? = nil, podTemplate: PodTemplateOverrides? = nil, history: HistoryLimits? = nil) {
        self.sourceRef = sourceRef
        self.destinationRef = destinationRef
        self.schedule = schedule
        self.suspend = suspend
        self.streams = streams
        self.namespaceDefinition = namespaceDefinition
        self.namespaceFormat = namespaceFormat
        self.prefix = prefix
        self.schemaChanges = schemaChanges
        self.concurrencyPolicy = concurrencyPolicy
        self.startingDeadlineSeconds = startingDeadlineSeconds
        self.retry = retry
        self.timeouts = timeouts
        self.workerPool = workerPool
        self.resources = resources
        self.podTemplate = podTemplate
        self.history = history
    }
}

/// Summary of the most recent Sync.
public struct LastSyncSummary: Codable, Sendable, Hashable {
    public var name: String
    public var phase: SyncPhase?
    public var completionTime: String?
    public var recordsCommitted: Int64?
    public init(name: String, phase: SyncPhase? = nil, completionTime: String? = nil, recordsCommitted: Int64? = nil) {
        self.name = name
        self.phase = phase
        self.completionTime = completionTime
        self.recordsCommitted = recordsCommitted
    }
}

/// Where the committed connector state lives.
public struct ConnectionStateRef: Codable, Sendable, Hashable {
    public var configMapName: String?
    public var updatedAt: String?
    public var bytes: Int64?
    public init(configMapName: String? = nil, updatedAt: String? = nil, bytes: Int64? = nil) {
        self.configMapName = configMapName
        self.updatedAt = updatedAt
        self.bytes = bytes
    }
}

/// A stream of the schema a Connection accepted: its identity and top-level fields.
public struct SchemaStream: Codable, Sendable, Hashable {
    public var name: String
    public var namespace: String?
    /// Sorted; nil when the discovered schema listed none (field changes cannot be told).
    public var fields: [String]?
    public init(name: String, namespace: String? = nil, fields: [String]? = nil) {
        self.name = name
        self.namespace = namespace
        self.fields = fields
    }
}

/// The Source's catalog as the Connection last accepted it (`spec.schemaChanges`); the
/// next discovery is compared with it.
public struct ConnectionSchema: Codable, Sendable, Hashable {
    /// The Source the catalog came from; another Source's catalog is accepted as is.
    public var source: String?
    /// The Source's `status.catalog.discoveredAt` of the accepted catalog.
    public var discoveredAt: String?
    public var streams: [SchemaStream]?
    public init(source: String? = nil, discoveredAt: String? = nil, streams: [SchemaStream]? = nil) {
        self.source = source
        self.discoveredAt = discoveredAt
        self.streams = streams
    }
}

/// Schema changes found and not accepted: ignored by policy, or waiting for the user
/// after they suspended the Connection.
public struct PendingSchemaChanges: Codable, Sendable, Hashable {
    /// The Source's `status.catalog.discoveredAt` they were found in.
    public var discoveredAt: String?
    /// How many changes; `changes` may list fewer.
    public var count: Int64?
    /// The changes, described (at most `PendingSchemaChanges.maxListed`).
    public var changes: [String]?
    /// Why the changes are breaking; nil when they are not.
    public var breaking: String?
    /// Keeps the status small for a catalog that changed wholesale.
    public static let maxListed = 20
    public init(discoveredAt: String? = nil, count: Int64? = nil, changes: [String]? = nil, breaking: String? = nil) {
        self.discoveredAt = discoveredAt
        self.count = count
        self.changes = changes
        self.breaking = breaking
    }
}

public struct ConnectionStatus: Codable, Sendable, Hashable {
    public var observedGeneration: Int64?
    public var conditions: [Condition]?
    public var lastScheduleTime: String?
    public var nextScheduleTime: String?
    public var lastSuccessfulSyncTime: String?
    public var lastSync: LastSyncSummary?
    public var activeSyncs: [String]?
    public var state: ConnectionStateRef?
    /// Syncs failed since the last success, kept here because the history limits delete
    /// the Syncs themselves; the Connection is disabled after too many (Airbyte's rule).
    public var consecutiveFailures: Int64?
    /// When the first of `consecutiveFailures` finished.
    public var firstFailureTime: String?
    /// The Source's catalog as last accepted; the first one seen is accepted as is.
    public var schema: ConnectionSchema?
    /// Changes since `schema` not accepted (yet); nil when there are none.
    public var pendingSchemaChanges: PendingSchemaChanges?
    public init(observedGeneration: Int64? = nil, conditions: [Condition]? = nil, lastScheduleTime: String? = nil, nextScheduleTime: String? = nil, lastSuccessfulSyncTime: String? = nil, lastSync: LastSyncSummary? = nil, activeSyncs: [String]? = nil, state: ConnectionStateRef? = nil, consecutiveFailures: Int64? = nil, firstFailureTime: String? = nil,
                schema: ConnectionSchema? = nil, pendingSchemaChanges: PendingSchemaChanges? = nil) {
        self.observedGeneration = observedGeneration
        self.conditions = conditions
        self.lastScheduleTime = lastScheduleTime
        self.nextScheduleTime = nextScheduleTime
        self.lastSuccessfulSyncTime = lastSuccessfulSyncTime
        self.lastSync = lastSync
        self.activeSyncs = activeSyncs
        self.state = state
        self.consecutiveFailures = consecutiveFailures
        self.firstFailureTime = firstFailureTime
        self.schema = schema
        self.pendingSchemaChanges = pendingSchemaChanges
    }
}

/// What to move and when (short name `fconn`).
public struct Connection: FerryResource, Hashable {
    public static let resourceType = ResourceType.ferry(kind: "Connection", plural: "connections")
    public var apiVersion: String = FerryAPI.apiVersion
    public var kind: String = "Connection"
    public var metadata: ObjectMeta
    public var spec: ConnectionSpec
    public var status: ConnectionStatus?
    public init(metadata: ObjectMeta, spec: ConnectionSpec, status: ConnectionStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}
