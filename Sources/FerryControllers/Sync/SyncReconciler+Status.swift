/// How the Sync reconciler writes status: through the status subresource with
/// observedGeneration, an Event on each phase change and each condition change, a log line
/// and the metrics of what the write finished, and the Sync's conditions.
import FerryAPI
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging

/// Condition types and reasons of a Sync. API.md names Complete and Failed; Queued says
/// why a Sync is still waiting (True) or that it got a worker (False).
public enum SyncConditions {
    public static let complete = "Complete"
    public static let failed = "Failed"
    public static let queued = "Queued"

    public enum Reason {
        public static let created = "Created"
        public static let connectionNotFound = "ConnectionNotFound"
        public static let sourceNotFound = "SourceNotFound"
        public static let destinationNotFound = "DestinationNotFound"
        public static let workerPoolNotFound = "WorkerPoolNotFound"
        public static let waitingForWorker = "WaitingForWorker"
        /// Another Sync of the Connection runs (or is older and waits): one at a time.
        public static let waitingForPreviousSync = "WaitingForPreviousSync"
        public static let retrying = "Retrying"
        public static let admitted = "WorkerAssigned"
        public static let succeeded = "Succeeded"
        public static let cancelled = "Cancelled"
        public static let podStartTimeout = "PodStartTimeout"
        public static let attemptTimeout = "AttemptTimeout"
        public static let podDeleted = "PodDeleted"
        public static let invalidCatalog = "InvalidCatalog"
        public static let invalidWorkerPod = "InvalidWorkerPod"
        /// The Connection's state store holds something that is not JSON.
        public static let invalidState = "InvalidState"
        /// The committed state does not fit in the state store ConfigMap, even compressed.
        public static let stateTooLarge = "StateTooLarge"
    }

    /// Reasons of a Sync going its normal way; any other (a missing reference, a failure,
    /// a retry, a timeout) makes its condition's Event a Warning.
    static let normalReasons: Set<String> = [Reason.created, Reason.waitingForWorker, Reason.waitingForPreviousSync, Reason.admitted, Reason.succeeded, Reason.cancelled]

    static func isWarning(_ condition: Condition) -> Bool { !normalReasons.contains(condition.reason) }
}

extension SyncReconciler {
    func setCondition(_ status: inout SyncStatus, _ object: JSONValue, type: String, _ value: Condition.Status, _ reason: String, _ message: String) {
        var list = status.conditions ?? []
        list.set(Condition(type: type, status: value, reason: reason, message: message, observedGeneration: object.generation), now: clock.wallTime)
        status.conditions = list
    }

    /// PUTs the status (with the fresh object's resourceVersion, so a concurrent writer
    /// makes this a conflict that the controller requeues) and records `event` when the
    /// phase changed, then an Event per changed condition and what the write finished.
    func write(_ object: JSONValue, _ status: SyncStatus, event: (EventType, String, String)?) async throws {
        var status = status
        status.observedGeneration = object.generation
        let before = object["status"]["phase"].stringValue
        var updated = object
        do { updated["status"] = try JSONValue(encoding: status) } catch {
            throw SyncReconcileError("encoding the status of Sync \(object.namespace ?? "")/\(object.name ?? "")", error)
        }
        guard updated != object else { return }
        do {
            _ = try await client.updateStatus(updated, Sync.resourceType, namespace: object.namespace)
        } catch where error.isConflict {
            throw error
        } catch {
            throw SyncReconcileError("updating the status of Sync \(object.namespace ?? "")/\(object.name ?? "")", error)
        }
        let previous = try? object["status"].decode(SyncStatus.self)
        var told: Set<String> = []
        if let (type, reason, message) = event, before != status.phase?.rawValue || type == .warning {
            events?.record(object, type: type, reason: reason, message: message)
            told.insert(reason)
        }
        let changes = ConditionEvents.changes(from: previous?.conditions ?? [], to: status.conditions ?? [], skipping: told,
                                              isWarning: SyncConditions.isWarning)
        for change in changes { events?.record(object, type: change.type, reason: change.reason, message: change.message) }
        let connection = object["spec"]["connectionRef"]["name"].stringValue ?? ""
        metrics?.record(SyncMetrics.outcome(before: previous, after: status), namespace: object.namespace ?? "", connection: connection)
        logWrite(object, status, before: before, changes: changes)
    }

    /// One line per phase change and per condition change, with the Sync's coordinates as
    /// fields (`kubectl logs … | jq 'select(.sync == "…")'`). Messages are the ones the
    /// status holds: names and reasons, never a secret value.
    func logWrite(_ object: JSONValue, _ status: SyncStatus, before: String?, changes: [ConditionEvents.Event]) {
        var metadata: Logger.Metadata = [
            "namespace": "\(object.namespace ?? "")", "sync": "\(object.name ?? "")",
            "connection": "\(object["spec"]["connectionRef"]["name"].stringValue ?? "")",
        ]
        if let attempt = status.currentAttempt { metadata["attempt"] = "\(attempt.number)" }
        if let phase = status.phase?.rawValue, phase != before {
            metadata["phase"] = "\(phase)"
            if status.phase?.isTerminal == true, let duration = status.duration { metadata["duration"] = "\(duration)" }
            logger.info("Sync phase changed", metadata: metadata)
        }
        for change in changes {
            var fields = metadata
            fields["reason"] = "\(change.reason)"
            fields["condition"] = "\(change.message)"
            if change.type == .warning { logger.warning("Sync condition changed", metadata: fields) } else { logger.info("Sync condition changed", metadata: fields) }
        }
    }

    /// Stays Queued with the Queued condition saying why; watches of the missing kind (or of
    /// the pool's pods) bring the Sync back.
    func stayQueued(_ object: JSONValue, _ status: SyncStatus, reason: String, message: String) async throws -> ReconcileAction {
        var status = status
        status.phase = .queued
        setCondition(&status, object, type: SyncConditions.queued, .true, reason, message)
        try await write(object, status, event: nil)
        return .done
    }

    /// A terminal phase: completionTime and the Duration column.
    func finish(_ status: inout SyncStatus, _ object: JSONValue, phase: SyncPhase, at now: Date) {
        status.phase = phase
        status.completionTime = KubeTime.format(now)
        let start = status.startTime.flatMap(KubeTime.parse) ?? status.queuedSince(object)
        status.duration = Self.formatDuration(seconds: now.timeIntervalSince(start))
    }

    /// `3m12s`, `1h0m5s`, `45s` — kubectl's way of showing a Job's duration.
    public static func formatDuration(seconds: Double) -> String {
        let total = max(0, Int(seconds.rounded()))
        let h = total / 3600, m = (total % 3600) / 60, s = total % 60
        if h > 0 { return "\(h)h\(m)m\(s)s" }
        if m > 0 { return "\(m)m\(s)s" }
        return "\(s)s"
    }
}
