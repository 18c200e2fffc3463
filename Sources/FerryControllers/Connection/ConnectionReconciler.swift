/// The Connection reconciler: references and schedule checked into the Ready condition,
/// scheduled Syncs created like a CronJob creates Jobs (SchedulePlanner decides when;
/// names are deterministic so a restart cannot double-fire), and the status a user reads:
/// last and next schedule time, active Syncs, the last Sync's outcome.
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
    public enum Reason {
        public static let valid = "Valid"
        public static let sourceNotFound = "SourceNotFound"
        public static let destinationNotFound = "DestinationNotFound"
        public static let invalidSchedule = "InvalidSchedule"
        public static let invalidTimeZone = "InvalidTimeZone"
        public static let manualOnly = "ManualOnly"
        public static let suspended = "Suspended"
        public static let active = "Active"
    }
}

public struct ConnectionReconciler: Sendable {
    let client: KubernetesClient
    let caches: ConnectionCaches
    let events: EventRecorder?
    let clock: any RuntimeClock
    let logger: Logger

    public init(client: KubernetesClient, caches: ConnectionCaches, events: EventRecorder?, clock: any RuntimeClock,
                logger: Logger = Logger(label: "ferry.connection")) {
        self.client = client
        self.caches = caches
        self.events = events
        self.clock = clock
        self.logger = logger
    }

    public func reconcile(_ key: ObjectKey, _ cached: JSONValue?) async throws -> ReconcileAction {
        guard let object = cached, object.deletionTimestamp == nil else { return .done }
        let connection: Connection
        do { connection = try object.decode(Connection.self) } catch {
            throw TerminalError(ConnectionReconcileError("decoding Connection \(key)", error))
        }
        let namespace = object.namespace ?? ""
        let name = object.name ?? ""
        let now = clock.wallTime
        var status = connection.status ?? ConnectionStatus()
        let syncs = caches.syncs.store.list().filter { ($0.namespace ?? "") == namespace && $0["spec"]["connectionRef"]["name"].stringValue == name }
        Self.summarize(syncs, into: &status)

        // References: a missing Source or Destination leaves scheduled Syncs uncreated.
        if caches.sources.store.get(namespace: namespace, name: connection.spec.sourceRef.name) == nil {
            return try await finish(object, status, ready: (.false, ConnectionConditions.Reason.sourceNotFound, "Source \(connection.spec.sourceRef.name) not found"), requeue: nil)
        }
        if caches.destinations.store.get(namespace: namespace, name: connection.spec.destinationRef.name) == nil {
            return try await finish(object, status, ready: (.false, ConnectionConditions.Reason.destinationNotFound, "Destination \(connection.spec.destinationRef.name) not found"), requeue: nil)
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

    /// activeSyncs, lastSync and lastSuccessfulSyncTime from the Connection's Syncs.
    static func summarize(_ syncs: [JSONValue], into status: inout ConnectionStatus) {
        let decoded = syncs.compactMap { try? $0.decode(Sync.self) }
        status.activeSyncs = decoded.filter { !($0.status?.phase?.isTerminal ?? false) }.compactMap(\.metadata.name).sorted()
        let finished = decoded.filter { $0.status?.phase?.isTerminal ?? false }
            .sorted { ($0.status?.completionTime ?? "", $0.metadata.name ?? "") < ($1.status?.completionTime ?? "", $1.metadata.name ?? "") }
        if let last = finished.last {
            status.lastSync = LastSyncSummary(name: last.metadata.name ?? "", phase: last.status?.phase, completionTime: last.status?.completionTime,
                                              recordsCommitted: last.status?.stats?.recordsCommitted)
        }
        if let success = finished.filter({ $0.status?.phase == .succeeded }).compactMap(\.status?.completionTime).max() {
            status.lastSuccessfulSyncTime = success
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

    /// Writes the Ready condition and the status when it changed.
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
        }
        return requeue.map { .requeueAfter(.milliseconds(Int64(($0 * 1000).rounded(.up)))) } ?? .done
    }
}

public struct ConnectionReconcileError: Error, CustomStringConvertible {
    public var description: String
    init(_ action: String, _ underlying: any Error) { description = "\(action): \(underlying)" }
}
