/// A controller: informers feed keys into a work queue; workers reconcile them with
/// backoff, never two at once for one key, and record controller-runtime's metrics.
import KubeClient
import KubeCore
import Logging
import ServiceLifecycle
import Synchronization

/// Reconciles one primary kind, re-triggered by its children and by mapped watches.
///
/// Guarantees: a key is never reconciled concurrently (the work queue's processing set);
/// a changed key is reconciled at least once after the change; errors back off per key
/// (5 ms → 1000 s, overall 10 qps / burst 100); a conflict requeues quietly; a
/// `TerminalError` is not retried. Graceful shutdown stops taking new keys and lets
/// in-flight reconciles finish.
/// Caveats: register `owns`/`watches` before `run`.
public final class Controller: Service, Sendable {
    public let name: String
    public let primary: Informer
    public let queue: WorkQueue<ObjectKey>
    public let maxConcurrentReconciles: Int
    private let reconcile: ReconcileFunction
    private let clock: any RuntimeClock
    private let metrics: MetricsRegistry
    private let logger: Logger
    private let sources = Mutex<[Informer]>([])
    /// Set by `run`: the first reconcile after (re)starting is logged at info, so a new
    /// leader's take-over is visible in the log with its time.
    private let firstReconcilePending = Mutex(false)

    public init(
        name: String, for primary: Informer, maxConcurrentReconciles: Int = 1, clock: any RuntimeClock = SystemClock(),
        metrics: MetricsRegistry = MetricsRegistry(), rateLimiter: any WorkQueueRateLimiter<ObjectKey> = DefaultControllerRateLimiter<ObjectKey>(),
        logger: Logger = Logger(label: "ferry.controller"), reconcile: @escaping ReconcileFunction
    ) {
        self.name = name
        self.primary = primary
        self.maxConcurrentReconciles = max(1, maxConcurrentReconciles)
        self.reconcile = reconcile
        self.clock = clock
        self.metrics = metrics
        var logger = logger
        logger[metadataKey: "controller"] = "\(name)"
        self.logger = logger
        self.queue = WorkQueue(name: name, clock: clock, rateLimiter: rateLimiter, metrics: metrics)
        Self.describeMetrics(metrics)
        let labels = ["controller": name]
        metrics.set("controller_runtime_max_concurrent_reconciles", labels, to: Double(self.maxConcurrentReconciles))
        metrics.set("controller_runtime_active_workers", labels, to: 0)
        metrics.increment("controller_runtime_reconcile_errors_total", labels, by: 0)
        metrics.increment("controller_runtime_terminal_reconcile_errors_total", labels, by: 0)
        for result in ["success", "error", "requeue", "requeue_after"] {
            metrics.increment("controller_runtime_reconcile_total", ["controller": name, "result": result], by: 0)
        }
        sources.withLock { $0.append(primary) }
        let queue = self.queue
        primary.addHandler { change in
            for obj in change.objects { if let key = ObjectKey(obj) { queue.add(key) } }
        }
    }

    static func describeMetrics(_ m: MetricsRegistry) {
        m.describe("controller_runtime_reconcile_total", kind: .counter, help: "Total number of reconciliations per controller")
        m.describe("controller_runtime_reconcile_errors_total", kind: .counter, help: "Total number of reconciliation errors per controller")
        m.describe("controller_runtime_terminal_reconcile_errors_total", kind: .counter, help: "Total number of terminal reconciliation errors per controller")
        m.describe("controller_runtime_reconcile_time_seconds", kind: .histogram, help: "Length of time per reconciliation per controller", buckets: MetricsRegistry.reconcileBuckets)
        m.describe("controller_runtime_active_workers", kind: .gauge, help: "Number of currently used workers per controller")
        m.describe("controller_runtime_max_concurrent_reconciles", kind: .gauge, help: "Maximum number of concurrent reconciles per controller")
    }

    /// Child objects whose controlling owner reference points at a primary object re-trigger that owner.
    public func owns(_ child: Informer) {
        let kind = primary.resource.kind
        let group = primary.resource.gvk.group
        let namespaced = primary.resource.namespaced
        watches(child) { obj in
            obj.ownerReferences.compactMap { ref -> ObjectKey? in
                guard ref.controller == true, ref.kind == kind, (GroupVersion(apiVersion: ref.apiVersion)?.group ?? "") == group else { return nil }
                return ObjectKey(namespace: namespaced ? obj.namespace : nil, name: ref.name)
            }
        }
    }

