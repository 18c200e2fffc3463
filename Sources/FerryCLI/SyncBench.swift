/// `ferry bench syncs`: the control plane at scale — N Syncs queued on one WorkerPool of W
/// workers, with the embedded API server, the Ferry CRDs, the simulated node agent and the
/// operator's controllers in this one process. Measures how long the operator takes to
/// create every worker pod and to finish every Sync, whether the pool ever ran more than W
/// workers (watched continuously), whether Syncs started oldest first, and the memory.
import ArgumentParser
import FerryAPI
import FerryControllers
import FerryLocalRuntime
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import ServiceLifecycle
import Synchronization

struct SyncBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "syncs",
        abstract: "N Syncs on a WorkerPool of W workers (simulated runtime): time to all pods, to all Succeeded, peak workers, RSS."
    )

    @Option(help: "Syncs to create.")
    var syncs = 1_000

    @Option(help: "Workers of the WorkerPool.")
    var workers = 50

    @Option(name: .customLong("duration-seconds"), help: "How long each simulated worker pod runs.")
    var durationSeconds = 0.0

    @Option(help: "Seconds to wait for every Sync to finish before giving up.")
    var timeout = 900

    func run() async throws {
        guard syncs > 0, workers > 0 else { throw ValidationError("--syncs and --workers must be positive") }
        let baseline = ProcessMemory.read()
        // The server's default watch history (as in `ferry dev`): the history holds whole
        // objects, so a larger one would dominate the memory measured here.
        try await withBenchCluster(watchHistorySize: APIServerConfiguration().watchHistorySize) { client in
            try await DevCommand.installCRDs(client)
            let observer = SyncBenchObserver(client: client, namespace: Self.namespace)
            let clock = ContinuousClock()
            var logger = Logger(label: "ferry.bench")
            logger.logLevel = .warning
            let agent = try NodeAgent(
                client: client,
                configuration: NodeAgentConfiguration(nodeName: "ferry-bench", mode: .simulated, scheduleUnassigned: true, heartbeatInterval: .seconds(3600)),
                logger: logger)
            let manager = ControllerManager(client: client, options: .init(leaderElection: nil, healthHost: nil, healthPort: 0), logger: logger)
            SyncController.register(on: manager, defaults: OperatorDefaults(orchestratorImage: "ferry:latest"))
            PodSweeper.register(on: manager)
            let ready = ProcessMemory.read()

            let (syncs, timeout, inputs) = (self.syncs, self.timeout, self)
            let outcome = try await Self.running(agent: agent, manager: manager, observer: observer, logger: logger) {
                try await inputs.createInputs(client)
                let start = clock.now
                for index in 0..<syncs {
                    try await Self.createSync(Self.syncName(index), client)
                }
                let created = clock.now
                let deadline = clock.now + .seconds(timeout)
                while !observer.finished(syncs), clock.now < deadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                return (start: start, lastCreate: created)
            }
            let end = ProcessMemory.read()
            let reconciles = manager.metrics.observationCount("controller_runtime_reconcile_time_seconds", ["controller": SyncController.controllerName])
            let report = try await observer.report(expected: syncs, workers: workers, start: outcome.start, lastCreate: outcome.lastCreate, reconciles: reconciles)
            emit("Sync controller benchmark: \(syncs) Syncs on a WorkerPool of \(workers) (simulated runtime, \(durationSeconds) s per pod;")
            emit("embedded API server, node agent and operator in one process, HTTPS)")
            for row in report.rows { emit(row) }
            emit(SyncBenchObserver.row("process memory at the end", "VmRSS \(ProcessMemory.mib(end.rss)), VmHWM \(ProcessMemory.mib(end.hwm))"))
            emit(SyncBenchObserver.row("  for comparison", "VmRSS \(ProcessMemory.mib(baseline.rss)) at start, \(ProcessMemory.mib(ready.rss)) with server, CRDs and agent up"))
            if !report.passed { throw ExitCode.failure }
        }
    }

    static let namespace = "default"
    static let poolName = "bench"

    static func syncName(_ index: Int) -> String { String(format: "sync-%05d", index) }

    /// Source, Destination, a WorkerPool of `workers`, and one Connection on it whose worker
    /// pods the simulated runtime runs for `durationSeconds` and exits 0.
    func createInputs(_ client: KubernetesClient) async throws {
        let ns = JSONValue.string(Self.namespace)
        _ = try await client.create([
            "apiVersion": .string(FerryAPI.apiVersion), "kind": "WorkerPool",
            "metadata": ["name": .string(Self.poolName), "namespace": ns], "spec": ["workers": .int(Int64(workers))],
        ], WorkerPool.resourceType)
        for (kind, name, resource) in [("Source", "shop", Source.resourceType), ("Destination", "lake", Destination.resourceType)] {
            _ = try await client.create([
                "apiVersion": .string(FerryAPI.apiVersion), "kind": .string(kind),
                "metadata": ["name": .string(name), "namespace": ns], "spec": ["image": "ghcr.io/ferry/connector:1", "config": ["host": "db"]],
            ], resource)
        }
        let simulation = [
            SimulationAnnotations.durationSeconds: String(durationSeconds),
            SimulationAnnotations.terminationMessage + ".orchestrator": #"{"succeeded":true,"recordsCommitted":1}"#,
        ]
        _ = try await client.create([
            "apiVersion": .string(FerryAPI.apiVersion), "kind": "Connection",
            "metadata": ["name": "shop-to-lake", "namespace": ns],
            "spec": [
                "sourceRef": ["name": "shop"], "destinationRef": ["name": "lake"], "streams": [["name": "users"]], "workerPool": .string(Self.poolName),
                // 1,000 Syncs of one Connection at once, as 1,000 Connections' would run.
                "concurrencyPolicy": "Allow",
                "podTemplate": ["annotations": .object(simulation.mapValues(JSONValue.string))],
            ],
        ], Connection.resourceType)
    }

    static func createSync(_ name: String, _ client: KubernetesClient) async throws {
        _ = try await client.create([
            "apiVersion": .string(FerryAPI.apiVersion), "kind": "Sync",
            "metadata": ["name": .string(name), "namespace": .string(Self.namespace)], "spec": ["connectionRef": ["name": "shop-to-lake"]],
        ], Sync.resourceType)
    }

    /// Runs the node agent, the controller manager and the observer's informers around
    /// `body` (once the caches have synced), then stops them all.
    static func running<T: Sendable>(
        agent: NodeAgent, manager: ControllerManager, observer: SyncBenchObserver, logger: Logger, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        let group = ServiceGroup(services: [manager], gracefulShutdownSignals: [], logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await agent.run() }
            tasks.addTask { try await group.run() }
            tasks.addTask { await observer.run() }
            let result: Result<T, any Error>
            do {
                while !(manager.isReady && observer.isSynced) { try await Task.sleep(for: .milliseconds(10)) }
                result = .success(try await body())
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            tasks.cancelAll()
            while let next = await tasks.nextResult() {
                if case .failure(let error) = next, !(error is CancellationError) { throw error }
            }
            return try result.get()
        }
    }
}

