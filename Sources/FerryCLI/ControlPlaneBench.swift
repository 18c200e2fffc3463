/// `ferry bench controlplane`: the operator at issue #10's scale, measured on its own. The
/// embedded API server (`ferry apiserver`), the simulated node (`ferry node --runtime
/// simulated`) and the operator (`ferry operator`) run as child processes of this one, so
/// the operator's VmRSS/VmHWM (from /proc/<pid>/status) and its /metrics are its own.
///
/// Phases: the operator starts on an empty cluster; N Connections with yearly cron
/// schedules (they never fire during the run) are created and reconciled; M finished
/// Syncs are created with a Succeeded status written through the status subresource (the
/// simulated runtime would take hours to run them); then A Syncs are created at once on a
/// pool of at least A workers whose simulated pods run for an hour, and the bench waits for
/// the A-th worker pod. Each phase reports reconciles per second (the operator's
/// `controller_runtime_reconcile_total`), the work-queue wait (`workqueue_queue_duration_seconds`),
/// the informer caches (`ferry_informer_cache_objects` / `_bytes`) and the operator's memory.
import ArgumentParser
import FerryAPI
import FerryControllers
import FerryLocalRuntime
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

struct ControlPlaneBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controlplane",
        abstract: "The operator (its own process) with N Connections, M finished and A active Syncs: RSS, cache size, reconciles/s, pod latency."
    )

    @Option(help: "Connections to create (yearly cron schedules).")
    var connections = 10_000

    @Option(name: .customLong("finished-syncs"), help: "Finished (Succeeded) Syncs to create, spread over the Connections.")
    var finishedSyncs = 10_000

    @Option(name: .customLong("active-syncs"), help: "Syncs created at once on a pool with as many workers; the bench waits for their pods.")
    var activeSyncs = 1_000

    @Option(help: "Sources and Destinations the Connections use (round robin).")
    var connectors = 5

    @Option(help: "Concurrent create requests of the bench's client.")
    var concurrency = 16

    @Option(help: "Seconds each phase may take before the bench gives up.")
    var timeout = 600

    @Flag(name: .customLong("no-projections"), help: .hidden)
    var noProjections = false

    static let namespace = "default"
    static let poolName = "bench"
    static let yearly = "0 3 1 1 *"

    func run() async throws {
        guard connections > 0, finishedSyncs >= 0, activeSyncs > 0, activeSyncs <= connections, connectors > 0, concurrency > 0 else {
            throw ValidationError("--connections, --active-syncs (at most --connections), --connectors and --concurrency must be positive")
        }
        let clock = ContinuousClock()
        let began = clock.now
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-bench-controlplane-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let kubeconfig = dir + "/kubeconfig"
        var children: [BenchChild] = []
        do {
            let server = try BenchChild(name: "apiserver", ["apiserver", "--port", "0", "--kubeconfig", kubeconfig], directory: dir)
            children.append(server)
            try await server.waitForOutput("ready", timeout: .seconds(60))
            var configuration = try ClientConfiguration.load(kubeconfigPath: kubeconfig)
            configuration.qps = 0
            let client = try KubernetesClient(configuration: configuration)
            do {
                try await measure(client: client, kubeconfig: kubeconfig, directory: dir, children: &children, began: began)
            } catch {
                try? await client.shutdown()
                throw error
            }
            try await client.shutdown()
        } catch {
            for child in children.reversed() { await child.stop() }
            throw error
        }
        for child in children.reversed() { await child.stop() }
    }

    private func measure(client: KubernetesClient, kubeconfig: String, directory: String, children: inout [BenchChild], began: ContinuousClock.Instant) async throws {
        let clock = ContinuousClock()
        try await DevCommand.installCRDs(client)
        try await createInputs(client)
        let node = try BenchChild(
            name: "node", ["node", "--kubeconfig", kubeconfig, "--name", "bench-node", "--runtime", "simulated", "--schedule-unassigned",
                           "--cpu", "100000", "--memory", "100Ti", "--max-pods", String(10 * (activeSyncs + connectors * 2) + 100)],
            directory: directory)
        children.append(node)
        let port = try freeLocalPort()
        let operatorProcess = try BenchChild(
            name: "operator", ["operator", "--kubeconfig", kubeconfig, "--leader-elect", "false", "--log-format", "text",
                               "--metrics-bind-address", "127.0.0.1:\(port)", "--health-probe-bind-address", "127.0.0.1:\(port)"],
            directory: directory, environment: noProjections ? [CacheProjections.disableEnvironmentVariable: "off"] : [:])
        children.append(operatorProcess)
        let scraper = OperatorScraper(port: port, process: operatorProcess)
        try await scraper.waitUntil("the operator is ready", timeout: .seconds(timeout)) { _ in httpGet(port: port, path: "/readyz")?.status == 200 }
        let observer = WorkerPodObserver(client: client, namespace: Self.namespace)
        let observing = Task { await observer.run() }
        defer { observing.cancel() }

        var report = ControlPlaneReport(connections: connections, finishedSyncs: finishedSyncs, activeSyncs: activeSyncs, projections: !noProjections)
        report.record("operator started (empty caches)", try await scraper.settled(timeout: timeout))

        // Connections.
        var start = clock.now
        var before = try scraper.snapshot()
        try await forEachConcurrently(connections) { index in try await self.createConnection(index, client) }
        let connectionsCreated = clock.now - start
        try await scraper.waitUntil("\(connections) Connections reconciled", timeout: .seconds(timeout)) { m in
            m.sum("ferry_informer_cache_objects", ["resource": Connection.resourceType.plural + "." + FerryAPI.group]) >= Double(connections)
                && m.sum("controller_runtime_reconcile_total", ["controller": ConnectionController.controllerName]) - before.sum("controller_runtime_reconcile_total", ["controller": ConnectionController.controllerName]) >= Double(connections)
                && m.sum("workqueue_depth") == 0
        }
        var phase = try await scraper.settled(timeout: timeout)
        report.record("\(connections) Connections cached", phase, since: before, duration: clock.now - start,
                      note: String(format: "created in %.1f s", connectionsCreated.seconds))

        // Finished Syncs.
        start = clock.now
        before = phase
        let podsBefore = observer.count
        try await forEachConcurrently(finishedSyncs) { index in try await self.createFinishedSync(index, client) }
        let finishedCreated = clock.now - start
        try await scraper.waitUntil("\(finishedSyncs) finished Syncs cached", timeout: .seconds(timeout)) { m in
            m.sum("ferry_informer_cache_objects", ["resource": Sync.resourceType.plural + "." + FerryAPI.group]) >= Double(finishedSyncs)
                && m.sum("workqueue_depth") == 0
        }
        phase = try await scraper.settled(timeout: timeout)
        report.record("+ \(finishedSyncs) finished Syncs cached", phase, since: before, duration: clock.now - start,
                      note: String(format: "created in %.1f s; %d pods started for them", finishedCreated.seconds, observer.count - podsBefore))

        // Active Syncs.
        before = phase
        observer.expect(prefix: "active-", count: activeSyncs)
        _ = try await client.patch(WorkerPool.resourceType, name: Self.poolName, namespace: Self.namespace,
                                   patch: ["spec": ["workers": .int(Int64(activeSyncs))]], type: .merge)
        start = clock.now
        try await forEachConcurrently(activeSyncs) { index in try await self.createActiveSync(index, client) }
        let activeCreated = clock.now - start
        let deadline = clock.now + .seconds(timeout)
        while observer.expectedReachedAt == nil, clock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        guard let reached = observer.expectedReachedAt else {
            throw ValidationError("only \(observer.expectedSeen) of \(activeSyncs) worker pods appeared within \(timeout) s")
        }
        let atPods = try scraper.snapshot()
        let toPods = reached - start
        phase = try await scraper.settled(timeout: timeout)
        report.record("+ \(activeSyncs) active Syncs (all pods created)", phase, since: before, duration: toPods, ratesAt: atPods,
                      note: String(format: "created in %.1f s; first create -> %dth pod %.1f s", activeCreated.seconds, activeSyncs, toPods.seconds))
        report.firstCreateToLastPod = toPods
        report.total = clock.now - began
        for line in report.lines() { emit(line) }
    }

    /// The WorkerPool (no workers until the active Syncs come), Sources and Destinations.
    /// A finished Sync is created and then given its Succeeded status: with workers, the
    /// operator could admit it in between and start a pod that holds a worker for the
    /// hour its simulated run lasts (two of 1,000 did, once).
    func createInputs(_ client: KubernetesClient) async throws {
        let ns = JSONValue.string(Self.namespace)
        _ = try await client.create([
            "apiVersion": .string(FerryAPI.apiVersion), "kind": "WorkerPool",
            "metadata": ["name": .string(Self.poolName), "namespace": ns], "spec": ["workers": 0],
        ], WorkerPool.resourceType)
        for index in 0..<connectors {
            for (kind, prefix, resource) in [("Source", "shop", Source.resourceType), ("Destination", "lake", Destination.resourceType)] {
                _ = try await client.create([
                    "apiVersion": .string(FerryAPI.apiVersion), "kind": .string(kind),
                    "metadata": ["name": .string("\(prefix)-\(index)"), "namespace": ns], "spec": ["image": "ghcr.io/ferry/connector:1", "config": ["host": "db"]],
                ], resource)
            }
        }
    }

    static func connectionName(_ index: Int) -> String { String(format: "conn-%05d", index) }

    /// A Connection with a yearly schedule whose worker pods the simulated runtime runs for
    /// an hour (so the active Syncs stay active), as a small real one would look.
    func createConnection(_ index: Int, _ client: KubernetesClient) async throws {
        let simulation = [
            SimulationAnnotations.durationSeconds: "3600",
            SimulationAnnotations.terminationMessage + ".orchestrator": #"{"succeeded":true,"recordsCommitted":1}"#,
        ]
        let connector = index % connectors
        _ = try await client.create([
            "apiVersion": .string(FerryAPI.apiVersion), "kind": "Connection",
            "metadata": ["name": .string(Self.connectionName(index)), "namespace": .string(Self.namespace)],
            "spec": [
                "sourceRef": ["name": .string("shop-\(connector)")], "destinationRef": ["name": .string("lake-\(connector)")],
                "streams": [["name": "users"], ["name": "orders", "syncMode": "incremental", "cursorField": ["updated_at"]]],
                "schedule": ["cron": .string(Self.yearly)], "workerPool": .string(Self.poolName),
                "podTemplate": ["annotations": .object(simulation.mapValues(JSONValue.string))],
            ],
        ], Connection.resourceType)
    }

    /// A Sync as one that ran an hour ago would look, written through the status
    /// subresource right after its create (retried on a conflict with the operator's own
    /// first write, Queued).
    func createFinishedSync(_ index: Int, _ client: KubernetesClient) async throws {
        let name = String(format: "done-%05d", index)
        let created = try await client.create(Self.syncObject(name: name, connection: Self.connectionName(index % connections), trigger: nil), Sync.resourceType)
        let status = Self.finishedStatus(name: name, started: Date().addingTimeInterval(-3600), ended: Date().addingTimeInterval(-3000))
        if try await Self.writeStatus(status, to: created, client) { return }
        for _ in 0..<4 {
            let current = try await client.get(Sync.resourceType, name: name, namespace: Self.namespace)
            if try await Self.writeStatus(status, to: current, client) { return }
        }
        throw ValidationError("Sync \(name): status update kept conflicting")
    }

    /// Writes `status` through the status subresource; false on a conflict.
    static func writeStatus(_ status: JSONValue, to object: JSONValue, _ client: KubernetesClient) async throws -> Bool {
        var object = object
        object["status"] = status
        do {
            _ = try await client.updateStatus(object, Sync.resourceType, namespace: Self.namespace)
            return true
        } catch {
            if error.isConflict { return false }
            throw error
        }
    }

    // The literals live in synchronous functions: in the async callers above they make
    // the compiler's mandatory AllocBoxToStack/StackNesting passes run for many minutes.
    static func syncObject(name: String, connection: String, trigger: String?) -> JSONValue {
        var spec: JSONValue = ["connectionRef": ["name": .string(connection)]]
        if let trigger { spec["trigger"] = .string(trigger) }
        return [
            "apiVersion": .string(FerryAPI.apiVersion), "kind": "Sync",
            "metadata": ["name": .string(name), "namespace": .string(Self.namespace)],
            "spec": spec,
        ]
    }

    static func finishedStatus(name: String, started startDate: Date, ended endDate: Date) -> JSONValue {
        let started = KubeTime.format(startDate), ended = KubeTime.format(endDate)
        let streams: JSONValue = [["name": "users", "recordsEmitted": 1200, "bytesEmitted": 480_000, "recordsCommitted": 1200],
                                  ["name": "orders", "recordsEmitted": 800, "bytesEmitted": 320_000, "recordsCommitted": 800]]
        let stats: JSONValue = ["recordsEmitted": 2000, "bytesEmitted": 800_000, "recordsCommitted": 2000, "stateMessagesCommitted": 4, "streams": streams]
        return [
            "phase": "Succeeded", "queuedTime": .string(started), "startTime": .string(started), "completionTime": .string(ended), "duration": "10m0s",
            "attempts": [["number": 1, "podName": .string(name + "-1"), "phase": "Succeeded", "startTime": .string(started),
                          "completionTime": .string(ended), "recordsCommitted": 2000, "stats": stats]],
            "stats": stats,
            "conditions": [["type": "Complete", "status": "True", "reason": "Succeeded", "message": "2000 records committed in 1 attempt",
                            "lastTransitionTime": .string(ended)]],
        ]
    }

    func createActiveSync(_ index: Int, _ client: KubernetesClient) async throws {
        _ = try await client.create(Self.syncObject(name: String(format: "active-%05d", index), connection: Self.connectionName(index), trigger: nil), Sync.resourceType)
    }

    /// Runs `body` for 0..<count with `concurrency` requests in flight.
    func forEachConcurrently(_ count: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let lanes = min(concurrency, max(count, 1))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<lanes {
                group.addTask {
                    for index in stride(from: lane, to: count, by: lanes) { try await body(index) }
                }
            }
            try await group.waitForAll()
        }
    }
}

