/// Found by the chaos suite (docs/chaos.md): a pod whose `pods/binding` got a 5xx stayed
/// unbound and Pending for good, holding its WorkerPool slot; the agent now retries the
/// binding with backoff as the scheduler requeues a pod.
///
/// This test once failed intermittently ("no request from the agent for 60 s after the
/// faults are set"): it set the faults as soon as the Node object existed, before the agent
/// had posted the node's status, and a failed registration ended the agent for good. It
/// now waits for a Ready node whose agent ran a pod, and registration is retried anyway
/// (RegistrationRetryTests).
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeTestSupport
import Testing
@testable import FerryLocalRuntime

@Suite struct BindingRetryTests {
    @Test func aPodWhoseBindingFailedIsBoundOnceTheServerRecovers() async throws {
        try await withClient { server, client in
            try await withObserver(server) { test in
                let log = AgentLog()
                let config = NodeAgentConfiguration(nodeName: "node-a", scheduleUnassigned: true, heartbeatInterval: .seconds(3600))
                try await withNodeAgent(config, client: client, log: log) { _ in
                    // Registered, first heartbeat done, informer synced: the agent runs a pod.
                    try await waitForNodeReady(test, "node-a")
                    _ = try await test.create(shellPod("warm-up", node: nil, containers: [("main", "true")]), .pod)
                    try await waitForPhase(test, "warm-up", "Succeeded", timeout: .seconds(60))

                    server.faults.set(FaultPlan(errorRate: 1, errorCode: 500, spareUserAgentPrefixes: [observerUserAgent]))
                    _ = try await test.create(shellPod("unbound", node: nil, containers: [("main", "true")]), .pod)
                    // The first binding and three retries fail, backing off 1 s, 2 s, 4 s.
                    try await step("four failed bindings") { log.entries(Self.bindingFailed, pod: "default/unbound").count >= 4 }
                    let failures = log.entries(Self.bindingFailed, pod: "default/unbound").map(\.at)
                    let gaps = zip(failures, failures.dropFirst()).map { $0.duration(to: $1) }
                    for (gap, backoff) in zip(gaps, [1, 2, 4]) {
                        #expect(gap >= .seconds(backoff), "retries \(gaps) do not back off 1 s, 2 s, 4 s")
                    }
                    #expect(try await getPod(test, "unbound")[path: ["spec", "nodeName"]].stringValue == nil)
                    #expect(injectedErrors(server, 500) >= 4)

                    server.faults.clear()
                    let done = try await waitForPhase(test, "unbound", "Succeeded", timeout: .seconds(60))
                    #expect(done[path: ["spec", "nodeName"]] == "node-a")
                }
            }
        }
    }

    static let bindingFailed = "binding pod failed, retrying"

    @Test func aRetryStopsWhenThePodIsDeleted() async throws {
        try await withClient { server, client in
            try await withObserver(server) { test in
                let log = AgentLog()
                let config = NodeAgentConfiguration(nodeName: "node-a", scheduleUnassigned: true, heartbeatInterval: .seconds(3600))
                try await withNodeAgent(config, client: client, log: log) { agent in
                    try await waitForNodeReady(test, "node-a")
                    _ = try await test.create(shellPod("warm-up", node: nil, containers: [("main", "true")]), .pod)
                    try await waitForPhase(test, "warm-up", "Succeeded", timeout: .seconds(60))

                    server.faults.set(FaultPlan(errorRate: 1, errorCode: 500, spareUserAgentPrefixes: [observerUserAgent]))
                    let pod = try await test.create(shellPod("doomed", node: nil, containers: [("main", "true")]), .pod)
                    let uid = try #require(pod.uid)
                    try await step("a binding retry waits") { agent.state.withLock { $0.bindingRetries[uid] != nil } }
                    _ = try await test.delete(.pod, name: "doomed", namespace: "default", options: DeleteOptions(gracePeriodSeconds: 0))
                    // The informer's deletion ends the retry before its next attempt.
                    try await step("the retry ended") { agent.state.withLock { $0.bindingRetries[uid] == nil } }
                    #expect(!log.entries(Self.bindingFailed, pod: "default/doomed").isEmpty)
                    server.faults.clear()
                }
            }
        }
    }
}
