/// The Connection reconciler: references, streams and schedule checked into the Ready
/// condition, scheduled Syncs created like a CronJob creates Jobs (SchedulePlanner decides
/// when; names are deterministic so a restart cannot double-fire), finished Syncs beyond
/// the history limits deleted and a Connection that only fails disabled
/// (ConnectionReconciler+History.swift), the Source's schema changes handled per
/// `spec.schemaChanges` (ConnectionReconciler+Schema.swift), and the status a user reads: last and next
/// schedule time, active Syncs, the last Sync's outcome, the committed state.
import FerryAPI
import FerrySchedule
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging

/// The informer caches the Connection controller reads.
public struct ConnectionCaches: Sendable {
    public var connections: Informer
    public var syncs: Informer
    public var sources: Informer
    public var destinations: Informer
    public init(connections: Informer, syncs: Informer, sources: Informer, destinations: Informer) {
        self.connections = connections
        self.syncs = syncs
        self.sources = sources
        self.destinations = destinations
    }
}

public enum ConnectionConditions {
    public static let ready = "Ready"
    public static let scheduled = "Scheduled"
    public static let degraded = "Degraded"
    public enum Reason {
        public static let valid = "Valid"
        public static let sourceNotFound = "SourceNotFound"
        public static let destinationNotFound = "DestinationNotFound"
        public static let invalidSchedule = "InvalidSchedule"
        public static let invalidTimeZone = "InvalidTimeZone"
        public static let manualOnly = "ManualOnly"
        public static let suspended = "Suspended"
        public static let active = "Active"
        /// An incremental stream without a cursor (none in the spec, none source-defined).
        public static let missingCursor = "MissingCursor"
        /// A deduplicating stream without a primary key (none in the spec, none source-defined).
        public static let missingPrimaryKey = "MissingPrimaryKey"
        /// Degraded: Syncs failed since the last success.
        public static let syncsFailing = "SyncsFailing"
        /// Degraded: no Sync failed since the last success.
        public static let healthy = "Healthy"
        /// Degraded: too many failures; `spec.suspend` was set (Airbyte's auto-disable).
        public static let autoDisabled = "AutoDisabled"
    }

    /// Reasons of a Connection in order; any other (a missing reference, a bad schedule or
    /// stream, failing Syncs) makes its condition's Event a Warning.
    static let normalReasons: Set<String> = [Reason.valid, Reason.manualOnly, Reason.suspended, Reason.active, Reason.healthy]

    static func isWarning(_ condition: Condition) -> Bool { !normalReasons.contains(condition.reason) }

    /// Reasons whose condition change comes with its own, fuller Event (auto-disable and
    /// schema changes record theirs when they act).
    static let toldByTheirOwnEvents: Set<String> = [Reason.autoDisabled, Reason.schemaChanged, Reason.breakingSchemaChange]
}

public struct ConnectionReconciler: Sendable {
    let client: KubernetesClient
    let caches: ConnectionCaches
    let events: EventRecorder?
    let clock: any RuntimeClock
    let options: ConnectionControllerOptions
    let logger: Logger

    public init(client: KubernetesClient, caches: ConnectionCaches, events: EventRecorder?, clock: any RuntimeClock,
                options: ConnectionControllerOptions = ConnectionControllerOptions(), logger: Logger = Logger(label: "ferry.connection")) {
        self.client = client
        self.caches = caches
        self.events = events
        self.clock = clock
        self.options = options
        self.logger = logger
    }

