/// An agent started while the API server fails its requests keeps trying to register its
/// Node, as the kubelet does, instead of ending at the first error; once the server
/// answers, the Node registers and pods run.
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeTestSupport
import Testing
@testable import FerryLocalRuntime

@Suite struct RegistrationRetryTests {
    @Test func theNodeRegistersOnceTheServerAnswers() async throws {
        try await withClient { server, client in
            try await withObserver(server) { test in
                // Every request of the agent's fails from its first one.
                server.faults.set(FaultPlan(errorRate: 1, errorCode: 503, spareUserAgentPrefixes: [observerUserAgent]))
                let log = AgentLog()
                let config = NodeAgentConfiguration(nodeName: "node-a", heartbeatInterval: .seconds(3600))
                try await withNodeAgent(config, client: client, log: log) { _ in
                    try await step("three failed registrations") { log.entries(Self.registrationFailed).count >= 3 }
                    let attempts = log.entries(Self.registrationFailed)
                    #expect(attempts.allSatisfy { $0.level == .warning })
                    // One warning per attempt, backing off from 100 ms.
                    #expect(attempts.map { $0.metadata["attempt"] }.prefix(3) == ["1", "2", "3"])
                    #expect(attempts[0].at.duration(to: attempts[2].at) >= .milliseconds(100 + 200))
                    #expect((try? await test.get(.node, name: "node-a")) == nil)
                    #expect(injectedErrors(server, 503) >= 3)

                    server.faults.clear()
                    try await waitForNodeReady(test, "node-a")
                    _ = try await test.create(shellPod("after-outage", containers: [("main", "true")]), .pod)
                    try await waitForPhase(test, "after-outage", "Succeeded", timeout: .seconds(60))
                }
            }
        }
    }

    @Test func anAgentStoppedBeforeItRegisteredEndsCleanly() async throws {
        try await withClient { server, client in
            server.faults.set(FaultPlan(errorRate: 1, errorCode: 500, spareUserAgentPrefixes: [observerUserAgent]))
            let log = AgentLog()
            let config = NodeAgentConfiguration(nodeName: "node-a")
            // withNodeAgent cancels the agent after the body and rethrows what `run` threw.
            try await withNodeAgent(config, client: client, log: log) { _ in
                try await step("a failed registration") { !log.entries(Self.registrationFailed).isEmpty }
            }
            server.faults.clear()
        }
    }

    static let registrationFailed = "registering node failed, retrying"
}
