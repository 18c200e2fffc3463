/// The Sync reconciler: Queued → Pending → Running → Succeeded / Failed / Cancelled, one
/// worker pod per attempt, admission by WorkerPool capacity, retries per the Connection's
/// policy. Helpers: +Admission (pool queue), +Inputs (rendering and pod creation),
/// +Observation (the pod's fate, timeouts, retries), +Status (writes, Events, conditions).
import FerryAPI
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging

/// Reconciles one Sync. Every decision is made on a fresh read of the Sync (its status is
/// the only memory), and every pod name is deterministic, so a stale cache or a restarted
/// operator can repeat a step but never start an attempt twice.
///
/// Retries: a failed attempt that the retry policy retries sends the Sync back to Queued
/// (condition Queued, reason `Retrying`) — the next attempt needs a worker slot again —
/// keeping its original `queuedTime`, so it is first in its pool's queue once its backoff
/// has passed. `kubectl get fsync` thus shows Queued between attempts where Airbyte shows
/// the job running; the attempts list tells the story.
public struct SyncReconciler: Sendable {
    let client: KubernetesClient
    let caches: SyncCaches
    let events: EventRecorder?
    let clock: any RuntimeClock
    let defaults: OperatorDefaults
    let expectations: PodExpectations
    let logger: Logger
    let metrics: SyncMetrics?
    /// How often a Sync waiting for a worker looks again even without a wake-up.
    static let waitingRecheck: Duration = .seconds(300)

    public init(client: KubernetesClient, caches: SyncCaches, events: EventRecorder?, clock: any RuntimeClock,
                defaults: OperatorDefaults, metrics: MetricsRegistry? = nil, logger: Logger = Logger(label: "ferry.sync")) {
        self.client = client
        self.caches = caches
        self.events = events
        self.clock = clock
        self.defaults = defaults
        self.expectations = PodExpectations()
        self.metrics = metrics.map(SyncMetrics.init(registry:))
        self.logger = logger
    }

    public func reconcile(_ key: ObjectKey, _ cached: JSONValue?) async throws -> ReconcileAction {
        guard let cached else { return .done }
        // Terminal phases are final, so the cache can be trusted to skip the read.
        if let phase = cached["status"]["phase"].stringValue.flatMap(SyncPhase.init(rawValue:)), phase.isTerminal { return .done }
        let object: JSONValue
        do {
            object = try await client.get(Sync.resourceType, name: key.name, namespace: key.namespace)
        } catch where error.isNotFound {
            return .done
        } catch {
            throw SyncReconcileError("reading Sync \(key)", error)
        }
        let sync: Sync
        do { sync = try object.decode(Sync.self) } catch {
            throw TerminalError(SyncReconcileError("decoding Sync \(key)", error))
        }
        var status = sync.status ?? SyncStatus()
        if let phase = status.phase, phase.isTerminal { return .done }
        guard object.deletionTimestamp == nil else { return .done }

        if status.phase == nil {
            status.phase = .queued
            status.queuedTime = status.queuedTime ?? KubeTime.format(clock.wallTime)
            setCondition(&status, object, type: SyncConditions.queued, .true, SyncConditions.Reason.created, "waiting for a worker")
            try await write(object, status, event: (.normal, "Queued", "Sync queued"))
            return .done
        }
        if sync.spec.isCancelled {
            return try await cancel(object, sync, status)
        }
        if let current = status.currentAttempt, current.isActive {
            return try await observe(object, sync, status, attempt: current)
        }
        return try await admitOrWait(object, sync, status)
    }

    /// `spec.cancel`: stop the current attempt's pod, then Cancelled.
    func cancel(_ object: JSONValue, _ sync: Sync, _ status: SyncStatus) async throws -> ReconcileAction {
        var status = status
        let now = clock.wallTime
        if var current = status.currentAttempt, current.isActive {
            if let pod = current.podName {
                // What the attempt committed before it was stopped stays committed.
                let progress = try await readProgress(podName: pod, namespace: object.namespace ?? "")
                do {
                    try await commitState(progress, sync: sync, namespace: object.namespace ?? "", succeeded: false)
                } catch let error as StateNotStored {
                    // Cancelled either way; the state it could not keep is reported.
                    events?.record(object, type: .warning, reason: SyncConditions.Reason.stateTooLarge, message: error.message)
                }
                Self.record(progress, summary: nil, into: &current, status: &status)
                try await deleteWorker(pod, namespace: object.namespace)
            }
            current.phase = .cancelled
            current.completionTime = KubeTime.format(now)
            current.reason = SyncConditions.Reason.cancelled
            current.message = "the Sync was cancelled (spec.cancel)"
            status.replace(current)
        }
        finish(&status, object, phase: .cancelled, at: now)
        setCondition(&status, object, type: SyncConditions.queued, .false, SyncConditions.Reason.cancelled, "the Sync was cancelled")
        setCondition(&status, object, type: SyncConditions.failed, .true, SyncConditions.Reason.cancelled,
                     "the Sync was cancelled (spec.cancel)\(status.currentAttempt.map { "; attempt \($0.number) stopped" } ?? "")")
        try await write(object, status, event: (.normal, "Cancelled", "Sync cancelled (spec.cancel)"))
        return .done
    }