    public func reconcile(_ key: ObjectKey, _ cached: JSONValue?) async throws -> ReconcileAction {
        guard var object = cached, object.deletionTimestamp == nil else { return .done }
        var connection: Connection
        do { connection = try object.decode(Connection.self) } catch {
            throw TerminalError(ConnectionReconcileError("decoding Connection \(key)", error))
        }
        let namespace = object.namespace ?? ""
        let name = object.name ?? ""
        var status = connection.status ?? ConnectionStatus()
        let syncs = SyncIndexes.syncs(ofConnection: name, namespace: namespace, in: caches.syncs.store)
        let finished = syncs.compactMap { FinishedSync($0) }
        // Counted before summarize moves lastSync, the newest Sync already counted.
        let (streak, newFailures) = Self.streak(finished, status)
        Self.summarize(syncs, into: &status)
        // CronJob cleans up before it schedules, so a failing create cannot stop cleanup.
        let cleaned = await cleanUpHistory(finished, connection.spec, object)
        try await applyFailureStreak(streak, newFailures: newFailures, &object, &connection, &status)
        let schemaProblem = try await applySchemaChanges(&object, &connection, &status)
        status.state = try await stateSummary(namespace: namespace, name: name, previous: status.state)
        let action = try await reconcileSchedule(object, connection, status, syncs, schemaProblem: schemaProblem)
        // A failed deletion is retried soon; the next change may be far.
        guard !cleaned else { return action }
        let retry = Duration.seconds(30)
        if case .requeueAfter(let after) = action, after < retry { return action }
        return .requeueAfter(retry)
    }

    /// References, schema changes, streams and schedule into Ready and Scheduled; the due
    /// Sync created. `schemaProblem`: the schema changes holding the Connection back
    /// (ConnectionReconciler+Schema.swift).
    func reconcileSchedule(_ object: JSONValue, _ connection: Connection, _ status: ConnectionStatus, _ syncs: [JSONValue],
                           schemaProblem: (reason: String, message: String)? = nil) async throws -> ReconcileAction {
        let namespace = object.namespace ?? ""
        let name = object.name ?? ""
        let now = clock.wallTime
        var status = status
        // References: a missing Source or Destination leaves scheduled Syncs uncreated.
        guard let source = caches.sources.store.get(namespace: namespace, name: connection.spec.sourceRef.name) else {
            return try await finish(object, status, ready: (.false, ConnectionConditions.Reason.sourceNotFound, "Source \(connection.spec.sourceRef.name) not found"), requeue: nil)
        }
        if caches.destinations.store.get(namespace: namespace, name: connection.spec.destinationRef.name) == nil {
            return try await finish(object, status, ready: (.false, ConnectionConditions.Reason.destinationNotFound, "Destination \(connection.spec.destinationRef.name) not found"), requeue: nil)
        }
        // So do schema changes the Connection was suspended for, and breaking ones.
        if let schemaProblem {
            status.nextScheduleTime = nil
            return try await finish(object, status, ready: (.false, schemaProblem.reason, schemaProblem.message), requeue: nil)
        }
        // Streams that cannot run hold back scheduled Syncs, which would only fail.
        let catalog = try? source["status"]["catalog"].decode(DiscoveredCatalog.self)
        let problems = StreamValidation.problems(connection.spec.streams, catalog: catalog)
        if let first = problems.first {
            status.nextScheduleTime = nil
            return try await finish(object, status, ready: (.false, first.reason, problems.map(\.message).joined(separator: "; ")), requeue: nil)
        }
        let schedule: ActivationSchedule?
        do throws(CronParseError) {
            schedule = try Self.activationSchedule(connection.spec)
        } catch {
            let reason = error.field == "timeZone" ? ConnectionConditions.Reason.invalidTimeZone : ConnectionConditions.Reason.invalidSchedule
            status.nextScheduleTime = nil
            return try await finish(object, status, ready: (.false, reason, error.description), requeue: nil)
        }
        guard let schedule else {
            status.nextScheduleTime = nil
            setCondition(&status, object, ConnectionConditions.scheduled, .false, ConnectionConditions.Reason.manualOnly, "no spec.schedule: Syncs run only when created")
            return try await finish(object, status, ready: (.true, ConnectionConditions.Reason.valid, "Source and Destination found"), requeue: nil)
        }

        let created = object["metadata"]["creationTimestamp"].stringValue.flatMap(KubeTime.parse) ?? now
        let active = (status.activeSyncs ?? [])
        let plan = SchedulePlanner.plan(
            schedule, suspend: connection.spec.suspend ?? false, concurrencyPolicy: connection.spec.effectiveConcurrencyPolicy,
            startingDeadlineSeconds: connection.spec.startingDeadlineSeconds, lastScheduleTime: status.lastScheduleTime.flatMap(KubeTime.parse),
            created: created, now: now, active: active,
            existing: { scheduled in syncs.contains { $0.name == SchedulePlanner.syncName(connection: name, scheduled: scheduled) } })
        var requeue: TimeInterval?
        switch plan {
        case .suspended:
            status.nextScheduleTime = nil
            setCondition(&status, object, ConnectionConditions.scheduled, .false, ConnectionConditions.Reason.suspended, "spec.suspend is true: no scheduled Syncs")
        case .wait(let after):
            requeue = after
        case .missedDeadline(let scheduled, let after):
            events?.record(object, type: .warning, reason: "MissSchedule", message: "Missed scheduled time to start a Sync: \(KubeTime.format(scheduled))")
            requeue = after
        case .forbidden(_, let after):
            events?.record(object, type: .normal, reason: "SyncAlreadyActive",
                           message: "Not starting a Sync because \(active.joined(separator: ", ")) is running and concurrencyPolicy is Forbid")
            requeue = after
        case .create(let scheduled, let replacing, let tooManyMissed, let after):
            if tooManyMissed {
                events?.record(object, type: .warning, reason: "TooManyMissedTimes",
                               message: "too many missed start times; set or decrease spec.startingDeadlineSeconds or check clock skew")
            }
            for old in replacing { try await deleteSync(old, namespace: namespace, object: object) }
            let syncName = try await createSync(object, connection, scheduled: scheduled)
            status.activeSyncs = (status.activeSyncs ?? []).filter { !replacing.contains($0) } + [syncName]
            status.lastScheduleTime = KubeTime.format(scheduled)
            requeue = after
        }
        if plan != .suspended {
            let base = status.lastScheduleTime.flatMap(KubeTime.parse) ?? created
            status.nextScheduleTime = schedule.next(after: max(base, now.addingTimeInterval(-1))).map(KubeTime.format)
            setCondition(&status, object, ConnectionConditions.scheduled, .true, ConnectionConditions.Reason.active,
                         status.nextScheduleTime.map { "next Sync at \($0)" } ?? "the schedule has no further time")
        }
        return try await finish(object, status, ready: (.true, ConnectionConditions.Reason.valid, "Source and Destination found; schedule valid"), requeue: requeue)
    }

