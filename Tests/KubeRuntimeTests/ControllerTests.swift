/// The controller's result handling, I/O-free: informers fed by hand, time on a ManualClock.
import KubeClient
import KubeCore
import KubeRuntime
import Synchronization
import Logging
import ServiceLifecycle
import Testing

@Suite(.timeLimit(.minutes(1))) struct ControllerTests {
    struct Failure: Error {}

    /// Runs a controller on a hand-fed informer; `script` decides each reconcile's result.
    func withController(
        clock: ManualClock, metrics: MetricsRegistry, log: ReconcileLog,
        _ script: @escaping @Sendable (ObjectKey, Int) throws -> ReconcileAction,
        _ body: (Informer, Controller) async throws -> Void
    ) async throws {
        let informer = Informer(resource: .configMap)
        let calls = Mutex<[ObjectKey: Int]>([:])
        let controller = Controller(name: "unit", for: informer, maxConcurrentReconciles: 2, clock: clock, metrics: metrics) { key, object in
            log.begin(key, object)
            defer { log.end(key) }
            let n = calls.withLock { c -> Int in c[key, default: 0] += 1; return c[key] ?? 0 }
            return try script(key, n)
        }
        informer.deliver(.restarted([]))
        try await whileRunning({ await controller.run() }) {
            try await body(informer, controller)
        }
    }

    func total(_ m: MetricsRegistry, _ result: String) -> Int {
        Int(m.value("controller_runtime_reconcile_total", ["controller": "unit", "result": result]) ?? 0)
    }

    @Test func errorsBackOffExponentiallyUntilSuccess() async throws {
        let clock = ManualClock(), metrics = MetricsRegistry(), log = ReconcileLog()
        try await withController(clock: clock, metrics: metrics, log: log, { _, n in
            if n <= 3 { throw Failure() }
            return .done
        }) { informer, controller in
            informer.deliver(.applied(object("a")))
            try await poll { log.count == 1 && controller.queue.waitingCount == 1 }
            // Retries at 5 ms, then 10 ms, then 20 ms after each failure.
            for (i, step) in [Duration.milliseconds(5), .milliseconds(10), .milliseconds(20)].enumerated() {
                clock.advance(by: step - .microseconds(1))
                #expect(log.count == i + 1, "no retry before the backoff elapses")
                clock.advance(by: .microseconds(1))
                try await poll { log.count == i + 2 }
                if i < 2 { try await poll { controller.queue.waitingCount == 1 } }
            }
            try await poll { total(metrics, "success") == 1 }
            #expect(total(metrics, "error") == 3)
            #expect(metrics.value("controller_runtime_reconcile_errors_total", ["controller": "unit"]) == 3)
            try await poll { controller.queue.numRequeues(ObjectKey(namespace: "default", name: "a")) == 0 }
        }
    }

    @Test func terminalErrorsAreNotRetriedAndRequeueAfterWaits() async throws {
        let clock = ManualClock(), metrics = MetricsRegistry(), log = ReconcileLog()
        try await withController(clock: clock, metrics: metrics, log: log, { key, n in
            if key.name == "bad" { throw TerminalError(Failure()) }
            return n == 1 ? .requeueAfter(.seconds(30)) : .done
        }) { informer, controller in
            informer.deliver(.applied(object("bad")))
            informer.deliver(.applied(object("periodic")))
            try await poll { log.count == 2 && controller.queue.waitingCount == 1 }
            #expect(metrics.value("controller_runtime_terminal_reconcile_errors_total", ["controller": "unit"]) == 1)
            clock.advance(by: .seconds(29))
            #expect(log.count == 2)
            clock.advance(by: .seconds(1))
            try await poll { log.count == 3 }
            #expect(log.seen[ObjectKey(namespace: "default", name: "periodic")] == "1")
            clock.advance(by: .seconds(2000))
            #expect(controller.queue.waitingCount == 0, "the terminal error must not be retried")
            #expect(total(metrics, "requeue_after") == 1)
            // A change to the object reconciles it again.
            informer.deliver(.applied(object("bad", rv: "2")))
            try await poll { log.count == 4 }
        }
    }

    @Test func deletedObjectsAreReconciledWithNoObject() async throws {
        let clock = ManualClock(), metrics = MetricsRegistry(), log = ReconcileLog()
        try await withController(clock: clock, metrics: metrics, log: log, { _, _ in .done }) { informer, _ in
            informer.deliver(.applied(object("gone")))
            try await poll { log.count == 1 }
            informer.deliver(.deleted(object("gone")))
            try await poll { log.count == 2 }
            #expect(log.seen[ObjectKey(namespace: "default", name: "gone")] == "deleted")
        }
    }
}

@Suite(.timeLimit(.minutes(1))) struct ControllerShutdownTests {
    @Test func gracefulShutdownLetsInFlightReconcilesFinish() async throws {
        let informer = Informer(resource: .configMap)
        let entered = Mutex(false)
        let gate = AsyncStream<Void>.makeStream()
        let finished = Mutex<Bool?>(nil)
        let controller = Controller(name: "drain", for: informer, clock: ManualClock()) { _, _ in
            entered.withLock { $0 = true }
            for await _ in gate.stream {}
            finished.withLock { $0 = !Task.isCancelled }
            return .done
        }
        informer.deliver(.restarted([object("slow")]))
        let group = ServiceGroup(configuration: .init(services: [controller], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await poll { entered.withLock { $0 } }
            await group.triggerGracefulShutdown()
            try await poll { controller.queue.isShuttingDown }
            #expect(finished.withLock { $0 } == nil, "the reconcile is still running")
            gate.continuation.finish()
            try await tasks.waitForAll()
        }
        #expect(finished.withLock { $0 } == true, "the in-flight reconcile finished without being cancelled")
    }
}

@Suite(.timeLimit(.minutes(1))) struct ControllerSourceTests {
    @Test func watchesMapOtherObjectsToPrimaryKeysAndOwnsUsesControllerReferences() async throws {
        let primary = Informer(resource: .configMap)
        let secrets = Informer(resource: .secret)
        let pods = Informer(resource: .pod)
        let log = ReconcileLog()
        let controller = Controller(name: "map", for: primary, clock: ManualClock()) { key, object in
            log.begin(key, object)
            defer { log.end(key) }
            return .done
        }
        controller.watches(secrets) { obj in
            obj.labels["ferry.dev/connection"].map { [ObjectKey(namespace: obj.namespace, name: $0)] } ?? []
        }
        controller.owns(pods)
        for informer in [primary, secrets, pods] { informer.deliver(.restarted([])) }
        #expect(controller.hasSynced)
        try await whileRunning({ await controller.run() }) {
            secrets.deliver(.applied(object("s1", labels: ["ferry.dev/connection": "pg"])))
            try await poll { log.seen[ObjectKey(namespace: "default", name: "pg")] == "deleted" }
            let controllerRef: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": "u1", "controller": true]
            let otherRef: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "name": "not-controller", "uid": "u2"]
            let wrongKind: JSONValue = ["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "u3", "controller": true]
            pods.deliver(.applied(object("p1", owners: [otherRef, wrongKind, controllerRef])))
            try await poll { log.seen[ObjectKey(namespace: "default", name: "owner")] != nil }
            #expect(Set(log.seen.keys.map(\.name)) == ["pg", "owner"])
        }
    }
}
