/// The WorkerPool reconciler: records in status how many Syncs wait for and hold the
/// pool's workers, the capacity in effect and the generation seen; for an autoscaled pool
/// runs the HPA calculation every sync period and records the chosen capacity, the HPA's
/// conditions and a `SuccessfulRescale` Event; creates the `default` pool where a
/// Connection needs it (DefaultWorkerPool.swift).
import FerryAPI
import FerryAutoscaling
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging

/// The informer caches the WorkerPool controller reads.
public struct WorkerPoolCaches: Sendable {
    public var pools: Informer
    public var syncs: Informer
    public var connections: Informer
    /// Worker pods, read only for Resource metrics (the Sync controller's pod cache).
    public var pods: Informer?
    public init(pools: Informer, syncs: Informer, connections: Informer, pods: Informer? = nil) {
        self.pools = pools
        self.syncs = syncs
        self.connections = connections
        self.pods = pods
    }
}

/// Reconciles one WorkerPool key. Reads the caches (and metrics.k8s.io for Resource
/// metrics); writes the pool's status as a merge patch and, for a missing `default`, a create.
struct WorkerPoolReconciler: Sendable {
    static let defaultPoolCreatedReason = "DefaultPoolCreated"
    static let successfulRescaleReason = "SuccessfulRescale"

    let client: KubernetesClient
    let caches: WorkerPoolCaches
    let events: EventRecorder?
    let defaultPool: DefaultWorkerPoolOptions
    let autoscaler: PoolAutoscalerRunner
    let warmWorkers: WarmWorkerOptions
    let clock: any RuntimeClock
    let metrics: PoolMetrics
    let logger: Logger

    init(client: KubernetesClient, caches: WorkerPoolCaches, events: EventRecorder?, defaultPool: DefaultWorkerPoolOptions,
         autoscaler: PoolAutoscalerRunner = PoolAutoscalerRunner(options: PoolAutoscalerOptions()), warmWorkers: WarmWorkerOptions = WarmWorkerOptions(), clock: any RuntimeClock = SystemClock(),
         metrics: PoolMetrics = PoolMetrics(registry: MetricsRegistry()), logger: Logger) {
        self.client = client
        self.caches = caches
        self.events = events
        self.defaultPool = defaultPool
        self.autoscaler = autoscaler
        self.warmWorkers = warmWorkers
        self.clock = clock
        self.metrics = metrics
        self.logger = logger
    }

    func reconcile(_ key: ObjectKey, _ object: JSONValue?) async throws -> ReconcileAction {
        guard let object else {
            autoscaler.forget(key)
            metrics.forget(key)
            try await createDefaultIfNeeded(key)
            return .done
        }
        guard object.deletionTimestamp == nil else { return .done }
        let pool: WorkerPool
        do {
            pool = try object.decode(WorkerPool.self)
        } catch {
            // The server validated it against the same schema: only a newer API could get here.
            throw TerminalError(WorkerPoolReconcileError("reading WorkerPool \(key)", error))
        }
        let namespace = key.namespace ?? ""
        let connections = caches.connections.store
        let occupancy = PoolOccupancy.count(pool: key.name, namespace: namespace, syncs: SyncIndexes.unfinishedSyncs(in: namespace, store: caches.syncs.store)) {
            connections.get(namespace: namespace, name: $0)
        }
        var fields = PoolStatusFields(pool: pool, generation: object.generation, occupancy: occupancy)
        var action = ReconcileAction.done
        var run: AutoscalerRun?
        if let autoscaling = pool.spec.autoscaling {
            let now = clock.wallTime
            if let wait = autoscaler.delayUntilDue(key, generation: object.generation, now: now) {
                action = .requeueAfter(.milliseconds(Int64((wait * 1000).rounded(.up))))
            } else {
                let observation = await PoolObservationReader(client: client, pods: caches.pods)
                    .observe(pool: pool, namespace: namespace, autoscaling: autoscaling, occupancy: occupancy)
                let evaluated = autoscaler.evaluate(key, pool: pool, autoscaling: autoscaling, observation: observation, now: now)
                fields.autoscaled = evaluated.status
                fields.workers = evaluated.status.workers
                run = evaluated
                action = .requeueAfter(.milliseconds(Int64(autoscaler.options.syncPeriod * 1000)))
            }
        } else {
            autoscaler.forget(key)
        }
        metrics.record(key, fields: fields)
        if !fields.isRecorded(in: object["status"]) {
            do {
                _ = try await client.patchStatus(WorkerPool.resourceType, name: key.name, namespace: key.namespace, patch: ["status": fields.statusJSON])
            } catch where error.isNotFound {
                return .done  // deleted meanwhile: the informer brings the deletion
            } catch {
                throw WorkerPoolReconcileError("updating the status of WorkerPool \(key)", error)
            }
        }
        if let run { report(run, pool: object) }
        try await reconcileWarmWorkers(pool, namespace: namespace)
        return action
    }

    /// The Events the HPA records for one evaluation: `SuccessfulRescale` with the new size
    /// and why, and a Warning for each metric it could not compute.
    private func report(_ run: AutoscalerRun, pool: JSONValue) {
        for warning in run.decision.warnings {
            events?.record(pool, type: .warning, reason: warning.reason, message: warning.message, at: run.evaluatedAt)
        }
        guard run.status.workers != run.previousWorkers else { return }
        let reason = run.decision.rescaleReason ?? "the autoscaler's decision"
        logger.info("rescaled WorkerPool", metadata: [
            "pool": "\(pool.namespace ?? "")/\(pool.name ?? "")", "from": "\(run.previousWorkers)", "to": "\(run.status.workers)", "reason": "\(reason)",
        ])
        events?.record(pool, type: .normal, reason: Self.successfulRescaleReason, message: "New size: \(run.status.workers); reason: \(reason)",
                       at: run.evaluatedAt)
    }

    /// Creates `default` in the key's namespace when creation is on and a Connection there
    /// uses it. A pool of that name the cache has not shown yet makes the create fail with
    /// AlreadyExists, which leaves it untouched.
    func createDefaultIfNeeded(_ key: ObjectKey) async throws {
        guard defaultPool.create, key.name == ConnectionSpec.defaultWorkerPool else { return }
        let namespace = key.namespace ?? ""
        let users = caches.connections.store.list().filter {
            ($0.namespace ?? "") == namespace && $0.deletionTimestamp == nil && PoolOccupancy.pool(ofConnection: $0) == key.name
        }.compactMap(\.name).sorted()
        guard let first = users.first else { return }
        let reason = "Connection \(first)" + (users.count > 1 ? " and \(users.count - 1) more use" : " uses") + " the default pool"
        let created: JSONValue
        do {
            created = try await client.create(defaultPool.pool(namespace: namespace, reason: reason), WorkerPool.resourceType, namespace: namespace)
        } catch where error.isAlreadyExists {
            return
        } catch {
            throw WorkerPoolReconcileError("creating WorkerPool \(namespace)/\(key.name)", error)
        }
        logger.info("created the default WorkerPool", metadata: ["namespace": "\(namespace)", "workers": "\(defaultPool.workers)", "for": "\(first)"])
        events?.record(created, type: .normal, reason: Self.defaultPoolCreatedReason,
                       message: "Created with \(defaultPool.workers) workers: \(reason); disable with \(DefaultWorkerPoolOptions.Flag.create)=false")
    }
}
