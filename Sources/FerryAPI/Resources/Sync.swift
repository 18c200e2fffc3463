/// Sync: one run of a Connection, as a Job is one run of a CronJob. The spec is immutable
/// except `cancel`. Data only; schema in Sync+Schema.swift.
import KubeCore

public enum SyncTrigger: String, Codable, Sendable, CaseIterable { case manual, schedule }

/// `none` uses the committed state; `refresh` ignores it and re-reads everything;
/// `clear` empties the destination streams and resets the state without reading.
public enum RefreshMode: String, Codable, Sendable, CaseIterable { case none, refresh, clear }

public enum SyncPhase: String, Codable, Sendable, CaseIterable {
    case queued = "Queued", pending = "Pending", running = "Running"
    case succeeded = "Succeeded", failed = "Failed", cancelled = "Cancelled"
}

public struct SyncSpec: Codable, Sendable, Hashable {
    public var connectionRef: LocalObjectReference
    public var trigger: SyncTrigger?
    public var scheduledTime: String?
    public var refresh: RefreshMode?
    public var cancel: Bool?
    public init(connectionRef: LocalObjectReference, trigger: SyncTrigger? = nil, scheduledTime: String? = nil, refresh: RefreshMode? = nil, cancel: Bool? = nil) {
        self.connectionRef = connectionRef
        self.trigger = trigger
        self.scheduledTime = scheduledTime
        self.refresh = refresh
        self.cancel = cancel
    }
}

/// One worker pod's try at the Sync.
public struct SyncAttempt: Codable, Sendable, Hashable {
    public var number: Int32
    public var podName: String?
    public var phase: SyncPhase?
    public var startTime: String?
    public var completionTime: String?
    public var reason: String?
    public var message: String?
    /// Records committed by this attempt: decides whether a failure counts as one
    /// with progress (Airbyte's partial failure) or without (complete failure).
    public var recordsCommitted: Int64?
    /// What this attempt moved, as its worker last reported.
    public var stats: SyncStats?
    public init(number: Int32, podName: String? = nil, phase: SyncPhase? = nil, startTime: String? = nil, completionTime: String? = nil, reason: String? = nil, message: String? = nil, recordsCommitted: Int64? = nil, stats: SyncStats? = nil) {
        self.number = number
        self.podName = podName
        self.phase = phase
        self.startTime = startTime
        self.completionTime = completionTime
        self.reason = reason
        self.message = message
        self.recordsCommitted = recordsCommitted
        self.stats = stats
    }
}

public struct StreamStats: Codable, Sendable, Hashable {
    public var name: String
    public var namespace: String?
    public var recordsEmitted: Int64?
    public var bytesEmitted: Int64?
    public var recordsCommitted: Int64?
    public init(name: String, namespace: String? = nil, recordsEmitted: Int64? = nil, bytesEmitted: Int64? = nil, recordsCommitted: Int64? = nil) {
        self.name = name
        self.namespace = namespace
        self.recordsEmitted = recordsEmitted
        self.bytesEmitted = bytesEmitted
        self.recordsCommitted = recordsCommitted
    }
}

public struct SyncStats: Codable, Sendable, Hashable {
    public var recordsEmitted: Int64?
    public var bytesEmitted: Int64?
    public var recordsCommitted: Int64?
    public var stateMessagesCommitted: Int64?
    public var streams: [StreamStats]?
    public init(recordsEmitted: Int64? = nil, bytesEmitted: Int64? = nil, recordsCommitted: Int64? = nil, stateMessagesCommitted: Int64? = nil, streams: [StreamStats]? = nil) {
        self.recordsEmitted = recordsEmitted
        self.bytesEmitted = bytesEmitted
        self.recordsCommitted = recordsCommitted
        self.stateMessagesCommitted = stateMessagesCommitted
        self.streams = streams
    }
}

public struct SyncStatus: Codable, Sendable, Hashable {
    public var observedGeneration: Int64?
    public var phase: SyncPhase?
    public var queuedTime: String?
    public var startTime: String?
    public var completionTime: String?
    /// Wall time from start to completion (e.g. `3m12s`), for the Duration column:
    /// CRD printer columns cannot compute it, so the controller writes it.
    public var duration: String?
    public var attempts: [SyncAttempt]?
    public var stats: SyncStats?
    public var conditions: [Condition]?
    public init(observedGeneration: Int64? = nil, phase: SyncPhase? = nil, queuedTime: String? = nil, startTime: String? = nil, completionTime: String? = nil, duration: String? = nil, attempts: [SyncAttempt]? = nil, stats: SyncStats? = nil, conditions: [Condition]? = nil) {
        self.observedGeneration = observedGeneration
        self.phase = phase
        self.queuedTime = queuedTime
        self.startTime = startTime
        self.completionTime = completionTime
        self.duration = duration
        self.attempts = attempts
        self.stats = stats
        self.conditions = conditions
    }
}

/// One run of a Connection (short name `fsync`).
public struct Sync: FerryResource, Hashable {
    public static let resourceType = ResourceType.ferry(kind: "Sync", plural: "syncs")
    public var apiVersion: String = FerryAPI.apiVersion
    public var kind: String = "Sync"
    public var metadata: ObjectMeta
    public var spec: SyncSpec
    public var status: SyncStatus?
    public init(metadata: ObjectMeta, spec: SyncSpec, status: SyncStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}