/// Watches worker pods and Syncs the way an outside observer would (its own informers):
/// the active worker count after every pod event, the order pods appeared in, and when
/// the last pod appeared and the last Sync succeeded.
final class SyncBenchObserver: Sendable {
    private struct State {
        /// Worker pods neither Succeeded nor Failed nor deleted.
        var active: Set<String> = []
        var maxActive = 0
        /// Pods in the order they were first seen.
        var pods: [String] = []
        var seen: Set<String> = []
        var lastPodAt: ContinuousClock.Instant?
        var succeeded: Set<String> = []
        var lastSucceededAt: ContinuousClock.Instant?
        var failed: Set<String> = []
        /// Sync updates seen (the operator's status writes).
        var syncUpdates = 0
    }

    private let state = Mutex(State())
    private let pods: Informer
    private let syncs: Informer

    init(client: KubernetesClient, namespace: String) {
        pods = Informer(client: client, resource: .pod, namespace: namespace,
                        configuration: .init(labelSelector: "\(FerryLabels.managedBy)=\(FerryLabels.managedByValue)"))
        syncs = Informer(client: client, resource: Sync.resourceType, namespace: namespace)
        pods.addHandler { change in self.observePod(change) }
        syncs.addHandler { change in self.observeSync(change) }
    }

    /// Counted on every pod event, so no moment between two polls is missed.
    private func observePod(_ change: StoreChange) {
        let now = ContinuousClock.now
        state.withLock { s in
            switch change {
            case .added(let pod), .updated(_, let pod):
                guard let name = pod.name else { return }
                if s.seen.insert(name).inserted {
                    s.pods.append(name)
                    s.lastPodAt = now
                }
                if ["Succeeded", "Failed"].contains(pod["status"]["phase"].stringValue ?? "") { s.active.remove(name) } else { s.active.insert(name) }
            case .deleted(let pod):
                if let name = pod.name { s.active.remove(name) }
            }
            s.maxActive = max(s.maxActive, s.active.count)
        }
    }

