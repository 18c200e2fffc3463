/// Pure pod status computation with the kubelet's rules for `restartPolicy: Never`:
/// phase from the container states, the four pod conditions whose lastTransitionTime
/// moves only on a status change, and the container status lists.
import Foundation
import KubeCore

/// Why the runtime failed a whole pod (e.g. `DeadlineExceeded`).
public struct PodFailure: Sendable, Hashable {
    public var reason: String
    public var message: String

    public static let deadlineExceeded = PodFailure(reason: "DeadlineExceeded", message: "Pod was active on the node longer than the specified deadline")
}

public struct PodStatusInput: Sendable {
    public var initContainers: [ContainerRecord]
    public var containers: [ContainerRecord]
    public var startTime: Date
    public var now: Date
    /// The conditions last reported, so unchanged ones keep their lastTransitionTime.
    public var previousConditions: [JSONValue]
    public var failure: PodFailure?
    public var hostIP: String

    public init(initContainers: [ContainerRecord], containers: [ContainerRecord], startTime: Date, now: Date,
                previousConditions: [JSONValue] = [], failure: PodFailure? = nil, hostIP: String = "127.0.0.1") {
        self.initContainers = initContainers
        self.containers = containers
        self.startTime = startTime
        self.now = now
        self.previousConditions = previousConditions
        self.failure = failure
        self.hostIP = hostIP
    }
}

public enum PodStatusModel {
    /// The phase for `restartPolicy: Never` (kubelet `getPhase`).
    public static func phase(initContainers: [ContainerRecord], containers: [ContainerRecord], failure: PodFailure?) -> String {
        if failure != nil { return "Failed" }
        if initContainers.contains(where: { ($0.state.exitCode ?? 0) != 0 }) { return "Failed" }
        if !initContainers.allSatisfy({ $0.state.exitCode == 0 }) { return "Pending" }
        if containers.contains(where: { $0.state.isWaiting }) { return "Pending" }
        if containers.contains(where: { $0.state.isRunning }) { return "Running" }
        return containers.allSatisfy { $0.state.exitCode == 0 } ? "Succeeded" : "Failed"
    }

    /// The full `status` object to report.
    public static func status(_ input: PodStatusInput) -> JSONValue {
        let phase = phase(initContainers: input.initContainers, containers: input.containers, failure: input.failure)
        var status: JSONValue = [
            "phase": .string(phase),
            "conditions": .array(conditions(input, phase: phase)),
            "hostIP": .string(input.hostIP), "hostIPs": [["ip": .string(input.hostIP)]],
            "podIP": .string(input.hostIP), "podIPs": [["ip": .string(input.hostIP)]],
            "startTime": .string(KubeTime.format(input.startTime)),
            "containerStatuses": .array(input.containers.map { $0.statusJSON(isInit: false) }),
        ]
        if !input.initContainers.isEmpty {
            status["initContainerStatuses"] = .array(input.initContainers.map { $0.statusJSON(isInit: true) })
        }
        if let failure = input.failure {
            status["reason"] = .string(failure.reason)
            status["message"] = .string(failure.message)
        }
        return status
    }

    static func conditions(_ input: PodStatusInput, phase: String) -> [JSONValue] {
        let unfinishedInit = input.initContainers.filter { $0.state.exitCode != 0 }.map(\.name)
        let unready = input.containers.filter { !$0.state.isRunning }.map(\.name)
        let completed = phase == "Succeeded"
        let readyReason = completed ? "PodCompleted" : "ContainersNotReady"
        let readyMessage = completed ? "" : "containers with unready status: [\(unready.joined(separator: " "))]"
        let desired: [(type: String, status: Bool, reason: String, message: String)] = [
            ("PodReadyToStartContainers", true, "", ""),
            ("Initialized", unfinishedInit.isEmpty, unfinishedInit.isEmpty ? "" : "ContainersNotInitialized",
             unfinishedInit.isEmpty ? "" : "containers with incomplete status: [\(unfinishedInit.joined(separator: " "))]"),
            ("Ready", unready.isEmpty, unready.isEmpty ? "" : readyReason, unready.isEmpty ? "" : readyMessage),
            ("ContainersReady", unready.isEmpty, unready.isEmpty ? "" : readyReason, unready.isEmpty ? "" : readyMessage),
            ("PodScheduled", true, "", ""),
        ]
        return desired.map { d in
            let statusText = d.status ? "True" : "False"
            let previous = input.previousConditions.first { $0["type"].stringValue == d.type }
            let transition = previous.flatMap { p in p["status"].stringValue == statusText ? p["lastTransitionTime"].stringValue : nil }
            var c: JSONValue = [
                "type": .string(d.type), "status": .string(statusText),
                "lastTransitionTime": .string(transition ?? KubeTime.format(input.now)),
            ]
            c.setKeepingNull("lastProbeTime", .null)
            if !d.reason.isEmpty { c["reason"] = .string(d.reason) }
            if !d.message.isEmpty { c["message"] = .string(d.message) }
            return c
        }
    }
}
