/// A pod this node started in an earlier run of the agent: its processes died with that
/// run, so, like the kubelet after losing a container, it reports them as
/// `ContainerStatusUnknown` (exit 137) and the pod fails.
import Foundation
import KubeCore

extension PodRunner {
    /// Whether `pod`'s reported status says containers already started here.
    static func wasStarted(_ pod: JSONValue) -> Bool {
        let statuses = (pod[path: ["status", "initContainerStatuses"]].arrayValue ?? []) + (pod[path: ["status", "containerStatuses"]].arrayValue ?? [])
        return statuses.contains { !$0[path: ["state", "running"]].isNull || !$0[path: ["state", "terminated"]].isNull }
    }

    /// Reports the lost containers; the pod's phase becomes Failed.
    func reportLost() {
        let now = context.configuration.clock.wallTime
        if let started = pod[path: ["status", "startTime"]].stringValue.flatMap(KubeTime.parse) { startTime = started }
        func adopt(_ records: inout [ContainerRecord], _ statuses: [JSONValue]) {
            for i in records.indices {
                let status = statuses.first { $0["name"].stringValue == records[i].name }
                let t = status?[path: ["state", "terminated"]] ?? .null
                if let code = t["exitCode"].intValue {
                    records[i].state = .terminated(
                        exitCode: Int32(clamping: code), reason: t["reason"].stringValue ?? "Error", message: t["message"].stringValue,
                        startedAt: t["startedAt"].stringValue.flatMap(KubeTime.parse), finishedAt: t["finishedAt"].stringValue.flatMap(KubeTime.parse) ?? now)
                } else {
                    records[i].state = .terminated(exitCode: 137, reason: "ContainerStatusUnknown",
                                                   message: "The container could not be located when the pod was terminated", startedAt: nil, finishedAt: now)
                }
                records[i].containerID = status?["containerID"].stringValue
            }
        }
        adopt(&initRecords, pod[path: ["status", "initContainerStatuses"]].arrayValue ?? [])
        adopt(&records, pod[path: ["status", "containerStatuses"]].arrayValue ?? [])
        report()
    }
}
