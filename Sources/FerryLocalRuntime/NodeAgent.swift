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
        /// Unbound pods whose binding failed and waits for a retry, by uid: the latest
        /// version the informer showed. A pod leaves when it is bound or gone, which stops
        /// its retry (see NodeAgent+Binding.swift).
        var bindingRetries: [String: JSONValue] = [:]
        /// Where a failed binding's pod uid goes to be retried, while `run` runs.
        var bindingRetryQueue: AsyncStream<String>.Continuation?
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
    /// SIGKILL after `shutdownGracePeriod`) and removes the pods' directories. API errors
    /// never end it: registration, bindings and status reports are retried with backoff
    /// (`AgentBackoff`) as long as it runs. (Still `throws` for the callers written when
    /// a failed registration ended it; it no longer throws.)
    public func run() async throws {
        guard await registerNodeRetrying() else {
            await shutdown()
            return
        }
        let selector = configuration.scheduleUnassigned ? nil : "spec.nodeName=\(configuration.nodeName)"
        let informer = Informer(client: client, resource: .pod, configuration: .init(fieldSelector: selector),
                                clock: configuration.clock, logger: logger)
        let (changes, continuation) = AsyncStream<StoreChange>.makeStream()
        informer.addHandler { continuation.yield($0) }
        let (bindingRetries, bindingRetryQueue) = AsyncStream<String>.makeStream()
        state.withLock { $0.bindingRetryQueue = bindingRetryQueue }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await informer.run() }
            group.addTask { await self.heartbeat() }
            group.addTask { await self.retryBindings(bindingRetries) }
            if configuration.mode == .local { group.addTask { await self.sampleUsage() } }
            group.addTask {
                for await change in changes { await self.handle(change) }
            }
            await group.next()
            group.cancelAll()
        }
        continuation.finish()
        bindingRetryQueue.finish()
        state.withLock { s in
            s.bindingRetryQueue = nil
            s.bindingRetries.removeAll()
        }
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
            guard let uid = pod.uid else { return }
            state.withLock { _ = $0.bindingRetries.removeValue(forKey: uid) }
            guard let runner = removeRunner(uid) else { return }
            await runner.terminateForRemoval()
        }
    }

    private func handleLive(_ pod: JSONValue) async {
        guard let uid = pod.uid, let name = pod.name else { return }
        let nodeName = pod[path: ["spec", "nodeName"]].stringValue ?? ""
        if nodeName.isEmpty {
            if configuration.scheduleUnassigned { await bindUnassigned(pod, uid: uid) }
            return
        }
        // Bound (here or elsewhere): a pending binding retry stops.
        state.withLock { _ = $0.bindingRetries.removeValue(forKey: uid) }
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