/// Worker pods seen by the bench's own pod informer: when the expected ones were all there.
final class WorkerPodObserver: Sendable {
    private struct State {
        var seen: Set<String> = []
        var prefix: String?
        var expected = 0
        var expectedSeen = 0
        var reachedAt: ContinuousClock.Instant?
    }
    private let state = Mutex(State())
    private let pods: Informer

    init(client: KubernetesClient, namespace: String) {
        pods = Informer(client: client, resource: .pod, namespace: namespace,
                        configuration: .init(labelSelector: "\(FerryLabels.managedBy)=\(FerryLabels.managedByValue)"),
                        transform: ObjectStore.metadataOnly)
        pods.addHandler { change in
            guard case .added(let pod) = change, let name = pod.name else { return }
            let sync = pod.labels[FerryLabels.sync] ?? ""
            let now = ContinuousClock.now
            self.state.withLock { s in
                guard s.seen.insert(name).inserted, let prefix = s.prefix, sync.hasPrefix(prefix) else { return }
                s.expectedSeen += 1
                if s.expectedSeen == s.expected { s.reachedAt = now }
            }
        }
    }

    func run() async { await pods.run() }
    var count: Int { state.withLock { $0.seen.count } }
    var expectedSeen: Int { state.withLock { $0.expectedSeen } }
    var expectedReachedAt: ContinuousClock.Instant? { state.withLock { $0.reachedAt } }

    /// From now on, counts new pods of Syncs named `prefix…` until `count` of them.
    func expect(prefix: String, count: Int) {
        state.withLock { $0.prefix = prefix; $0.expected = count; $0.expectedSeen = 0; $0.reachedAt = nil }
    }
}
