/// The local runtime against the embedded API server over real HTTP: pods run as local
/// processes and their fate is reported through `pods/status` like the kubelet does.
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeTestSupport
import Testing
@testable import FerryLocalRuntime

@Suite(.serialized) struct LocalRuntimeTests {
    static let shared: [JSONValue] = [["name": "shared", "emptyDir": ["medium": "Memory"]]]
    static let sharedMount: [JSONValue] = [["name": "shared", "mountPath": "/shared"]]

    @Test func initAndTwoContainersShareAPipeAndSucceed() async throws {
        try await withClient { server, client in
            let config = NodeAgentConfiguration(nodeName: "node-a", scheduleUnassigned: true)
            try await withNodeAgent(config, client: client) { agent in
                server.setPodLogProvider(agent)
                // No nodeName: the agent binds it (no scheduler in `ferry dev`).
                let pod = shellPod(
                    "pipes", node: nil,
                    initContainers: [("make-pipe", "mkfifo /shared/pipe")],
                    containers: [("writer", "echo hello-through-pipe > /shared/pipe; echo wrote"),
                                 ("reader", "read line < /shared/pipe; printf '%s' \"$line\" > /dev/termination-log; echo got $line")],
                    volumes: Self.shared, mounts: Self.sharedMount)
                _ = try await client.create(pod, .pod)
                let done = try await waitForPhase(client, "pipes", "Succeeded")
                #expect(done[path: ["spec", "nodeName"]] == "node-a")
                let initStatus = containerStatus(done, "make-pipe", init: true)
                #expect(initStatus[path: ["state", "terminated", "exitCode"]] == 0)
                #expect(initStatus[path: ["state", "terminated", "reason"]] == "Completed")
                #expect(initStatus["ready"] == true)
                let reader = containerStatus(done, "reader")
                #expect(reader[path: ["state", "terminated", "exitCode"]] == 0)
                #expect(reader[path: ["state", "terminated", "message"]] == "hello-through-pipe")
                #expect(reader[path: ["state", "terminated", "startedAt"]].stringValue != nil)
                #expect(reader[path: ["state", "terminated", "finishedAt"]].stringValue != nil)
                #expect(reader["restartCount"] == 0)
                #expect(containerStatus(done, "writer")[path: ["state", "terminated", "exitCode"]] == 0)
                #expect(condition(done, "Initialized")["status"] == "True")
                #expect(condition(done, "Ready")["status"] == "False")
                #expect(condition(done, "Ready")["reason"] == "PodCompleted")
                #expect(condition(done, "PodScheduled")["status"] == "True")
                #expect(done[path: ["status", "podIP"]] == "127.0.0.1")
                #expect(done[path: ["status", "startTime"]].stringValue != nil)

                // kubectl logs goes through the server's pods/log to the agent's log files.
                let request = RequestBuilder(.pod).get(name: "pipes", namespace: "default", subresource: "log")
                let log = try await client.send(APIRequest(method: .GET, path: request.path, query: [("container", "reader")]))
                #expect(String(decoding: log.body, as: UTF8.self) == "got hello-through-pipe\n")

                // The node is registered and its Lease renewed.
                let node = try await client.get(.node, name: "node-a")
                #expect((node[path: ["status", "conditions"]].arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" })
                try await waitUntil(timeout: .seconds(10)) {
                    let lease = try? await client.get(.lease, name: "node-a", namespace: "kube-node-lease")
                    return lease?[path: ["spec", "holderIdentity"]] == "node-a" && lease?[path: ["spec", "renewTime"]].stringValue != nil
                }
            }
        }
    }

    @Test func failingContainerFailsThePodWithItsLogTail() async throws {
        try await withClient { _, client in
            try await withNodeAgent(NodeAgentConfiguration(nodeName: "node-a"), client: client) { _ in
                let pod = shellPod("fails", containers: [("main", "echo starting; echo 'connection refused' >&2; exit 3")]) { pod in
                    pod[path: ["spec", "containers"]] = .array((pod[path: ["spec", "containers"]].arrayValue ?? []).map {
                        var c = $0
                        c["terminationMessagePolicy"] = "FallbackToLogsOnError"
                        return c
                    })
                }
                _ = try await client.create(pod, .pod)
                let done = try await waitForPhase(client, "fails", "Failed")
                let main = containerStatus(done, "main")
                #expect(main[path: ["state", "terminated", "exitCode"]] == 3)
                #expect(main[path: ["state", "terminated", "reason"]] == "Error")
                #expect(main[path: ["state", "terminated", "message"]] == "starting\nconnection refused\n")
            }
        }
    }