    /// Queued: resolve the references, wait out a retry backoff, ask the pool for a slot,
    /// and when admitted start the next attempt.
    func admitOrWait(_ object: JSONValue, _ sync: Sync, _ status: SyncStatus) async throws -> ReconcileAction {
        let namespace = object.namespace ?? ""
        let refs: SyncReferences
        switch resolve(sync, namespace: namespace) {
        case .success(let found): refs = found
        case .failure(let missing):
            return try await stayQueued(object, status, reason: missing.reason, message: missing.message)
        }
        let now = clock.wallTime
        if let retryAt = Self.retryTime(status: status, connection: refs.connection), retryAt > now {
            // The Queued condition already says Retrying (written when the attempt failed).
            return .requeueAfter(.milliseconds(Int64((retryAt.timeIntervalSince(now) * 1000).rounded(.up))))
        }
        let policy = refs.connection.spec.effectiveConcurrencyPolicy
        if policy != .allow, let previous = ConnectionTurn.previous(
            of: object, among: SyncIndexes.syncs(ofConnection: sync.spec.connectionRef.name, namespace: namespace, in: caches.syncs.store)) {
            // The Sync of the same Connection turning terminal wakes this one (SyncController).
            _ = try await stayQueued(object, status, reason: SyncConditions.Reason.waitingForPreviousSync,
                                     message: "waiting for Sync \(previous) of Connection \(sync.spec.connectionRef.name) to finish (concurrencyPolicy \(policy.rawValue))")
            return .requeueAfter(Self.waitingRecheck)
        }
        let pool = refs.connection.spec.effectiveWorkerPool
        let podName = WorkerPodNaming.podName(sync: object.name ?? "", attempt: Int((status.currentAttempt?.number ?? 0) + 1))
        let queued = QueuedSync(namespace: namespace, name: object.name ?? "", queuedSince: status.queuedSince(object))
        let admitted = expectations.whileAdmitting {
            let decision = self.admission(for: queued, pool: pool, capacity: refs.capacity, now: now)
            // The slot is taken from here on: the expected pod counts as a worker.
            if decision.admitted { expectations.expect(namespace: namespace, pod: podName, pool: pool) }
            return decision
        }
        guard admitted.admitted else {
            let poolName = refs.connection.spec.effectiveWorkerPool
            // No queue position in the message: it changes whenever the queue moves, and
            // each change would be a status write and another reconcile of every waiting
            // Sync — a storm while a big pool is full.
            _ = try await stayQueued(object, status, reason: SyncConditions.Reason.waitingForWorker,
                                     message: "waiting for a worker of WorkerPool \(poolName) (\(refs.capacity) worker\(refs.capacity == 1 ? "" : "s"), all busy)")
            // Freed slots wake the next Syncs through the pod watch; this is only a backstop.
            return .requeueAfter(Self.waitingRecheck)
        }
        return try await startAttempt(object, sync, status, refs: refs)
    }
}

extension SyncPhase {
    public var isTerminal: Bool { self == .succeeded || self == .failed || self == .cancelled }
}

extension SyncAttempt {
    /// Pending or Running: its pod is (or should be) there.
    var isActive: Bool { phase == nil || phase == .pending || phase == .running }
}

extension SyncStatus {
    /// The attempt with the highest number.
    var currentAttempt: SyncAttempt? { attempts?.max { $0.number < $1.number } }

    mutating func replace(_ attempt: SyncAttempt) {
        var list = attempts ?? []
        if let i = list.firstIndex(where: { $0.number == attempt.number }) { list[i] = attempt } else { list.append(attempt) }
        attempts = list.sorted { $0.number < $1.number }
    }

    func queuedSince(_ object: JSONValue) -> Date {
        queuedTime.flatMap(KubeTime.parse) ?? object["metadata"]["creationTimestamp"].stringValue.flatMap(KubeTime.parse) ?? .distantPast
    }
}
