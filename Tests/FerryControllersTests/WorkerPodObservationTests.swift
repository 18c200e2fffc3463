/// Reading a worker Pod's status the way `kubectl describe pod` does.
import Testing
import KubeCore
@testable import FerryControllers

private func pod(_ status: JSONValue) -> JSONValue { ["metadata": ["name": "s-1"], "status": status] }
private func terminated(_ name: String, _ code: Int64, reason: String = "Error", message: String? = nil) -> JSONValue {
    var t: JSONValue = ["exitCode": .int(code), "reason": .string(reason), "finishedAt": .string("2026-01-01T00:00:0\(code % 10)Z")]
    if let message { t["message"] = .string(message) }
    return ["name": .string(name), "state": ["terminated": t]]
}

@Suite struct WorkerPodObservationTests {
    @Test func pendingReasons() {
        #expect(WorkerPodObservation(pod: pod(["phase": "Pending"])) == .pending(reason: nil, message: nil, fatal: false))
        let unschedulable = pod(["phase": "Pending", "conditions": [["type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "0/3 nodes are available: 3 Insufficient memory."]]])
        #expect(WorkerPodObservation(pod: unschedulable) == .pending(reason: "Unschedulable", message: "0/3 nodes are available: 3 Insufficient memory.", fatal: false))
        let pull = pod(["phase": "Pending", "containerStatuses": [
            ["name": "orchestrator", "state": ["waiting": ["reason": "ContainerCreating"]]],
            ["name": "source", "state": ["waiting": ["reason": "ImagePullBackOff", "message": "Back-off pulling image \"airbyte/source-x:0.0.0\""]]]]])
        #expect(WorkerPodObservation(pod: pull) == .pending(reason: "ImagePullBackOff", message: "container source: ImagePullBackOff: Back-off pulling image \"airbyte/source-x:0.0.0\"", fatal: false))
        let invalid = pod(["phase": "Pending", "containerStatuses": [["name": "destination", "state": ["waiting": ["reason": "InvalidImageName"]]]]])
        #expect(WorkerPodObservation(pod: invalid) == .pending(reason: "InvalidImageName", message: "container destination: InvalidImageName", fatal: true))
        let initializing = pod(["phase": "Pending", "initContainerStatuses": [["name": "init", "state": ["waiting": ["reason": "PodInitializing"]]]]])
        #expect(WorkerPodObservation(pod: initializing) == .pending(reason: nil, message: nil, fatal: false))
    }

    @Test func runningAndSucceeded() {
        #expect(WorkerPodObservation(pod: pod(["phase": "Running", "startTime": "2026-01-01T00:00:00Z"])) == .running(startTime: "2026-01-01T00:00:00Z"))
        let summary = #"{"succeeded":true,"recordsEmitted":10,"bytesEmitted":500,"recordsCommitted":10,"stateMessagesCommitted":2}"#
        let done = WorkerPodObservation(pod: pod(["phase": "Succeeded", "containerStatuses": [terminated("orchestrator", 0, reason: "Completed", message: summary), terminated("source", 0)]]))
        guard case .succeeded(let time, let s) = done else { Issue.record("\(done)"); return }
        #expect(time == "2026-01-01T00:00:00Z")
        #expect(s?.recordsCommitted == 10)
        #expect(s?.stateMessagesCommitted == 2)
        #expect(s?.succeeded == true)
    }

    struct FailureCase: Sendable, CustomTestStringConvertible {
        var name: String
        var status: JSONValue
        var reason: String
        var message: String
        var testDescription: String { name }
    }

    static let failures: [FailureCase] = [
        FailureCase(name: "evicted", status: ["phase": "Failed", "reason": "Evicted", "message": "The node was low on resource: memory."],
                    reason: "Evicted", message: "The node was low on resource: memory."),
        FailureCase(name: "deadline", status: ["phase": "Failed", "reason": "DeadlineExceeded"],
                    reason: "DeadlineExceeded", message: "the worker pod was stopped: DeadlineExceeded"),
        FailureCase(name: "OOM beats the relay's verdict", status: ["phase": "Failed", "containerStatuses": [
                        terminated("orchestrator", 1, message: #"{"succeeded":false,"failure":{"origin":"destination","failureType":"system_error","message":"exit 137"}}"#),
                        terminated("destination", 137, reason: "OOMKilled")]],
                    reason: "OOMKilled", message: "container destination was killed for exceeding its memory limit"),
        FailureCase(name: "relay verdict names the connector", status: ["phase": "Failed", "containerStatuses": [
                        terminated("orchestrator", 1, message: #"{"succeeded":false,"recordsCommitted":3,"failure":{"origin":"source","failureType":"config_error","message":"Invalid API key"}}"#),
                        terminated("source", 1)]],
                    reason: "SourceFailed", message: "source failed (config_error): Invalid API key"),
        FailureCase(name: "exit code with logs as the message", status: ["phase": "Failed", "containerStatuses": [
                        terminated("source", 0), terminated("destination", 2, message: "starting\nTraceback...\nValueError: bad port\n\n")]],
                    reason: "ContainerFailed", message: "container destination exited with code 2: ValueError: bad port"),
        FailureCase(name: "orchestrator blamed first", status: ["phase": "Failed", "containerStatuses": [
                        terminated("source", 3), terminated("orchestrator", 1, message: "not json")]],
                    reason: "ContainerFailed", message: "container orchestrator exited with code 1: not json"),
        FailureCase(name: "nothing known", status: ["phase": "Failed"], reason: "PodFailed", message: "the worker pod failed without a reason"),
    ]

    @Test(arguments: failures) func failureReasons(_ c: FailureCase) {
        guard case .failed(let reason, let message, _, _) = WorkerPodObservation(pod: pod(c.status)) else { Issue.record("not failed"); return }
        #expect(reason == c.reason)
        #expect(message == c.message)
    }
}
