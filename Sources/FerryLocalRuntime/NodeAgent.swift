/// The node agent: registers its Node, watches the pods bound to it (binding unassigned
/// ones when asked), runs each through a `PodRunner`, and on stop kills every process it
/// started. Talks to the API server only through `KubernetesClient`.
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import Synchronization

public struct NodeAgentError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// Guarantees: pods are run once with `restartPolicy: Never` semantics (OnFailure/Always
/// containers are not restarted); every process it started is gone when `run` returns.
/// `logs(namespace:pod:container:tailLines:)` matches the embedded server's
/// `PodLogProvider`, so `ferry dev` can serve `kubectl logs` from the agent;
/// `podUsage(namespace:name:)` matches `PodMetricsProvider` for `kubectl top pod`.
public final class NodeAgent: Sendable {
    public let configuration: NodeAgentConfiguration
    let client: KubernetesClient
    let logger: Logger
    let workDirectory: String
    private let ownsWorkDirectory: Bool
    let context: PodRunnerContext

    struct State {
        var runners: [String: PodRunner] = [:]
        var byName: [String: String] = [:]
        var terminating: Set<String> = []
    }
    let state = Mutex(State())
    /// Usage windows of local pods (see NodeAgent+Metrics.swift).
    let usage = Mutex(PodUsageTracker())

