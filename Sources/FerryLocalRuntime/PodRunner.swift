/// One pod on this node: its container records, its processes, and the status it reports.
/// The lifecycle (local or simulated) runs in one task; termination (deletion, deadline,
/// agent shutdown) cancels it, signals the processes and waits for them.
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging

/// What every pod runner shares with the agent.
struct PodRunnerContext: Sendable {
    let client: KubernetesClient
    let configuration: NodeAgentConfiguration
    let ferryExecutable: String
    let podsDirectory: String
    let logger: Logger
}

actor PodRunner {
    let uid: String
    let namespace: String
    let name: String
    let context: PodRunnerContext
    let podDirectory: String
    var pod: JSONValue
    var initRecords: [ContainerRecord]
    var records: [ContainerRecord]
    var processes: [String: LocalProcess] = [:]
    var startTime: Date
    var conditions: [JSONValue]
    var failure: PodFailure?
    /// Set once termination began: no container starts after it.
    var stopping = false
    var lifecycle: Task<Void, Never>?
    private var deadlineTask: Task<Void, Never>?
    private var statusVersion = 0
    private var sentVersion = 0
    /// Sends status while a report is unsent (see `report`); nil when every report is sent.
    private var statusSender: Task<Void, Never>?
    /// The pod is gone from the API: status updates would only fail.
    private var gone = false

    init(pod: JSONValue, context: PodRunnerContext) {
        uid = pod.uid ?? ""
        namespace = pod.namespace ?? "default"
        name = pod.name ?? ""
        self.context = context
        self.pod = pod
        podDirectory = "\(context.podsDirectory)/\(namespace)_\(name)_\(uid)"
        let initContainers = pod[path: ["spec", "initContainers"]].arrayValue ?? []
        initRecords = ContainerRecord.waiting(initContainers, reason: "PodInitializing")
        records = ContainerRecord.waiting(pod[path: ["spec", "containers"]].arrayValue ?? [], reason: initContainers.isEmpty ? "ContainerCreating" : "PodInitializing")
        startTime = context.configuration.clock.wallTime
        conditions = pod[path: ["status", "conditions"]].arrayValue ?? []
    }

    var processIDs: [Int32] { processes.values.map(\.pid).sorted() }
    var logDirectory: String { "\(podDirectory)/containers" }

    /// Starts the lifecycle (once).
    func start() {
        guard lifecycle == nil else { return }
        if let deadline = pod[path: ["spec", "activeDeadlineSeconds"]].intValue, deadline > 0 {
            let clock = context.configuration.clock
            let due = clock.now + .seconds(deadline)
            deadlineTask = Task { [weak self] in
                do { try await clock.sleep(until: due) } catch { return }
                await self?.deadlineExceeded()
            }
        }
        lifecycle = Task { [weak self] in
            guard let self else { return }
            switch self.context.configuration.mode {
            case .local: await self.runLocal()
            case .simulated: await self.runSimulated()
            }
            await self.lifecycleEnded()
        }
    }

    private func lifecycleEnded() {
        deadlineTask?.cancel()
    }

    func update(_ newPod: JSONValue) { pod = newPod }

    // MARK: termination

    /// Stops every container: SIGTERM to each process group, SIGKILL after `grace`; waits
    /// until the lifecycle has seen every exit. Containers that never started end as
    /// `ContainerStatusUnknown` like the kubelet reports them.
    func stop(grace: Duration) async {
        stopping = true
        lifecycle?.cancel()
        deadlineTask?.cancel()
        for process in processes.values { process.signalGroup(SIGTERM) }
        let clock = context.configuration.clock
        let killer = Task { [weak self] in
            do { try await clock.sleep(for: grace) } catch { return }
            await self?.killRemaining()
        }
        await lifecycle?.value
        killer.cancel()
        let now = context.configuration.clock.wallTime
        func unknown(_ r: inout ContainerRecord) {
            if r.state.isWaiting || r.state.isRunning {
                r.state = .terminated(exitCode: 137, reason: "ContainerStatusUnknown",
                                      message: "The container could not be located when the pod was terminated", startedAt: nil, finishedAt: now)
            }
        }
        for i in initRecords.indices { unknown(&initRecords[i]) }
        for i in records.indices { unknown(&records[i]) }
    }

    /// SIGKILL to the processes not yet reaped (only live ones, so no reused pid is hit).
    private func killRemaining() {
        for process in processes.values { process.signalGroup(SIGKILL) }
    }

    /// The pod's `deletionTimestamp` is set: stop within the grace period, report the final
    /// status, then delete the pod for good (gracePeriodSeconds=0) as the kubelet does.
    func terminateForDeletion() async {
        let seconds = pod[path: ["metadata", "deletionGracePeriodSeconds"]].intValue
            ?? pod[path: ["spec", "terminationGracePeriodSeconds"]].intValue ?? 30
        // The kubelet's minimum grace period is 2 s, even for a deletion with 0.
        await stop(grace: .seconds(max(seconds, 2)))
        report()
        await flushStatus()
        if !gone {
            do {
                _ = try await context.client.delete(.pod, name: name, namespace: namespace, options: DeleteOptions(gracePeriodSeconds: 0, preconditionUID: uid))
            } catch where error.isNotFound || error.isConflict {
                // Already gone, or a new pod with the same name.
            } catch {
                context.logger.warning("deleting terminated pod failed", metadata: ["pod": "\(namespace)/\(name)", "error": "\(error)"])
            }
        }
        removeDirectory()
    }

    /// The pod is gone from the API (or the agent stops): kill at once, no status.
    func terminateForRemoval(grace: Duration = .zero) async {
        gone = true
        statusSender?.cancel()
        await stop(grace: grace)
        removeDirectory()
    }

    private func deadlineExceeded() async {
        guard !stopping, failure == nil else { return }
        let phase = PodStatusModel.phase(initContainers: initRecords, containers: records, failure: nil)
        guard phase != "Succeeded" && phase != "Failed" else { return }
        failure = .deadlineExceeded
        let seconds = pod[path: ["spec", "terminationGracePeriodSeconds"]].intValue ?? 30
        await stop(grace: .seconds(max(seconds, 2)))
        report()
    }

    func removeDirectory() {
        try? FileManager.default.removeItem(atPath: podDirectory)
    }

    // MARK: status

    /// Queues a status report. One sender task sends them in order and always sends the
    /// status as it is when it sends, so a newer status supersedes an unsent older one and
    /// no stale status follows a newer one. Like the kubelet's status manager it never gives
    /// up while the pod exists: a failed report is retried with `AgentBackoff.podStatus`
    /// until it is sent, the pod is gone (NotFound, or another pod by now: Conflict on the
    /// UID precondition), or the agent stops (`terminateForRemoval` cancels the sender).
    func report() {
        guard !gone else { return }
        statusVersion += 1
        guard statusSender == nil else { return }
        statusSender = Task { [weak self] in await self?.sendPendingStatus() }
    }

    /// Waits until every queued report is sent (or given up because the pod is gone).
    func flushStatus() async {
        while let sender = statusSender { await sender.value }
    }

    func currentStatus() -> JSONValue {
        let status = PodStatusModel.status(PodStatusInput(
            initContainers: initRecords, containers: records, startTime: startTime, now: context.configuration.clock.wallTime,
            previousConditions: conditions, failure: failure))
        conditions = status["conditions"].arrayValue ?? []
        return status
    }

    private func sendPendingStatus() async {
        // Cleared in the same actor turn that saw nothing left to send, so a `report`
        // after it starts a new sender and one during it is sent by this one.
        defer { statusSender = nil }
        var failures = 0
        while sentVersion < statusVersion && !gone && !Task.isCancelled {
            let version = statusVersion
            var status = currentStatus()
            if failure == nil {
                status.setKeepingNull("reason", .null)
                status.setKeepingNull("message", .null)
            }
            // The UID makes the patch a precondition (as the kubelet's): a real API server
            // answers Conflict instead of patching a new pod that took this one's name.
            let patch: JSONValue = ["metadata": ["uid": .string(uid)], "status": status]
            do {
                _ = try await context.client.patchStatus(.pod, name: name, namespace: namespace, patch: patch, type: .merge)
                sentVersion = version
                failures = 0
            } catch where error.isNotFound || error.isConflict {
                gone = true
            } catch {
                if Task.isCancelled { return }
                failures += 1
                let delay = AgentBackoff.podStatus.delay(afterFailures: failures)
                context.logger.warning("reporting pod status failed, retrying", metadata: [
                    "pod": "\(namespace)/\(name)", "error": "\(error)", "attempt": "\(failures)", "retryIn": "\(delay)",
                ])
                do { try await context.configuration.clock.sleep(for: delay) } catch { return }
            }
        }
    }
}
