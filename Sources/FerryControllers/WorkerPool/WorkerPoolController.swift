/// The WorkerPool controller: the WorkerPool reconciler on a work queue, re-triggered by
/// the Syncs and Connections of each pool.
import FerryAPI
import KubeClient
import KubeCore
import KubeRuntime
import Logging

public enum WorkerPoolController {
    public static let controllerName = "workerpool"

    /// Builds the controller over `caches`. Run the informers, the recorder and the
    /// returned controller.
    public static func make(
        client: KubernetesClient, caches: WorkerPoolCaches, events: EventRecorder?, defaultPool: DefaultWorkerPoolOptions = DefaultWorkerPoolOptions(),
        autoscaler: PoolAutoscalerOptions = PoolAutoscalerOptions(), warmWorkers: WarmWorkerOptions = WarmWorkerOptions(), clock: any RuntimeClock = SystemClock(),
        metrics: MetricsRegistry = MetricsRegistry(), name: String = controllerName, logger: Logger = Logger(label: "ferry.workerpool")
    ) -> Controller {
        let reconciler = WorkerPoolReconciler(
            client: client, caches: caches, events: events, defaultPool: defaultPool, autoscaler: PoolAutoscalerRunner(options: autoscaler),
            warmWorkers: warmWorkers, clock: clock, metrics: PoolMetrics(registry: metrics), logger: logger)
        let controller = Controller(name: name, for: caches.pools, clock: clock, metrics: metrics, logger: logger) { key, pool in
            try await reconciler.reconcile(key, pool)
        }
        // A Sync entering, changing phase in or leaving a pool changes its counts. An update
        // hands over both versions, and the Sync's pool comes from its Connection.
        let connections = caches.connections.store
        controller.watches(caches.syncs) { sync in
            guard let name = sync["spec"]["connectionRef"]["name"].stringValue,
                  let connection = connections.get(namespace: sync.namespace, name: name) else { return [] }
            return [poolKey(of: connection)]
        }
        // A Connection moving to another pool moves its Syncs' counts (old and new pool);
        // a Connection that uses a missing `default` brings the key that creates it.
        controller.watches(caches.connections) { connection in [poolKey(of: connection)] }
        // A placeholder pod preempted, evicted or deleted is replaced by its pool.
        if let pods = caches.pods {
            let pools = caches.pools.store
            controller.watches(pods) { pod in
                guard let label = pod.labels[WarmWorkerPods.poolLabel] else { return [] }
                return pools.list().filter { ($0.namespace ?? "") == (pod.namespace ?? "") && $0.name.map(WorkerPodNaming.labelValue) == label }
                    .compactMap { ObjectKey($0) }
            }
        }
        return controller
    }

    /// Registers the controller on `manager`'s shared informers (in `namespace`, or all
    /// namespaces) with the manager's clock, metrics and event recorder.
    @discardableResult
    public static func register(
        on manager: ControllerManager, defaultPool: DefaultWorkerPoolOptions = DefaultWorkerPoolOptions(),
        autoscaler: PoolAutoscalerOptions = PoolAutoscalerOptions(), warmWorkers: WarmWorkerOptions = WarmWorkerOptions(), namespace: String? = nil
    ) -> Controller {
        let caches = WorkerPoolCaches(
            pools: manager.sharedInformer(for: WorkerPool.resourceType, namespace: namespace),
            syncs: manager.sharedInformer(for: Sync.resourceType, namespace: namespace),
            connections: manager.sharedInformer(for: Connection.resourceType, namespace: namespace),
            pods: manager.sharedInformer(for: .pod, namespace: namespace))
        let controller = make(client: manager.client, caches: caches, events: manager.events, defaultPool: defaultPool, autoscaler: autoscaler,
                              warmWorkers: warmWorkers, clock: manager.clock, metrics: manager.metrics, name: namespace.map { "\(controllerName)-\($0)" } ?? controllerName)
        manager.add(controller)
        return controller
    }

    /// The key of the pool `connection`'s Syncs use.
    static func poolKey(of connection: JSONValue) -> ObjectKey {
        ObjectKey(namespace: connection.namespace, name: PoolOccupancy.pool(ofConnection: connection))
    }
}
