/// What the runtime knows about one container: waiting, running or terminated (the
/// three `v1.ContainerState`s), and how each becomes its status JSON.
import Foundation
import KubeCore

public enum ContainerRuntimeState: Sendable, Hashable {
    case waiting(reason: String, message: String?)
    case running(startedAt: Date)
    case terminated(exitCode: Int32, reason: String, message: String?, startedAt: Date?, finishedAt: Date)

    var isRunning: Bool { if case .running = self { return true } else { return false } }
    var isWaiting: Bool { if case .waiting = self { return true } else { return false } }
    var exitCode: Int32? { if case .terminated(let code, _, _, _, _) = self { return code } else { return nil } }

    /// `terminated.reason` as the kubelet sets it for an exit code.
    static func terminationReason(exitCode: Int32) -> String { exitCode == 0 ? "Completed" : "Error" }

    var json: JSONValue {
        switch self {
        case .waiting(let reason, let message):
            var w: JSONValue = ["reason": .string(reason)]
            if let message, !message.isEmpty { w["message"] = .string(message) }
            return ["waiting": w]
        case .running(let startedAt):
            return ["running": ["startedAt": .string(KubeTime.format(startedAt))]]
        case .terminated(let exitCode, let reason, let message, let startedAt, let finishedAt):
            var t: JSONValue = ["exitCode": .int(Int64(exitCode)), "reason": .string(reason), "finishedAt": .string(KubeTime.format(finishedAt))]
            if let startedAt { t["startedAt"] = .string(KubeTime.format(startedAt)) }
            if let message, !message.isEmpty { t["message"] = .string(message) }
            return ["terminated": t]
        }
    }
}

/// One container as the status builder sees it.
public struct ContainerRecord: Sendable, Hashable {
    public var name: String
    public var image: String
    public var state: ContainerRuntimeState
    /// `<runtime>://<id>` once the container was started.
    public var containerID: String?

    public init(name: String, image: String, state: ContainerRuntimeState, containerID: String? = nil) {
        self.name = name
        self.image = image
        self.state = state
        self.containerID = containerID
    }

    /// Records for a pod spec's `initContainers` or `containers`, all waiting with `reason`.
    static func waiting(_ containers: [JSONValue], reason: String) -> [ContainerRecord] {
        containers.map {
            ContainerRecord(name: $0["name"].stringValue ?? "", image: $0["image"].stringValue ?? "", state: .waiting(reason: reason, message: nil))
        }
    }

    func statusJSON(isInit: Bool) -> JSONValue {
        let ready = isInit ? state.exitCode == 0 : state.isRunning
        var status: JSONValue = [
            "name": .string(name), "image": .string(image), "imageID": "", "ready": .bool(ready),
            "restartCount": 0, "started": .bool(state.isRunning), "state": state.json, "lastState": .emptyObject,
        ]
        if let containerID { status["containerID"] = .string(containerID) }
        return status
    }
}
