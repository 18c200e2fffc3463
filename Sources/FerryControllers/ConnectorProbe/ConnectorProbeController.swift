/// The Source and Destination controllers: the probe reconciler of each kind on a work
/// queue, re-triggered by the probe pods it owns.
import FerryAPI
import KubeClient
import KubeCore
import KubeRuntime
import Logging

public enum ConnectorProbeController {
    public static func controllerName(_ kind: ConnectorProbeKind) -> String { kind.kind.lowercased() }

    /// Builds the controller of `kind` over `caches`. Run the informers, the recorder and
    /// the returned controller.
    public static func make(
        kind: ConnectorProbeKind, client: KubernetesClient, caches: ConnectorProbeCaches, events: EventRecorder?, defaults: OperatorDefaults,
        clock: any RuntimeClock = SystemClock(), metrics: MetricsRegistry = MetricsRegistry(), name: String? = nil,
        logger: Logger = Logger(label: "ferry.connector-probe")
    ) -> Controller {
        let reconciler = ConnectorProbeReconciler(kind: kind, client: client, caches: caches, events: events, clock: clock, defaults: defaults, logger: logger)
        let controller = Controller(name: name ?? controllerName(kind), for: caches.connectors, clock: clock, metrics: metrics, logger: logger) { key, object in
            try await reconciler.reconcile(key, object)
        }
        controller.owns(caches.pods)
        return controller
    }

    /// Registers the Source and the Destination controller on `manager`'s shared informers
    /// (in `namespace`, or all namespaces) with the manager's clock, metrics and recorder.
    @discardableResult
    public static func register(on manager: ControllerManager, defaults: OperatorDefaults, namespace: String? = nil) -> [Controller] {
        // The same pod informer as the Sync controller's, with the same indexers and projection.
        let pods = manager.sharedInformer(for: .pod, namespace: namespace)
        return [ConnectorProbeKind.source, .destination].map { kind in
            let caches = ConnectorProbeCaches(connectors: manager.sharedInformer(for: kind.resourceType, namespace: namespace), pods: pods)
            let controller = make(kind: kind, client: manager.client, caches: caches, events: manager.events, defaults: defaults, clock: manager.clock,
                                  metrics: manager.metrics, name: namespace.map { "\(controllerName(kind))-\($0)" } ?? controllerName(kind))
            manager.add(controller)
            return controller
        }
    }
}
