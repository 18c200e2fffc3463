/// A pod's status report that fails is retried with backoff until the API server takes it,
/// as the kubelet's status manager does; the agent once gave up after five attempts and
/// left a finished pod Running for good.
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeTestSupport
import Testing
@testable import FerryLocalRuntime

@Suite struct StatusRetryTests {
    @Test func aFinishedPodIsReportedOnceTheServerRecovers() async throws {
        let directory = "\(NSTemporaryDirectory())ferry-status-retry-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let finish = "\(directory)/finish"
        try await withClient { server, client in
            try await withObserver(server) { test in
                let log = AgentLog()
                // No heartbeat during the test: the only requests of the agent's that fail are status reports.
                let config = NodeAgentConfiguration(nodeName: "node-a", heartbeatInterval: .seconds(3600))
                try await withNodeAgent(config, client: client, log: log) { _ in
                    try await waitForNodeReady(test, "node-a")
                    let script = "while [ ! -e '\(finish)' ]; do sleep 0.05; done"
                    _ = try await test.create(shellPod("reporter", containers: [("main", script)]), .pod)
                    try await waitForPhase(test, "reporter", "Running", timeout: .seconds(60))

                    server.faults.set(FaultPlan(errorRate: 1, errorCode: 500, spareUserAgentPrefixes: [observerUserAgent]))
                    #expect(FileManager.default.createFile(atPath: finish, contents: nil))
                    // More attempts than the five the agent used to make, backing off from 200 ms.
                    try await step("six failed status reports") { log.entries(Self.statusFailed, pod: "default/reporter").count >= 6 }
                    let failures = log.entries(Self.statusFailed, pod: "default/reporter").map(\.at)
                    let gaps = zip(failures, failures.dropFirst()).map { $0.duration(to: $1) }
                    for (gap, backoff) in zip(gaps, [200, 400, 800, 1600, 3200]) {
                        #expect(gap >= .milliseconds(backoff), "retries \(gaps) do not back off from 200 ms")
                    }
                    #expect(phase(try await getPod(test, "reporter")) == "Running")

                    server.faults.clear()
                    let done = try await waitForPhase(test, "reporter", "Succeeded", timeout: .seconds(60))
                    #expect(containerStatus(done, "main")[path: ["state", "terminated", "exitCode"]] == 0)
                }
            }
        }
    }

    static let statusFailed = "reporting pod status failed, retrying"
}
