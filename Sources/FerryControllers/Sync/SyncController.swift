/// The Sync controller: the Sync reconciler on a work queue, re-triggered by its worker
/// pods, by pods of its pool freeing a slot, and by the kinds a waiting Sync is missing.
import FerryAPI
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging

public enum SyncController {
    public static let controllerName = "sync"

    /// Builds the controller over `caches`. Run the informers, the recorder and the
    /// returned controller.
    public static func make(
        client: KubernetesClient, caches: SyncCaches, events: EventRecorder?, defaults: OperatorDefaults, clock: any RuntimeClock = SystemClock(),
        metrics: MetricsRegistry = MetricsRegistry(), name: String = controllerName, logger: Logger = Logger(label: "ferry.sync"),
        maxConcurrentReconciles: Int = 4
    ) -> Controller {
        let reconciler = SyncReconciler(client: client, caches: caches, events: events, clock: clock, defaults: defaults, metrics: metrics, logger: logger)
        // Several Syncs at a time: admission decisions are serialized (whileAdmitting), the
        // API calls around them are not.
        let controller = Controller(name: name, for: caches.syncs, maxConcurrentReconciles: maxConcurrentReconciles,
                                    clock: clock, metrics: metrics, logger: logger) { key, sync in
            try await reconciler.reconcile(key, sync)
        }
        controller.owns(caches.pods)
        // A worker pod finishing (or going away) frees a slot of its pool: wake the Syncs
        // that admission would now let in. The others keep their place and are woken as
        // slots free in turn. Only those transitions: the pool's queue is read per call,
        // and a pod's creation, binding and start free nothing.
        controller.watches(caches.pods, changes: { change in
            guard let pod = freedWorker(change), let pool = pod["metadata"]["labels"][FerryLabels.pool].stringValue,
                  pod["metadata"]["labels"][FerryLabels.managedBy].stringValue == FerryLabels.managedByValue else { return [] }
            return admissible(namespace: pod.namespace ?? "", poolLabel: pool, caches: caches, expectations: reconciler.expectations, now: clock.wallTime)
        })
        // A Sync waiting for its Connection's previous Sync is woken by that Sync's changes
        // (it finishing, or going away).
        controller.watches(caches.syncs) { sync in
            guard let connection = sync["spec"]["connectionRef"]["name"].stringValue,
                  SyncIndexes.queuedReason(of: sync) != SyncConditions.Reason.waitingForPreviousSync else { return [] }
            return SyncIndexes.syncs(ofConnection: connection, namespace: sync.namespace ?? "", in: caches.syncs.store)
                .filter { SyncIndexes.queuedReason(of: $0) == SyncConditions.Reason.waitingForPreviousSync }
                .compactMap { ObjectKey($0) }
        }
        // A Sync waiting for a missing reference is woken when that kind changes; a pool's
        // change (created, resized) also wakes the Syncs waiting for its workers.
        let waits: [(Informer, Set<String>)] = [
            (caches.connections, [SyncConditions.Reason.connectionNotFound]),
            (caches.sources, [SyncConditions.Reason.sourceNotFound]),
            (caches.destinations, [SyncConditions.Reason.destinationNotFound]),
            (caches.pools, [SyncConditions.Reason.workerPoolNotFound, SyncConditions.Reason.waitingForWorker]),
        ]
        for (informer, reasons) in waits {
            controller.watches(informer) { object in waiting(in: object.namespace ?? "", reasons: reasons, syncs: caches.syncs.store) }
        }
        return controller
    }

    /// Registers the controller on `manager`'s shared informers (in `namespace`, or all
    /// namespaces) with the manager's clock, metrics and event recorder.
    @discardableResult
    public static func register(on manager: ControllerManager, defaults: OperatorDefaults, namespace: String? = nil) -> Controller {
        let caches = SyncCaches(
            syncs: manager.sharedInformer(for: Sync.resourceType, namespace: namespace),
            pods: manager.sharedInformer(for: .pod, namespace: namespace),
            connections: manager.sharedInformer(for: Connection.resourceType, namespace: namespace),
            sources: manager.sharedInformer(for: Source.resourceType, namespace: namespace),
            destinations: manager.sharedInformer(for: Destination.resourceType, namespace: namespace),
            pools: manager.sharedInformer(for: WorkerPool.resourceType, namespace: namespace))
        let controller = make(client: manager.client, caches: caches, events: manager.events, defaults: defaults, clock: manager.clock,
                              metrics: manager.metrics, name: namespace.map { "\(controllerName)-\($0)" } ?? controllerName)
        manager.add(controller)
        return controller
    }

    /// The pod of a change that freed a worker slot: one gone, or one that turned
    /// Succeeded or Failed (seen so for the first time, also in a relist).
    static func freedWorker(_ change: StoreChange) -> JSONValue? {
        func finished(_ pod: JSONValue) -> Bool { ["Succeeded", "Failed"].contains(pod["status"]["phase"].stringValue ?? "") }
        // No `cond ? pod : nil`: JSONValue is ExpressibleByNilLiteral, so that is `.null`.
        switch change {
        case .deleted(let pod): return pod
        case .added(let pod): if finished(pod) { return pod }
        case .updated(let old, let new): if finished(new) && !finished(old) { return new }
        }
        return Optional<JSONValue>.none
    }

    /// The queued Syncs of a pool that would be admitted now.
    static func admissible(namespace: String, poolLabel: String, caches: SyncCaches, expectations: PodExpectations, now: Date) -> [ObjectKey] {
        // The label may be a shortened pool name: find the pool whose label value it is.
        let pools = caches.pools.store.list().filter { ($0.namespace ?? "") == namespace && $0.name.map(WorkerPodNaming.labelValue) == poolLabel }
        guard let poolObject = pools.first, let pool = try? poolObject.decode(WorkerPool.self), let poolName = pool.metadata.name else { return [] }
        let active = SyncReconciler.activeWorkers(namespace: namespace, pool: poolName, pods: caches.pods.store, expectations: expectations)
        let queued = SyncReconciler.queue(namespace: namespace, pool: poolName, now: now, caches: caches, expectations: expectations)
        return PoolAdmission.admitted(capacity: Int(pool.capacity), activeWorkers: active, queued: queued)
            .map { ObjectKey(namespace: $0.namespace, name: $0.name) }
    }

    /// Queued Syncs in `namespace` whose Queued condition has one of `reasons`.
    static func waiting(in namespace: String, reasons: Set<String>, syncs: ObjectStore) -> [ObjectKey] {
        SyncIndexes.queuedSyncs(in: namespace, reasons: reasons, store: syncs).compactMap { ObjectKey($0) }
    }
}