    /// The parsed schedule; nil without one (manual only).
    static func activationSchedule(_ connection: ConnectionSpec) throws(CronParseError) -> ActivationSchedule? {
        guard let spec = connection.schedule else { return nil }
        if let every = spec.every { return .interval(try IntervalSchedule(parsing: every)) }
        guard let cron = spec.cron else { return nil }
        return .cron(try CronSchedule(parsing: cron), try ActivationSchedule.timeZone(named: spec.effectiveTimeZone))
    }

    /// activeSyncs, lastSync and lastSuccessfulSyncTime from the Connection's Syncs. The
    /// last two never move back in time: the history limits delete Syncs, the newest too
    /// when a limit is 0.
    static func summarize(_ syncs: [JSONValue], into status: inout ConnectionStatus) {
        let decoded = syncs.compactMap { try? $0.decode(Sync.self) }
        status.activeSyncs = decoded.filter { !($0.status?.phase?.isTerminal ?? false) }.compactMap(\.metadata.name).sorted()
        func key(_ name: String, _ completion: String?) -> (Date, String) { (completion.flatMap(KubeTime.parse) ?? .distantPast, name) }
        let finished = decoded.filter { $0.status?.phase?.isTerminal ?? false }
            .sorted { key($0.metadata.name ?? "", $0.status?.completionTime) < key($1.metadata.name ?? "", $1.status?.completionTime) }
        if let last = finished.last, status.lastSync.map({ key($0.name, $0.completionTime) <= key(last.metadata.name ?? "", last.status?.completionTime) }) ?? true {
            status.lastSync = LastSyncSummary(name: last.metadata.name ?? "", phase: last.status?.phase, completionTime: last.status?.completionTime,
                                              recordsCommitted: last.status?.stats?.recordsCommitted)
        }
        let successes = finished.filter { $0.status?.phase == .succeeded }.compactMap { $0.status?.completionTime.flatMap(KubeTime.parse) }
        if let success = successes.max(), status.lastSuccessfulSyncTime.flatMap(KubeTime.parse).map({ $0 < success }) ?? true {
            status.lastSuccessfulSyncTime = KubeTime.format(success)
        }
    }

