/// The simulated runtime: scripted outcomes on a manual clock, no processes.
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import KubeTestSupport
import Testing
@testable import FerryLocalRuntime

@Suite struct SimulatedRuntimeTests {
    @Test func scriptedDurationExitCodeAndMessageOnAManualClock() async throws {
        let clock = ManualClock()
        try await withClient { _, client in
            let config = NodeAgentConfiguration(nodeName: "sim-node", mode: .simulated, heartbeatInterval: .seconds(3600), clock: clock)
            try await withNodeAgent(config, client: client) { agent in
                let pod = shellPod("scripted", node: "sim-node", initContainers: [("setup", "unused")],
                                   containers: [("source", "unused"), ("orchestrator", "unused")]) { pod in
                    pod[path: ["metadata", "annotations"]] = [
                        "ferry.dev/simulate-duration-seconds": "30",
                        "ferry.dev/simulate-duration-seconds.source": "10",
                        "ferry.dev/simulate-exit-code.orchestrator": "2",
                        "ferry.dev/simulate-termination-message.orchestrator": "boom",
                    ]
                }
                _ = try await client.create(pod, .pod)
                let running = try await waitForPhase(client, "scripted", "Running")
                let t0 = KubeTime.format(clock.wallTime)
                #expect(condition(running, "Ready")["status"] == "True")
                #expect(condition(running, "Ready")["lastTransitionTime"] == .string(t0))
                #expect(containerStatus(running, "setup", init: true)[path: ["state", "terminated", "exitCode"]] == 0)
                #expect(await agent.allProcessIDs().isEmpty)

                clock.advance(by: .seconds(10))
                let t10 = KubeTime.format(clock.wallTime)
                try await waitUntil(timeout: .seconds(10)) {
                    containerStatus(try await getPod(client, "scripted"), "source")[path: ["state", "terminated", "exitCode"]] == 0
                }
                let oneDone = try await getPod(client, "scripted")
                #expect(phase(oneDone) == "Running")
                #expect(condition(oneDone, "Ready")["status"] == "False")
                #expect(condition(oneDone, "Ready")["lastTransitionTime"] == .string(t10))
                #expect(condition(oneDone, "Initialized")["lastTransitionTime"] == .string(t0))

                clock.advance(by: .seconds(20))
                let failed = try await waitForPhase(client, "scripted", "Failed")
                let orchestrator = containerStatus(failed, "orchestrator")
                #expect(orchestrator[path: ["state", "terminated", "exitCode"]] == 2)
                #expect(orchestrator[path: ["state", "terminated", "message"]] == "boom")
                // Unchanged conditions keep their transition time across later status updates.
                #expect(condition(failed, "Ready")["lastTransitionTime"] == .string(t10))
                #expect(condition(failed, "Initialized")["lastTransitionTime"] == .string(t0))
                #expect(condition(failed, "PodScheduled")["lastTransitionTime"] == .string(t0))
            }
        }
    }

    @Test func defaultScriptSucceedsAtOnce() async throws {
        try await withClient { _, client in
            let config = NodeAgentConfiguration(nodeName: "sim-node", mode: .simulated, clock: ManualClock())
            try await withNodeAgent(config, client: client) { _ in
                for i in 0..<20 {
                    _ = try await client.create(shellPod("quick-\(i)", node: "sim-node", containers: [("main", "unused")]), .pod)
                }
                for i in 0..<20 { try await waitForPhase(client, "quick-\(i)", "Succeeded") }
            }
        }
    }

    @Test func podsOfAnEarlierAgentRunAreReportedLost() async throws {
        let clock = ManualClock()
        try await withClient { _, client in
            let config = NodeAgentConfiguration(nodeName: "sim-node", mode: .simulated, heartbeatInterval: .seconds(3600), clock: clock)
            try await withNodeAgent(config, client: client) { _ in
                let pod = shellPod("long", node: "sim-node", containers: [("main", "unused")]) { pod in
                    pod[path: ["metadata", "annotations"]] = ["ferry.dev/simulate-duration-seconds": "600"]
                }
                _ = try await client.create(pod, .pod)
                try await waitForPhase(client, "long", "Running")
            }
            // A new agent cannot know those containers: it fails the pod like a kubelet that lost them.
            try await withNodeAgent(config, client: client) { _ in
                let failed = try await waitForPhase(client, "long", "Failed")
                let main = containerStatus(failed, "main")
                #expect(main[path: ["state", "terminated", "reason"]] == "ContainerStatusUnknown")
                #expect(main[path: ["state", "terminated", "exitCode"]] == 137)
            }
        }
    }
}
