/// The controller manager: shared informers, the registered controllers, leader election,
/// the event recorder and the health/metrics server, run as one ServiceLifecycle service.
import KubeClient
import KubeCore
import Logging
import ServiceLifecycle
import Synchronization

/// Owns everything an operator process runs.
///
/// Guarantees: informers, the event recorder and the health/metrics server run always;
/// controllers run only while this instance leads (or always without leader election).
/// Graceful shutdown drains in-flight reconciles, writes queued events and releases the lease.
public final class ControllerManager: Service, Sendable {
    public struct Options: Sendable {
        /// nil runs controllers without leader election.
        public var leaderElection: LeaderElectionConfiguration?
        /// Address of `/healthz`, `/readyz` and `/metrics`; nil disables the server.
        public var healthHost: String?
        public var healthPort: Int
        public var watcher: WatcherStateMachine.Configuration

        public init(leaderElection: LeaderElectionConfiguration? = nil, healthHost: String? = "127.0.0.1", healthPort: Int = 8080, watcher: WatcherStateMachine.Configuration = .init()) {
            self.leaderElection = leaderElection
            self.healthHost = healthHost
            self.healthPort = healthPort
            self.watcher = watcher
        }
    }

    private struct InformerID: Hashable {
        var resource: ResourceType
        var namespace: String?
    }

    /// The comparable part of an informer's configuration (closures are not comparable).
    private struct InformerShape: Hashable, CustomStringConvertible {
        var indexers: Set<String>
        var transformed: Bool
        var description: String { "indexers \(indexers.sorted()), \(transformed ? "transform" : "no transform")" }
    }

    public let client: KubernetesClient
    public let options: Options
    public let metrics: MetricsRegistry
    public let clock: any RuntimeClock
    public let events: EventRecorder
    public let healthServer: HealthServer?
    private let logger: Logger
    private let informers = Mutex<[InformerID: Informer]>([:])
    /// What the first registration of each informer asked for.
    private let shapes = Mutex<[InformerID: InformerShape]>([:])
    private let controllers = Mutex<[Controller]>([])
    private let elector = Mutex<LeaderElector?>(nil)

    public init(client: KubernetesClient, options: Options = Options(), component: String = "ferry", clock: any RuntimeClock = SystemClock(),
                metrics: MetricsRegistry = MetricsRegistry(), logger: Logger = Logger(label: "ferry.manager")) {
        self.client = client
        self.options = options
        self.metrics = metrics
        self.clock = clock
        self.logger = logger
        self.events = EventRecorder(client: client, component: component, clock: clock, metrics: metrics)
        if let host = options.healthHost {
            let box = ReadyCheck()
            self.healthServer = HealthServer(host: host, port: options.healthPort, metrics: metrics) { box.check() }
            readyCheck = box
        } else {
            self.healthServer = nil
            readyCheck = ReadyCheck()
        }
        readyCheck.set { [weak self] in self?.isReady ?? false }
        InformerCacheMetrics.describe(metrics)
        metrics.addCollector { [weak self] in
            for (id, informer) in self?.informers.withLock({ $0 }) ?? [:] { InformerCacheMetrics.collect(informer, namespace: id.namespace, into: metrics) }
        }
    }

    private let readyCheck: ReadyCheck

    /// The shared informer for `resource` (in `namespace`, or all namespaces). The first call
    /// decides its indexers and transform; later calls get the same informer, and one that
    /// asks for other indexers or a transform where the first had none (or the reverse) is
    /// logged, since its controller would read a cache shaped for another one.
    public func informer(
        for resource: ResourceType, namespace: String? = nil, indexers: [String: IndexFunction] = [:], transform: (@Sendable (JSONValue) -> JSONValue)? = nil
    ) -> Informer {
        let shape = InformerShape(indexers: Set(indexers.keys), transformed: transform != nil)
        return informers.withLock { all in
            let id = InformerID(resource: resource, namespace: namespace)
            if let existing = all[id] {
                if let first = shapes.withLock({ $0[id] }), first != shape {
                    logger.warning("shared informer registered again with other indexers or transform; the first registration's are kept", metadata: [
                        "resource": "\(resource.plural)", "first": "\(first)", "ignored": "\(shape)",
                    ])
                }
                return existing
            }
            shapes.withLock { $0[id] = shape }
            let informer = Informer(
                client: client, resource: resource, namespace: namespace, configuration: options.watcher, indexers: indexers, transform: transform, clock: clock,
                logger: logger)
            all[id] = informer
            return informer
        }
    }

    /// Creates and registers a controller for `resource` on the shared informer.
    @discardableResult
    public func controller(name: String, for resource: ResourceType, namespace: String? = nil, maxConcurrentReconciles: Int = 1, reconcile: @escaping ReconcileFunction) -> Controller {
        let c = Controller(
            name: name, for: informer(for: resource, namespace: namespace), maxConcurrentReconciles: maxConcurrentReconciles, clock: clock, metrics: metrics,
            logger: logger, reconcile: reconcile)
        add(c)
        return c
    }

    public func add(_ controller: Controller) {
        controllers.withLock { $0.append(controller) }
    }

    /// True when every informer has completed its first list (what `/readyz` reports).
    public var isReady: Bool { informers.withLock { Array($0.values) }.allSatisfy { $0.store.isSynced } }

    /// Whether this instance currently runs the controllers.
    public var isLeader: Bool { elector.withLock { $0 }?.isLeader ?? (options.leaderElection == nil) }

    public func run() async throws {
        let informers = self.informers.withLock { Array($0.values) }
        let controllers = self.controllers.withLock { $0 }
        let runControllers: @Sendable () async -> Void = {
            await withTaskGroup(of: Void.self) { group in
                for c in controllers { group.addTask { await c.run() } }
                // Keep leading until shutdown even with no controllers registered yet;
                // returning early would release the lease at once. Cancellation ends the wait.
                group.addTask { try? await gracefulShutdown() }
            }
        }
        var electorInstance: LeaderElector?
        if let config = options.leaderElection {
            let e = try LeaderElector(configuration: config, client: client, clock: clock, metrics: metrics, logger: logger, whileLeading: runControllers)
            elector.withLock { $0 = e }
            electorInstance = e
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let healthServer { group.addTask { try await healthServer.run() } }
            group.addTask { await self.events.run() }
            for informer in informers {
                // Caches stop at once on graceful shutdown; draining reconciles read the last state.
                group.addTask { await cancelWhenGracefulShutdown { await informer.run() } }
            }
            if let electorInstance {
                group.addTask { await electorInstance.run() }
            } else {
                group.addTask { await runControllers() }
            }
            try await group.waitForAll()
        }
    }
}

/// Late-bound readiness check: the health server is built before `self` is complete.
private final class ReadyCheck: Sendable {
    private let fn = Mutex<(@Sendable () -> Bool)?>(nil)
    func set(_ f: @escaping @Sendable () -> Bool) { fn.withLock { $0 = f } }
    func check() -> Bool { fn.withLock { $0 }?() ?? false }
}