    /// `<connection>-<minutes>`, owned by the Connection, `trigger: schedule`. A Sync of that
    /// name already there (an earlier reconcile's) counts as created.
    func createSync(_ object: JSONValue, _ connection: Connection, scheduled: Date) async throws -> String {
        let name = SchedulePlanner.syncName(connection: object.name ?? "", scheduled: scheduled)
        let sync: JSONValue = [
            "apiVersion": .string(FerryAPI.apiVersion), "kind": "Sync",
            "metadata": [
                "name": .string(name), "namespace": .string(object.namespace ?? ""),
                "labels": [FerryLabels.managedBy: .string(FerryLabels.managedByValue), FerryLabels.connection: .string(WorkerPodNaming.labelValue(object.name ?? ""))],
                "annotations": ["ferry.dev/scheduled-time": .string(KubeTime.format(scheduled))],
                "ownerReferences": [[
                    "apiVersion": .string(FerryAPI.apiVersion), "kind": "Connection", "name": .string(object.name ?? ""),
                    "uid": .string(object.uid ?? ""), "controller": true, "blockOwnerDeletion": true,
                ]],
            ],
            "spec": ["connectionRef": ["name": .string(object.name ?? "")], "trigger": "schedule", "scheduledTime": .string(KubeTime.format(scheduled))],
        ]
        do {
            _ = try await client.create(sync, Sync.resourceType, namespace: object.namespace)
            events?.record(object, type: .normal, reason: "SuccessfulCreate", message: "Created Sync \(name) for \(KubeTime.format(scheduled))")
        } catch where error.isAlreadyExists {
            // Created by an earlier reconcile whose status write was lost.
        } catch {
            events?.record(object, type: .warning, reason: "FailedCreate", message: "Error creating Sync \(name): \(error)")
            throw ConnectionReconcileError("creating Sync \(name)", error)
        }
        return name
    }

    /// `Replace`: the running Sync goes (its worker pod with it, by ownership).
    func deleteSync(_ name: String, namespace: String, object: JSONValue) async throws {
        do {
            _ = try await client.delete(Sync.resourceType, name: name, namespace: namespace, options: DeleteOptions(propagationPolicy: .background))
            events?.record(object, type: .normal, reason: "SuccessfulDelete", message: "Deleted Sync \(name) (concurrencyPolicy Replace)")
        } catch where error.isNotFound {
            // Already gone.
        } catch {
            throw ConnectionReconcileError("deleting Sync \(name) to replace it", error)
        }
    }

    func setCondition(_ status: inout ConnectionStatus, _ object: JSONValue, _ type: String, _ value: Condition.Status, _ reason: String, _ message: String) {
        var list = status.conditions ?? []
        list.set(Condition(type: type, status: value, reason: reason, message: message, observedGeneration: object.generation), now: clock.wallTime)
        status.conditions = list
    }

    /// Writes the Ready condition and the status when it changed, with an Event per changed
    /// condition.
    func finish(_ object: JSONValue, _ status: ConnectionStatus, ready: (Condition.Status, String, String), requeue: TimeInterval?) async throws -> ReconcileAction {
        var status = status
        setCondition(&status, object, ConnectionConditions.ready, ready.0, ready.1, ready.2)
        status.observedGeneration = object.generation
        var updated = object
        do { updated["status"] = try JSONValue(encoding: status) } catch {
            throw ConnectionReconcileError("encoding the status of Connection \(object.name ?? "")", error)
        }
        if updated != object {
            do {
                _ = try await client.updateStatus(updated, Connection.resourceType, namespace: object.namespace)
            } catch where error.isConflict {
                throw error
            } catch {
                throw ConnectionReconcileError("writing the status of Connection \(object.namespace ?? "")/\(object.name ?? "")", error)
            }
            let before = (try? object["status"]["conditions"].decode([Condition].self)) ?? []
            for change in ConditionEvents.changes(from: before, to: status.conditions ?? [], skipping: ConnectionConditions.toldByTheirOwnEvents,
                                                  isWarning: ConnectionConditions.isWarning) {
                events?.record(object, type: change.type, reason: change.reason, message: change.message)
            }
        }
        return requeue.map { .requeueAfter(.milliseconds(Int64(($0 * 1000).rounded(.up)))) } ?? .done
    }
}
