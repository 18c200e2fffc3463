/// Effective values of Connection fields: the schema's defaults (which the API server
/// fills in) for objects that bypassed it, and defaults that depend on other fields.
import KubeCore

extension ConfiguredStream {
    /// full_refresh unless set.
    public var effectiveSyncMode: SyncMode { syncMode ?? .fullRefresh }

    /// Airbyte's pairing when unset: overwrite for full_refresh, append for incremental.
    public var effectiveDestinationSyncMode: DestinationSyncMode {
        destinationSyncMode ?? (effectiveSyncMode == .incremental ? .append : .overwrite)
    }
}

extension Schedule {
    public static let defaultTimeZone = "UTC"
    public var effectiveTimeZone: String { timeZone ?? Self.defaultTimeZone }
}

extension RetryPolicy {
    public var effectiveMaxSuccessiveFailures: Int32 { maxSuccessiveFailures ?? 5 }
    public var effectiveMaxTotalFailures: Int32 { maxTotalFailures ?? 10 }
    public var effectiveMaxAttemptsWithProgress: Int32 { maxAttemptsWithProgress ?? 20 }
}

extension Backoff {
    public var effectiveInitialSeconds: Int32 { initialSeconds ?? 10 }
    public var effectiveFactor: Int32 { factor ?? 3 }
    public var effectiveMaxSeconds: Int32 { maxSeconds ?? 1800 }
}

extension Timeouts {
    public var effectiveAttempt: String { attempt ?? "72h" }
    public var effectiveSourceSilence: String { sourceSilence ?? "3h" }
    public var effectivePodStart: String { podStart ?? "15m" }
}

extension ConnectionSpec {
    public static let defaultWorkerPool = "default"

    public var isSuspended: Bool { suspend ?? false }
    public var effectiveNamespaceDefinition: NamespaceDefinition { namespaceDefinition ?? .source }
    public var effectiveSchemaChanges: SchemaChangePolicy { schemaChanges ?? .ignore }
    public var effectiveConcurrencyPolicy: ConcurrencyPolicy { concurrencyPolicy ?? .forbid }
    public var effectiveWorkerPool: String { workerPool ?? Self.defaultWorkerPool }
    public var effectiveRetry: RetryPolicy { retry ?? RetryPolicy() }
    public var effectiveTimeouts: Timeouts { timeouts ?? Timeouts() }
    public var successfulHistoryLimit: Int32 { history?.successful ?? 3 }
    public var failedHistoryLimit: Int32 { history?.failed ?? 3 }
}

extension SyncSpec {
    public var effectiveTrigger: SyncTrigger { trigger ?? .manual }
    public var effectiveRefresh: RefreshMode { refresh ?? RefreshMode.none }
    public var isCancelled: Bool { cancel ?? false }
}

extension ConnectorSpec {
    public static let defaultCheckInterval = "1h"
    public var effectiveCheckInterval: String { check?.interval ?? Self.defaultCheckInterval }
}