    private func observeSync(_ change: StoreChange) {
        let now = ContinuousClock.now
        guard case .updated(_, let sync) = change, let name = sync.name else { return }
        let phase = sync["status"]["phase"].stringValue
        state.withLock { s in
            s.syncUpdates += 1
            if phase == SyncPhase.succeeded.rawValue, s.succeeded.insert(name).inserted { s.lastSucceededAt = now }
            if phase == SyncPhase.failed.rawValue || phase == SyncPhase.cancelled.rawValue { s.failed.insert(name) }
        }
    }

    var isSynced: Bool { pods.store.isSynced && syncs.store.isSynced }

    func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.pods.run() }
            group.addTask { await self.syncs.run() }
        }
    }

    /// Every Sync is in a terminal phase.
    func finished(_ expected: Int) -> Bool { state.withLock { $0.succeeded.count + $0.failed.count >= expected } }

    struct Report {
        var rows: [String]
        var passed: Bool
    }

    func report(expected: Int, workers: Int, start: ContinuousClock.Instant, lastCreate: ContinuousClock.Instant, reconciles: UInt64) async throws -> Report {
        let s = state.withLock { $0 }
        // Queue order as admission sees it: queuedTime (else creation), then name.
        let order = syncs.store.list().compactMap(QueuedSync.init(sync:)).sorted(by: PoolAdmission.queueOrder).map(\.name)
        let rank = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        // A Sync's pod is `<sync>-<attempt>`; with W slots a Sync starts fewer than W
        // places from its place in the queue when admission is oldest first.
        var maxDisplacement = 0
        for (position, pod) in s.pods.enumerated() {
            let sync = pod.lastIndex(of: "-").map { String(pod[..<$0]) } ?? pod
            maxDisplacement = max(maxDisplacement, abs((rank[sync] ?? Int.max / 2) - position))
        }
        let oldestFirst = maxDisplacement < workers
        let allPods = s.pods.count >= expected
        let allSucceeded = s.succeeded.count == expected
        func since(_ t: ContinuousClock.Instant?) -> String {
            guard let t else { return "never" }
            return String(format: "%.2f s", Self.seconds(t - start))
        }
        let podsTime = s.pods.count >= expected ? s.lastPodAt : nil
        let doneTime = allSucceeded ? s.lastSucceededAt : nil
        var rows = [
            Self.row("Syncs created (one at a time)", String(format: "%.2f s (%.0f creates/s)", Self.seconds(lastCreate - start), Double(expected) / max(Self.seconds(lastCreate - start), 1e-9))),
            Self.row("first Sync created -> \(expected)th worker pod created", since(podsTime) + (allPods ? "" : " (\(s.pods.count) pods seen)")),
            Self.row("first Sync created -> all \(expected) Succeeded", since(doneTime) + (allSucceeded ? "" : " (\(s.succeeded.count) succeeded, \(s.failed.count) failed)")),
            Self.row("max concurrent worker pods (pod watch)", "\(s.maxActive) (pool of \(workers)) \(s.maxActive <= workers ? "ok" : "OVER CAPACITY")"),
            Self.row("worker pods created", "\(s.pods.count) for \(expected) Syncs"),
            Self.row("Sync reconciles / Sync updates seen", "\(reconciles) / \(s.syncUpdates)" + String(format: " (%.1f / %.1f per Sync)",
                                                                   Double(reconciles) / Double(expected), Double(s.syncUpdates) / Double(expected))),
            Self.row("oldest first", oldestFirst ? "yes (max displacement \(maxDisplacement) < \(workers))" : "NO (max displacement \(maxDisplacement) >= \(workers))"),
        ]
        if let p = podsTime, let d = doneTime {
            rows.append(Self.row("throughput", String(format: "%.0f pods/s created, %.0f Syncs/s finished", Double(expected) / Self.seconds(p - start), Double(expected) / Self.seconds(d - start))))
        }
        return Report(rows: rows, passed: oldestFirst && allSucceeded && s.maxActive <= workers && s.pods.count == expected)
    }

    static func row(_ label: String, _ value: String) -> String { label.padding(toLength: 46, withPad: " ", startingAt: 0) + " " + value }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
}

/// This process's resident memory from /proc/self/status (Linux): VmRSS now, VmHWM peak.
struct ProcessMemory {
    var rss: Int?
    var hwm: Int?

    static func read() -> ProcessMemory {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return ProcessMemory() }
        func kib(_ key: String) -> Int? {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else { return nil }
            return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
        }
        return ProcessMemory(rss: kib("VmRSS").map { $0 * 1024 }, hwm: kib("VmHWM").map { $0 * 1024 })
    }

    static func mib(_ bytes: Int?) -> String {
        bytes.map { String(format: "%.0f MiB", Double($0) / 1_048_576) } ?? "n/a"
    }
}