    @Test func ferryAsArgvZeroIsTheConfiguredExecutableAndMissingCommandsFailToStart() async throws {
        try await withClient { _, client in
            try await withNodeAgent(NodeAgentConfiguration(nodeName: "node-a", ferryExecutable: "/bin/sh"), client: client) { _ in
                var pod = shellPod("argv0", containers: [("main", "unused")])
                pod[path: ["spec", "containers"]] = [
                    ["name": "missing", "image": "ferry", "command": ["no-such-command-anywhere"]],
                    ["name": "main", "image": "ferry", "command": ["ferry"], "args": ["-c", "exit 7"]],
                ]
                _ = try await client.create(pod, .pod)
                let done = try await waitForPhase(client, "argv0", "Failed")
                #expect(containerStatus(done, "main")[path: ["state", "terminated", "exitCode"]] == 7)
                let missing = containerStatus(done, "missing")[path: ["state", "terminated"]]
                #expect(missing["reason"] == "StartError")
                #expect(missing["exitCode"] == 128)
                #expect(missing["message"] == "exec: \"no-such-command-anywhere\": executable file not found in $PATH")
            }
        }
    }

    @Test func environmentAndVolumesFromSecretsAndFields() async throws {
        try await withClient { _, client in
            _ = try await client.create([
                "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "creds", "namespace": "default"],
                "stringData": ["password": "s3cret", "user": "ferry"],
            ], .secret)
            try await withNodeAgent(NodeAgentConfiguration(nodeName: "node-a"), client: client) { _ in
                let pod = shellPod(
                    "envs", containers: [("main", "printf '%s|%s|%s|%s' \"$PASSWORD\" \"$POD_NAME\" \"$(cat /etc/creds/user-file)\" \"$(stat -c %a /etc/creds/user-file)\" > /dev/termination-log")],
                    volumes: [["name": "creds", "secret": ["secretName": "creds", "items": [["key": "user", "path": "user-file"]], "defaultMode": 0o440]]],
                    mounts: [["name": "creds", "mountPath": "/etc/creds", "readOnly": true]]
                ) { pod in
                    pod[path: ["spec", "containers"]] = .array((pod[path: ["spec", "containers"]].arrayValue ?? []).map {
                        var c = $0
                        c["env"] = [
                            ["name": "PASSWORD", "valueFrom": ["secretKeyRef": ["name": "creds", "key": "password"]]],
                            ["name": "POD_NAME", "valueFrom": ["fieldRef": ["fieldPath": "metadata.name"]]],
                        ]
                        return c
                    })
                }
                _ = try await client.create(pod, .pod)
                let done = try await waitForPhase(client, "envs", "Succeeded")
                #expect(containerStatus(done, "main")[path: ["state", "terminated", "message"]] == "s3cret|envs|ferry|440")
            }
        }
    }

    @Test func missingSecretKeepsTheContainerWaitingUntilItExists() async throws {
        try await withClient { _, client in
            let config = NodeAgentConfiguration(nodeName: "node-a", configRetryInterval: .milliseconds(200))
            try await withNodeAgent(config, client: client) { _ in
                let pod = shellPod("late-secret", containers: [("main", "test \"$TOKEN\" = abc")]) { pod in
                    pod[path: ["spec", "containers"]] = .array((pod[path: ["spec", "containers"]].arrayValue ?? []).map {
                        var c = $0
                        c["env"] = [["name": "TOKEN", "valueFrom": ["secretKeyRef": ["name": "later", "key": "token"]]]]
                        return c
                    })
                }
                _ = try await client.create(pod, .pod)
                try await waitUntil(timeout: .seconds(10)) {
                    let waiting = containerStatus(try await getPod(client, "late-secret"), "main")[path: ["state", "waiting"]]
                    return waiting["reason"] == "CreateContainerConfigError" && waiting["message"] == "secret \"later\" not found"
                }
                _ = try await client.create(["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "later", "namespace": "default"],
                                             "stringData": ["token": "abc"]], .secret)
                try await waitForPhase(client, "late-secret", "Succeeded")
            }
        }
    }

    @Test func unmappedImageWaitsAndNeverRuns() async throws {
        try await withClient { _, client in
            try await withNodeAgent(NodeAgentConfiguration(nodeName: "node-a"), client: client) { _ in
                var pod = shellPod("unmapped", containers: [("side", "true")])
                pod[path: ["spec", "containers"]] = [
                    ["name": "connector", "image": "airbyte/source-unknown:1.0", "args": ["read"]],
                    ["name": "side", "image": "busybox", "command": ["true"]],
                ]
                let created = try await client.create(pod, .pod)
                var phases: [String] = []
                try await waitUntil(timeout: .seconds(10)) {
                    let current = try await getPod(client, "unmapped")
                    phases.append(phase(current) ?? "")
                    return containerStatus(current, "connector")[path: ["state", "waiting", "reason"]] == "ImageNotMapped"
                }
                let current = try await getPod(client, "unmapped")
                #expect(phase(current) == "Pending")
                #expect(containerStatus(current, "connector")[path: ["state", "waiting", "message"]].stringValue?.contains("airbyte/source-unknown:1.0") == true)
                // Nothing started: no status ever showed a running or finished container.
                #expect(containerStatus(current, "side")[path: ["state", "waiting"]].isNull == false)
                #expect(!phases.contains("Running"))
                #expect(created.uid != nil)
            }
        }
    }

