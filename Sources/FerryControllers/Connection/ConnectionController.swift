/// The Connection controller: the Connection reconciler on a work queue, re-triggered by
/// its Syncs (active and last Sync, Forbid, history limits, failure count, committed
/// state) and by the Sources (catalog) and Destinations it names.
import FerryAPI
import KubeClient
import KubeCore
import KubeRuntime
import Logging

public enum ConnectionController {
    public static let controllerName = "connection"

    public static func make(
        client: KubernetesClient, caches: ConnectionCaches, events: EventRecorder?, clock: any RuntimeClock = SystemClock(),
        options: ConnectionControllerOptions = ConnectionControllerOptions(), metrics: MetricsRegistry = MetricsRegistry(),
        name: String = controllerName, logger: Logger = Logger(label: "ferry.connection")
    ) -> Controller {
        let reconciler = ConnectionReconciler(client: client, caches: caches, events: events, clock: clock, options: options, logger: logger)
        let controller = Controller(name: name, for: caches.connections, clock: clock, metrics: metrics, logger: logger) { key, connection in
            try await reconciler.reconcile(key, connection)
        }
        controller.watches(caches.syncs) { sync in
            sync["spec"]["connectionRef"]["name"].stringValue.map { [ObjectKey(namespace: sync.namespace, name: $0)] } ?? []
        }
        let connections = caches.connections.store
        for (informer, field) in [(caches.sources, "sourceRef"), (caches.destinations, "destinationRef")] {
            controller.watches(informer) { connector in
                connections.list().filter { $0.namespace == connector.namespace && $0["spec"][field]["name"].stringValue == connector.name }
                    .compactMap { ObjectKey($0) }
            }
        }
        return controller
    }

    @discardableResult
    public static func register(on manager: ControllerManager, namespace: String? = nil,
                                options: ConnectionControllerOptions = ConnectionControllerOptions()) -> Controller {
        let caches = ConnectionCaches(
            connections: manager.sharedInformer(for: Connection.resourceType, namespace: namespace),
            syncs: manager.sharedInformer(for: Sync.resourceType, namespace: namespace),
            sources: manager.sharedInformer(for: Source.resourceType, namespace: namespace),
            destinations: manager.sharedInformer(for: Destination.resourceType, namespace: namespace))
        let controller = make(client: manager.client, caches: caches, events: manager.events, clock: manager.clock, options: options,
                              metrics: manager.metrics, name: namespace.map { "\(controllerName)-\($0)" } ?? controllerName)
        manager.add(controller)
        return controller
    }
}