    public init(client: KubernetesClient, configuration: NodeAgentConfiguration, logger: Logger = Logger(label: "ferry.node")) throws(NodeAgentError) {
        self.client = client
        self.configuration = configuration
        self.logger = logger
        if let dir = configuration.workDirectory {
            workDirectory = dir
            ownsWorkDirectory = false
        } else {
            workDirectory = "\(NSTemporaryDirectory())/ferry-node-\(configuration.nodeName)-\(UUID().uuidString.prefix(8).lowercased())"
            ownsWorkDirectory = true
        }
        do {
            try FileManager.default.createDirectory(atPath: "\(workDirectory)/pods", withIntermediateDirectories: true)
        } catch {
            throw NodeAgentError(description: "creating the node work directory: \(error.localizedDescription)")
        }
        let ferry = configuration.ferryExecutable
            ?? (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        context = PodRunnerContext(client: client, configuration: configuration, ferryExecutable: ferry,
                                   podsDirectory: "\(workDirectory)/pods", logger: logger)
    }

    /// Runs until the task is cancelled, then stops every container it started (SIGTERM,
    /// SIGKILL after `shutdownGracePeriod`) and removes the pods' directories.
    public func run() async throws {
        do {
            try await registerNode()
        } catch {
            throw NodeAgentError(description: "registering node \(configuration.nodeName): \(error)")
        }
        let selector = configuration.scheduleUnassigned ? nil : "spec.nodeName=\(configuration.nodeName)"
        let informer = Informer(client: client, resource: .pod, configuration: .init(fieldSelector: selector),
                                clock: configuration.clock, logger: logger)
        let (changes, continuation) = AsyncStream<StoreChange>.makeStream()
        informer.addHandler { continuation.yield($0) }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await informer.run() }
            group.addTask { await self.heartbeat() }
            if configuration.mode == .local { group.addTask { await self.sampleUsage() } }
            group.addTask {
                for await change in changes { await self.handle(change) }
            }
            await group.next()
            group.cancelAll()
        }
        continuation.finish()
        await shutdown()
    }

    private func shutdown() async {
        let runners = state.withLock { s in
            defer { s.runners.removeAll(); s.byName.removeAll() }
            return Array(s.runners.values)
        }
        await withTaskGroup(of: Void.self) { group in
            for runner in runners {
                group.addTask { await runner.terminateForRemoval(grace: self.configuration.shutdownGracePeriod) }
            }
        }
        if ownsWorkDirectory { try? FileManager.default.removeItem(atPath: workDirectory) }
    }

    // MARK: pods

    func handle(_ change: StoreChange) async {
        switch change {
        case .added(let pod), .updated(_, let pod):
            await handleLive(pod)
        case .deleted(let pod):
            guard let uid = pod.uid, let runner = removeRunner(uid) else { return }
            await runner.terminateForRemoval()
        }
    }

    private func handleLive(_ pod: JSONValue) async {
        guard let uid = pod.uid, let name = pod.name else { return }
        let nodeName = pod[path: ["spec", "nodeName"]].stringValue ?? ""
        if nodeName.isEmpty {
            if configuration.scheduleUnassigned { await bind(pod) }
            return
        }
        guard nodeName == configuration.nodeName else { return }
        let namespace = pod.namespace ?? "default"
        let phase = pod[path: ["status", "phase"]].stringValue ?? "Pending"
        let terminal = phase == "Succeeded" || phase == "Failed"
        let existing = state.withLock { $0.runners[uid] }
        if let runner = existing {
            await runner.update(pod)
            guard pod.deletionTimestamp != nil, state.withLock({ $0.terminating.insert(uid).inserted }) else { return }
            Task {
                await runner.terminateForDeletion()
                _ = self.removeRunner(uid)
            }
            return
        }
        if pod.deletionTimestamp != nil {
            // Nothing of it runs here: let it go at once, as the kubelet does.
            _ = try? await client.delete(.pod, name: name, namespace: namespace, options: DeleteOptions(gracePeriodSeconds: 0, preconditionUID: uid))
            return
        }
        if terminal { return }
        let runner = PodRunner(pod: pod, context: context)
        state.withLock { s in
            s.runners[uid] = runner
            s.byName["\(namespace)/\(name)"] = uid
        }
        if PodRunner.wasStarted(pod) {
            await runner.reportLost()
        } else {
            await runner.start()
        }
    }

    private func removeRunner(_ uid: String) -> PodRunner? {
        state.withLock { s in
            s.terminating.remove(uid)
            guard let runner = s.runners.removeValue(forKey: uid) else { return nil }
            s.byName = s.byName.filter { $0.value != uid }
            return runner
        }
    }

    /// Binds a pod meant for the default scheduler to this node (`pods/binding`).
    private func bind(_ pod: JSONValue) async {
        let scheduler = pod[path: ["spec", "schedulerName"]].stringValue ?? "default-scheduler"
        guard scheduler == "default-scheduler" || scheduler.isEmpty, pod.deletionTimestamp == nil,
              let name = pod.name, let namespace = pod.namespace else { return }
        let binding: JSONValue = [
            "apiVersion": "v1", "kind": "Binding",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "uid": .string(pod.uid ?? "")],
            "target": ["apiVersion": "v1", "kind": "Node", "name": .string(configuration.nodeName)],
        ]
        let request = APIRequest(method: .POST, path: RequestBuilder(.pod).path(namespace: namespace, name: name, subresource: "binding"),
                                 contentType: "application/json", body: binding.serializedBytes())
        do {
            _ = try await client.send(request)
        } catch where error.isConflict || error.isNotFound {
            // Bound by someone else meanwhile, or gone.
        } catch {
            logger.warning("binding pod failed", metadata: ["pod": "\(namespace)/\(name)", "error": "\(error)"])
            // The scheduler requeues a pod whose binding failed (a 5xx, a timeout); without
            // that the pod would stay unbound and Pending until something else changed it.
            // A retry after another bind (Conflict) or the pod's deletion (NotFound) stops.
            Task { [weak self] in
                guard let clock = self?.configuration.clock else { return }
                try? await clock.sleep(for: Self.bindRetryDelay)
                await self?.bind(pod)
            }
        }
    }

    /// How long a failed binding waits before it is tried again.
    static let bindRetryDelay: Duration = .seconds(1)

    // MARK: inspection

    /// The live process ids of a pod's containers on this node (local mode).
    public func processIDs(namespace: String, name: String) async -> [Int32] {
        guard let runner = state.withLock({ s in s.byName["\(namespace)/\(name)"].flatMap { s.runners[$0] } }) else { return [] }
        return await runner.processIDs
    }

    /// Every live process this agent started.
    public func allProcessIDs() async -> [Int32] {
        var pids: [Int32] = []
        for runner in state.withLock({ Array($0.runners.values) }) { pids += await runner.processIDs }
        return pids.sorted()
    }

    /// A container's log (the server's `pods/log`), nil when this node has no such pod or
    /// container. With no container name the pod's first container is used.
    public func logs(namespace: String, pod: String, container: String?, tailLines: Int?) async throws -> String? {
        guard let runner = state.withLock({ s in s.byName["\(namespace)/\(pod)"].flatMap { s.runners[$0] } }) else { return nil }
        let spec = await runner.pod
        let names = ((spec[path: ["spec", "containers"]].arrayValue ?? []) + (spec[path: ["spec", "initContainers"]].arrayValue ?? []))
            .compactMap { $0["name"].stringValue }
        guard let name = container ?? names.first, names.contains(name) else { return nil }
        let path = "\(await runner.logDirectory)/\(name)/log"
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return LogFiles.tail(path, lines: tailLines)
    }
}
