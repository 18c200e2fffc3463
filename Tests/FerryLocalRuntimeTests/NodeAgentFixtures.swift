/// Shared fixtures: a node agent running against an embedded API server, pod builders and
/// status accessors.
import Foundation
import FerryLocalRuntime
import KubeAPIServer
import KubeClient
import KubeCore
import KubeTestSupport
import Logging
import Synchronization

/// The agent serves `pods/log` for the embedded server, as `ferry dev` wires it.
extension NodeAgent: PodLogProvider {}

/// Runs a node agent for the body; cancels it afterwards and waits until it has stopped.
func withNodeAgent<T>(
    _ configuration: NodeAgentConfiguration, client: KubernetesClient, log: AgentLog? = nil, _ body: (NodeAgent) async throws -> T
) async throws -> T {
    let agent = try log.map { try NodeAgent(client: client, configuration: configuration, logger: $0.logger) }
        ?? NodeAgent(client: client, configuration: configuration)
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

/// The User-Agent of `withObserver`'s client: fault plans spare it, so a test keeps
/// driving and observing while the agent's own requests fail.
let observerUserAgent = "fault-test-observer"

/// A second client for the test's own requests, sent as `observerUserAgent`.
func withObserver<T>(_ server: EmbeddedAPIServer, _ body: (KubernetesClient) async throws -> T) async throws -> T {
    var configuration = try ClientConfiguration(kubeconfig: Kubeconfig.parse(server.kubeconfigYAML()))
    configuration.qps = 0
    configuration.userAgent = observerUserAgent
    let client = try KubernetesClient(configuration: configuration)
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}

/// Waits until the Node reports Ready, i.e. its registration (create, status) is done, and
/// its Lease exists, i.e. the first heartbeat is done.
func waitForNodeReady(_ client: KubernetesClient, _ node: String, timeout: Duration = .seconds(60)) async throws {
    do {
        try await waitUntil(timeout: timeout) {
            guard let object = try? await client.get(.node, name: node),
                  condition(object, "Ready")["status"] == "True" else { return false }
            return (try? await client.get(.lease, name: node, namespace: "kube-node-lease")) != nil
        }
    } catch {
        throw FixtureError(description: "node \(node) never became Ready with a Lease: \(error)")
    }
}

/// The 5xx responses with `code` the server injected so far.
func injectedErrors(_ server: EmbeddedAPIServer, _ code: Int) -> Int {
    server.faults.counts().errors[code] ?? 0
}

/// `waitUntil` with a generous timeout whose failure names the step.
func step(_ label: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
    do { try await waitUntil(timeout: timeout, condition) } catch { throw FixtureError(description: "\(label): \(error)") }
}

/// What the agent logged, each message with the time it was logged: tests of its retries
/// read when each attempt failed.
final class AgentLog: Sendable {
    struct Entry: Sendable {
        var at: ContinuousClock.Instant
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let stored = Mutex<[Entry]>([])

    var logger: Logger { Logger(label: "ferry.node") { _ in Handler(log: self) } }

    /// The entries with this message (and, when given, this `pod` metadata), oldest first.
    func entries(_ message: String, pod: String? = nil) -> [Entry] {
        stored.withLock { $0 }.filter { $0.message == message && (pod == nil || $0.metadata["pod"] == pod) }
    }

    fileprivate func append(_ entry: Entry) { stored.withLock { $0.append(entry) } }

    private struct Handler: LogHandler {
        let log: AgentLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
            let all = self.metadata.merging(metadata ?? [:]) { _, new in new }
            log.append(Entry(at: .now, level: level, message: "\(message)", metadata: all.mapValues { "\($0)" }))
        }
    }
}
