/// Shared fixtures: a node agent running against an embedded API server, pod builders and
/// status accessors.
import Foundation
import FerryLocalRuntime
import KubeAPIServer
import KubeClient
import KubeCore
import KubeTestSupport

/// The agent serves `pods/log` for the embedded server, as `ferry dev` wires it.
extension NodeAgent: PodLogProvider {}

/// Runs a node agent for the body; cancels it afterwards and waits until it has stopped.
func withNodeAgent<T>(
    _ configuration: NodeAgentConfiguration, client: KubernetesClient, _ body: (NodeAgent) async throws -> T
) async throws -> T {
    let agent = try NodeAgent(client: client, configuration: configuration)
    let task = Task { try await agent.run() }
    do {
        let result = try await body(agent)
        task.cancel()
        try await task.value
        return result
    } catch {
        task.cancel()
        _ = try? await task.value
        throw error
    }
}

/// A pod in `default` with the given containers (each `[name, shell script]`) on `node`.
func shellPod(
    _ name: String, node: String? = "node-a", initContainers: [(String, String)] = [], containers: [(String, String)],
    volumes: [JSONValue] = [], mounts: [JSONValue] = [], extra: (inout JSONValue) -> Void = { _ in }
) -> JSONValue {
    func container(_ c: (String, String)) -> JSONValue {
        var json: JSONValue = ["name": .string(c.0), "image": "busybox", "command": ["sh", "-c", .string(c.1)]]
        if !mounts.isEmpty { json["volumeMounts"] = .array(mounts) }
        return json
    }
    var pod: JSONValue = [
        "apiVersion": "v1", "kind": "Pod",
        "metadata": ["name": .string(name), "namespace": "default"],
        "spec": ["restartPolicy": "Never", "containers": .array(containers.map(container))],
    ]
    if let node { pod[path: ["spec", "nodeName"]] = .string(node) }
    if !initContainers.isEmpty { pod[path: ["spec", "initContainers"]] = .array(initContainers.map(container)) }
    if !volumes.isEmpty { pod[path: ["spec", "volumes"]] = .array(volumes) }
    extra(&pod)
    return pod
}

func getPod(_ client: KubernetesClient, _ name: String) async throws -> JSONValue {
    try await client.get(.pod, name: name, namespace: "default")
}

func phase(_ pod: JSONValue) -> String? { pod[path: ["status", "phase"]].stringValue }

func containerStatus(_ pod: JSONValue, _ name: String, init isInit: Bool = false) -> JSONValue {
    let list = pod[path: ["status", isInit ? "initContainerStatuses" : "containerStatuses"]].arrayValue ?? []
    return list.first { $0["name"].stringValue == name } ?? .null
}

func condition(_ pod: JSONValue, _ type: String) -> JSONValue {
    (pod[path: ["status", "conditions"]].arrayValue ?? []).first { $0["type"].stringValue == type } ?? .null
}

/// Waits until the pod's phase is `expected`, returning the pod.
@discardableResult
func waitForPhase(_ client: KubernetesClient, _ name: String, _ expected: String, timeout: Duration = .seconds(20)) async throws -> JSONValue {
    var last: JSONValue = .null
    do {
        try await waitUntil(timeout: timeout) {
            last = try await getPod(client, name)
            return phase(last) == expected
        }
    } catch {
        throw FixtureError(description: "pod \(name) never reached \(expected); last status: \(last["status"].serialized())")
    }
    return last
}

func processIsGone(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return true }
    let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
    return state == "Z" || state == "X"
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
}
