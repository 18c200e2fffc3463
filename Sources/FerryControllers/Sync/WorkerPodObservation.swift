/// What a worker Pod's status says about its attempt, read the way a user reads
/// `kubectl describe pod`: scheduling and image-pull trouble while it is pending, the
/// orchestrator's summary, OOM kills and exit codes once it has finished.
import KubeCore

/// The orchestrator's termination message: the relay's JSON summary (trimmed to fit the
/// kubelet's 4 KiB limit), or nil when it is missing or not JSON.
public struct WorkerSummary: Equatable, Sendable {
    public var succeeded: Bool?
    public var recordsEmitted: Int64?
    public var bytesEmitted: Int64?
    public var recordsCommitted: Int64?
    public var stateMessagesCommitted: Int64?
    public var failureOrigin: String?
    public var failureType: String?
    public var failureMessage: String?

    public init?(terminationMessage: String?) {
        guard let text = terminationMessage, let json = try? JSONValue.parse(text), json.objectValue != nil else { return nil }
        succeeded = json["succeeded"].boolValue
        recordsEmitted = json["recordsEmitted"].intValue
        bytesEmitted = json["bytesEmitted"].intValue
        recordsCommitted = json["recordsCommitted"].intValue
        stateMessagesCommitted = json["stateMessagesCommitted"].intValue
        failureOrigin = json["failure"]["origin"].stringValue
        failureType = json["failure"]["failureType"].stringValue
        failureMessage = json["failure"]["message"].stringValue
    }
}

public enum WorkerPodObservation: Equatable, Sendable {
    /// Not running yet. `reason`/`message` say why when Kubernetes does (Unschedulable,
    /// ErrImagePull, ImagePullBackOff, CreateContainerConfigError, ...); `fatal` when
    /// waiting longer cannot help (an invalid image name).
    case pending(reason: String?, message: String?, fatal: Bool)
    case running(startTime: String?)
    case succeeded(completionTime: String?, summary: WorkerSummary?)
    case failed(reason: String, message: String, completionTime: String?, summary: WorkerSummary?)

    /// Container names of a worker pod, in the order failures are blamed: the
    /// orchestrator knows most, then the connectors.
    static let containerOrder = ["orchestrator", "source", "destination"]
    /// Waiting reasons that no amount of waiting fixes.
    static let fatalWaitingReasons: Set<String> = ["InvalidImageName", "ErrImageNeverPull"]

    public init(pod: JSONValue) {
        let status = pod["status"]
        let statuses = (status["initContainerStatuses"].arrayValue ?? []) + (status["containerStatuses"].arrayValue ?? [])
        let orchestrator = statuses.first { $0["name"].stringValue == "orchestrator" }
        let summary = WorkerSummary(terminationMessage: orchestrator?["state"]["terminated"]["message"].stringValue)
        let finishedAt = statuses.compactMap { $0["state"]["terminated"]["finishedAt"].stringValue }.max()

        switch status["phase"].stringValue {
        case "Succeeded":
            self = .succeeded(completionTime: finishedAt, summary: summary)
        case "Failed":
            let (reason, message) = Self.failureReason(status: status, statuses: statuses, summary: summary)
            self = .failed(reason: reason, message: message, completionTime: finishedAt, summary: summary)
        case "Running":
            self = .running(startTime: status["startTime"].stringValue)
        default:
            self = Self.pendingObservation(status: status, statuses: statuses)
        }
    }

    static func pendingObservation(status: JSONValue, statuses: [JSONValue]) -> WorkerPodObservation {
        for s in statuses {
            let waiting = s["state"]["waiting"]
            guard let reason = waiting["reason"].stringValue, !["PodInitializing", "ContainerCreating"].contains(reason) else { continue }
            let name = s["name"].stringValue ?? "?"
            let detail = waiting["message"].stringValue.map { ": \($0)" } ?? ""
            return .pending(reason: reason, message: "container \(name): \(reason)\(detail)", fatal: fatalWaitingReasons.contains(reason))
        }
        let scheduled = (status["conditions"].arrayValue ?? []).first { $0["type"].stringValue == "PodScheduled" }
        if let scheduled, scheduled["status"].stringValue == "False" {
            return .pending(reason: scheduled["reason"].stringValue ?? "Unschedulable",
                            message: scheduled["message"].stringValue ?? "the pod cannot be scheduled", fatal: false)
        }
        return .pending(reason: nil, message: nil, fatal: false)
    }

    static func failureReason(status: JSONValue, statuses: [JSONValue], summary: WorkerSummary?) -> (String, String) {
        // The pod as a whole was stopped (eviction, activeDeadlineSeconds).
        if let reason = status["reason"].stringValue {
            return (reason, status["message"].stringValue ?? "the worker pod was stopped: \(reason)")
        }
        let terminated = statuses.compactMap { s -> (name: String, state: JSONValue)? in
            guard let name = s["name"].stringValue, s["state"]["terminated"].objectValue != nil else { return nil }
            return (name, s["state"]["terminated"])
        }
        if let oom = terminated.first(where: { $0.state["reason"].stringValue == "OOMKilled" }) {
            return ("OOMKilled", "container \(oom.name) was killed for exceeding its memory limit")
        }
        // The relay's own verdict names the connector at fault and its message.
        if let summary, let origin = summary.failureOrigin {
            let kind = summary.failureType.map { " (\($0))" } ?? ""
            let reason = origin == "source" ? "SourceFailed" : origin == "destination" ? "DestinationFailed" : "OrchestratorFailed"
            return (reason, "\(origin) failed\(kind): \(summary.failureMessage ?? "no message")")
        }
        let failed = terminated.filter { ($0.state["exitCode"].intValue ?? 0) != 0 }
            .sorted { (containerOrder.firstIndex(of: $0.name) ?? 99) < (containerOrder.firstIndex(of: $1.name) ?? 99) }
        if let first = failed.first {
            let code = first.state["exitCode"].intValue ?? -1
            let message = first.state["message"].stringValue.map { ": \(Self.lastLine($0))" } ?? ""
            return ("ContainerFailed", "container \(first.name) exited with code \(code)\(message)")
        }
        return ("PodFailed", status["message"].stringValue ?? "the worker pod failed without a reason")
    }

    /// The last non-empty line of a termination message (logs, with FallbackToLogsOnError).
    static func lastLine(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).last { !$0.trimmingPrefix(while: \.isWhitespace).isEmpty }
        return String((line ?? "").prefix(1024))
    }
}