    @Test func deletingARunningPodKillsItsProcesses() async throws {
        try await withClient { _, client in
            try await withNodeAgent(NodeAgentConfiguration(nodeName: "node-a"), client: client) { agent in
                _ = try await client.create(shellPod("sleeper", containers: [("main", "sleep 300")]), .pod)
                try await waitForPhase(client, "sleeper", "Running")
                let pids = await agent.processIDs(namespace: "default", name: "sleeper")
                #expect(pids.count == 1)
                _ = try await client.delete(.pod, name: "sleeper", namespace: "default")
                try await waitUntil(timeout: .seconds(10)) { pids.allSatisfy(processIsGone) }
                await #expect(throws: KubeClientError.self) { try await getPod(client, "sleeper") }
            }
        }
    }

    @Test func gracefulDeletionSendsSIGTERMReportsAndDeletes() async throws {
        try await withClient { _, client in
            try await withNodeAgent(NodeAgentConfiguration(nodeName: "node-a"), client: client) { agent in
                let script = "trap 'printf stopped > /dev/termination-log; exit 0' TERM; echo ready; while true; do sleep 0.05; done"
                let pod = shellPod("graceful", containers: [("main", script)]) { pod in
                    pod[path: ["metadata", "finalizers"]] = ["test.ferry.dev/hold"]
                }
                _ = try await client.create(pod, .pod)
                try await waitForPhase(client, "graceful", "Running")
                let pids = await agent.processIDs(namespace: "default", name: "graceful")
                // The finalizer holds the pod, so deletion only sets deletionTimestamp, as for a bound pod on a real cluster.
                _ = try await client.delete(.pod, name: "graceful", namespace: "default")
                let stopped = try await waitForPhase(client, "graceful", "Succeeded")
                #expect(containerStatus(stopped, "main")[path: ["state", "terminated", "message"]] == "stopped")
                #expect(pids.allSatisfy(processIsGone))
                _ = try await client.patch(.pod, name: "graceful", namespace: "default", patch: ["metadata": ["finalizers": nil]], type: .merge)
                try await waitUntil(timeout: .seconds(10)) {
                    do { _ = try await getPod(client, "graceful"); return false } catch let error as KubeClientError where error.isNotFound { return true }
                }
            }
        }
    }

    @Test func activeDeadlineFailsThePod() async throws {
        try await withClient { _, client in
            try await withNodeAgent(NodeAgentConfiguration(nodeName: "node-a"), client: client) { agent in
                let pod = shellPod("deadline", containers: [("main", "sleep 300")]) { pod in
                    pod[path: ["spec", "activeDeadlineSeconds"]] = 1
                }
                _ = try await client.create(pod, .pod)
                try await waitForPhase(client, "deadline", "Running")
                let pids = await agent.processIDs(namespace: "default", name: "deadline")
                let failed = try await waitForPhase(client, "deadline", "Failed")
                #expect(failed[path: ["status", "reason"]] == "DeadlineExceeded")
                #expect(containerStatus(failed, "main")[path: ["state", "terminated", "exitCode"]] == 143)
                #expect(!pids.isEmpty && pids.allSatisfy(processIsGone))
            }
        }
    }

    @Test func agentShutdownLeavesNoProcesses() async throws {
        let workDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-node-test-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: workDirectory) }
        let (leader, child) = try await withClient { _, client in
            try await withNodeAgent(NodeAgentConfiguration(nodeName: "node-a", workDirectory: workDirectory), client: client) { agent in
                // The shell starts a grandchild and reports its pid through the termination log file.
                _ = try await client.create(shellPod("tree", containers: [("main", "sleep 300 & printf $! > /dev/termination-log; wait")]), .pod)
                let running = try await waitForPhase(client, "tree", "Running")
                let uid = running.uid ?? ""
                let path = "\(workDirectory)/pods/default_tree_\(uid)/containers/main/termination-log"
                var child: Int32 = 0
                try await waitUntil(timeout: .seconds(10)) {
                    child = Int32((try? String(contentsOfFile: path, encoding: .utf8)) ?? "") ?? 0
                    return child > 0
                }
                let pids = await agent.processIDs(namespace: "default", name: "tree")
                #expect(pids.count == 1)
                #expect(!processIsGone(child))
                return (pids.first ?? 0, child)
            }
        }
        // withNodeAgent returned: the agent has stopped.
        #expect(processIsGone(leader))
        #expect(processIsGone(child))
    }
}