    /// Any change to an object of `informer` enqueues the keys `map` returns.
    public func watches(_ informer: Informer, map: @escaping @Sendable (JSONValue) -> [ObjectKey]) {
        watches(informer, changes: { change in
            var keys = Set<ObjectKey>()
            for obj in change.objects { keys.formUnion(map(obj)) }
            return Array(keys)
        })
    }

    /// Each change of `informer` enqueues the keys `map` returns for it: for a mapping
    /// that only some transitions call for (it sees the old and the new object), since
    /// handlers run on the informer's delivery path.
    public func watches(_ informer: Informer, changes map: @escaping @Sendable (StoreChange) -> [ObjectKey]) {
        sources.withLock { s in if !s.contains(where: { $0 === informer }) { s.append(informer) } }
        let queue = self.queue
        informer.addHandler { change in
            for key in Set(map(change)) { queue.add(key) }
        }
    }

    /// Whether every informer this controller reads from has synced.
    public var hasSynced: Bool { sources.withLock { $0 }.allSatisfy { $0.store.isSynced } }

    /// Waits for the caches, then runs the workers until graceful shutdown (drains) or cancellation.
    public func run() async {
        await withGracefulShutdownHandler {
            for source in sources.withLock({ $0 }) { await source.store.waitUntilSynced() }
            if Task.isCancelled { return }
            logger.info("starting workers", metadata: ["workers": "\(maxConcurrentReconciles)"])
            firstReconcilePending.withLock { $0 = true }
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<maxConcurrentReconciles {
                    group.addTask { await self.worker() }
                }
            }
        } onGracefulShutdown: {
            self.queue.shutDown()
        }
    }

    /// Stops taking new keys; workers finish what is queued and in flight, then `run` returns.
    public func shutDown() { queue.shutDown() }

    private func worker() async {
        // After cancellation (leadership lost) stop at once; graceful shutdown drains instead.
        while !Task.isCancelled, let key = await queue.get() {
            await process(key)
            queue.done(key)
        }
    }

    private func process(_ key: ObjectKey) async {
        let labels = ["controller": name]
        metrics.add("controller_runtime_active_workers", labels, 1)
        let start = clock.now
        let result: Result<ReconcileAction, any Error>
        do {
            result = .success(try await reconcile(key, primary.store.get(key)))
        } catch {
            result = .failure(error)
        }
        metrics.observe("controller_runtime_reconcile_time_seconds", labels, (clock.now - start).seconds)
        metrics.add("controller_runtime_active_workers", labels, -1)
        let outcome = ReconcileOutcome.classify(result)
        switch (outcome, result) {
        case (.success, _):
            queue.forget(key)
        case (.requeueAfter, .success(.requeueAfter(let delay))):
            queue.forget(key)
            queue.add(key, after: delay)
        case (.requeue, _):
            logger.debug("conflict; requeueing", metadata: ["key": "\(key)"])
            queue.addRateLimited(key)
        case (.terminalError, .failure(let error)):
            metrics.increment("controller_runtime_reconcile_errors_total", labels)
            metrics.increment("controller_runtime_terminal_reconcile_errors_total", labels)
            logger.error("reconcile failed with a terminal error; not retrying", metadata: ["key": "\(key)", "error": "\(error)"])
        case (_, .failure(let error)):
            metrics.increment("controller_runtime_reconcile_errors_total", labels)
            logger.error("reconcile failed", metadata: ["key": "\(key)", "error": "\(error)"])
            queue.addRateLimited(key)
        default:
            queue.forget(key)
        }
        let resultLabel = outcome == .terminalError ? "error" : outcome.rawValue
        if firstReconcilePending.withLock({ pending in defer { pending = false }; return pending }) {
            logger.info("first reconcile", metadata: ["key": "\(key)", "result": "\(resultLabel)"])
        }
        metrics.increment("controller_runtime_reconcile_total", ["controller": name, "result": resultLabel])
    }
}

extension StoreChange {
    /// The objects a change concerns: both versions of an update (the old one may have
    /// pointed at another owner).
    var objects: [JSONValue] {
        switch self {
        case .added(let o), .deleted(let o): return [o]
        case .updated(let old, let new): return old == new ? [new] : [old, new]
        }
    }
}
