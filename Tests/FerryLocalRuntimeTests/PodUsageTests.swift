/// Pod resource usage for metrics.k8s.io: real processes sampled from /proc, simulated
/// pods' scripted usage, and the pure pieces (stat parsing, process trees, windows).
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeRuntime
import KubeTestSupport
import Testing
@testable import FerryLocalRuntime

/// The agent serves metrics.k8s.io for the embedded server, as `ferry dev` wires it.
extension NodeAgent: PodMetricsProvider {}

@Suite struct PodUsageTests {
    @Test func aBusyProcessTreeGetsCPUAndMemoryWithinAWindow() async throws {
        try await withClient { server, client in
            let config = NodeAgentConfiguration(nodeName: "node-a", metricsInterval: .seconds(1))
            try await withNodeAgent(config, client: client) { agent in
                server.setPodMetricsProvider(agent)
                // The busy loop is a child of `timeout`: usage is the container's tree, not its main process.
                _ = try await client.create(shellPod("busy", containers: [("spin", "exec timeout 120 sh -c 'while :; do :; done'")]), .pod)
                try await waitForPhase(client, "busy", "Running")
                var sample: PodUsageSample?
                try await waitUntil(timeout: .seconds(30)) {
                    sample = await agent.podUsage(namespace: "default", name: "busy")
                    return (sample?.containers.first?.cpuNanocores ?? 0) > 0
                }
                let spin = try #require(sample?.containers.first)
                #expect(spin.name == "spin")
                // One single-threaded loop: some CPU, never more than one core (plus a tick of slack).
                #expect(spin.cpuNanocores > 20_000_000 && spin.cpuNanocores <= 1_100_000_000, "\(spin.cpuNanocores)n")
                #expect(spin.memoryBytes > 0 && spin.memoryBytes < 1 << 30, "\(spin.memoryBytes) bytes")
                let window = try #require(sample?.window)
                #expect(window >= .milliseconds(900) && window <= .seconds(10))

                // The same through the API server, as the autoscaler reads it.
                let listed = try await client.listPodMetrics(namespace: "default", labelSelector: nil)
                #expect(listed.map(\.metadata.name) == ["busy"])
                let usage = listed.first?.containers.first?.usage ?? [:]
                #expect(usage["cpu"] != nil && usage["cpu"] != "0" && usage["memory"] != nil && usage["memory"] != "0", "\(usage)")

                _ = try await client.delete(.pod, name: "busy", namespace: "default", options: DeleteOptions(gracePeriodSeconds: 0))
                try await waitUntil(timeout: .seconds(30)) { await agent.podUsage(namespace: "default", name: "busy") == nil }
            }
        }
    }

    @Test func simulatedPodsReportTheirScriptedUsage() async throws {
        try await withClient { server, client in
            let config = NodeAgentConfiguration(nodeName: "sim-node", mode: .simulated, heartbeatInterval: .seconds(3600),
                                                metricsInterval: .seconds(15), clock: ManualClock())
            try await withNodeAgent(config, client: client) { agent in
                server.setPodMetricsProvider(agent)
                let pod = shellPod("worker", node: "sim-node", containers: [("main", "unused"), ("side", "unused")]) { pod in
                    pod[path: ["metadata", "labels"]] = ["app": "worker"]
                    pod[path: ["metadata", "annotations"]] = [
                        "ferry.dev/simulate-duration-seconds": "600",
                        "ferry.dev/simulate-cpu": "250m", "ferry.dev/simulate-memory": "64Mi",
                        "ferry.dev/simulate-cpu.side": "1",
                    ]
                }
                _ = try await client.create(pod, .pod)
                try await waitForPhase(client, "worker", "Running")
                let metrics = try await client.listPodMetrics(namespace: "default", labelSelector: "app=worker")
                let only = try #require(metrics.first)
                #expect(metrics.count == 1 && only.window == "15s")
                #expect(only.containers == [
                    PodMetrics.ContainerMetrics(name: "main", usage: ["cpu": "250m", "memory": "64Mi"]),
                    PodMetrics.ContainerMetrics(name: "side", usage: ["cpu": "1", "memory": "64Mi"]),
                ])
                #expect(await agent.podUsage(namespace: "default", name: "absent") == nil)
            }
        }
    }

    @Test func statLinesParseWithSpacesInTheCommandAndSkipZombies() {
        let line = "4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 50 7 3 20 0 1 0 12345 1000000 321 18446744073709551615"
        let stat = ProcessStat(parsing: line)
        #expect(stat == ProcessStat(pid: 4242, parent: 1, group: 4242, cpuTicks: 310, residentPages: 321))
        #expect(ProcessStat(parsing: line.replacingOccurrences(of: ") S 1", with: ") Z 1")) == nil)
        #expect(ProcessStat(parsing: "garbage") == nil)
    }

    @Test func aContainersTreeIsItsGroupAndEveryDescendant() {
        func p(_ pid: Int32, parent: Int32, group: Int32, ticks: Int64) -> ProcessStat {
            ProcessStat(pid: pid, parent: parent, group: group, cpuTicks: ticks, residentPages: 1)
        }
        let table = [
            p(10, parent: 1, group: 10, ticks: 1), p(11, parent: 10, group: 10, ticks: 2),
            p(12, parent: 11, group: 12, ticks: 4),  // moved to its own group: still a descendant
            p(13, parent: 1, group: 10, ticks: 8),   // reparented to init but still in the group
            p(20, parent: 1, group: 20, ticks: 16),  // another container
        ]
        let usage = ProcessTable.usage(root: 10, in: table)
        #expect(usage?.cpuNanoseconds == 15 * (1_000_000_000 / ProcessTable.ticksPerSecond))
        #expect(usage?.memoryBytes == 4 * ProcessTable.pageSize)
        #expect(ProcessTable.usage(root: 99, in: table) == nil)
    }

    @Test func aWindowNeedsTwoReadingsOfTheSameProcess() {
        let start = ContinuousClock.now
        let wall = Date(timeIntervalSince1970: 1_767_225_600)
        func reading(_ after: Duration, pid: Int32, cpu: Int64) -> PodUsageTracker.Reading {
            PodUsageTracker.Reading(at: start + after, wallTime: wall + after.components.seconds.double,
                                    containers: [(name: "main", point: ContainerUsagePoint(pid: pid, cpuNanoseconds: cpu, memoryBytes: 4096))])
        }
        var tracker = PodUsageTracker()
        tracker.record(["ns/p": reading(.zero, pid: 7, cpu: 1_000_000_000)])
        #expect(tracker.latest.isEmpty)
        tracker.record(["ns/p": reading(.seconds(5), pid: 7, cpu: 3_500_000_000)])
        let sample = tracker.latest["ns/p"]
        #expect(sample?.containers == [PodUsageSample.Container(name: "main", cpuNanocores: 500_000_000, memoryBytes: 4096)])
        #expect(sample?.window == .seconds(5) && sample?.timestamp == wall + 5)
        // A restarted process (new pid) starts over instead of producing a bogus delta.
        tracker.record(["ns/p": reading(.seconds(10), pid: 8, cpu: 0)])
        #expect(tracker.latest["ns/p"] == nil)
        // A pod missing from a round has stopped: its usage goes.
        tracker.record(["ns/p": reading(.seconds(15), pid: 8, cpu: 1_000_000_000)])
        #expect(tracker.latest["ns/p"] != nil)
        tracker.record([:])
        #expect(tracker.latest.isEmpty)
    }
}

private extension Int64 {
    var double: Double { Double(self) }
}
