/// Found by the chaos suite (docs/chaos.md): a pod whose `pods/binding` got a 5xx stayed
/// unbound and Pending for good, holding its WorkerPool slot; the agent now retries the
/// binding as the scheduler requeues a pod.
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeTestSupport
import Testing
@testable import FerryLocalRuntime

/// Not part of the test command yet: it passes alone on a development machine, but on a
/// fresh clone (alone, and beside the parallel suite) the agent sometimes made no request
/// at all for 60 s after the faults were set — not yet understood, see the note on issue
/// #10. Run it with `FERRY_TEST_ISOLATED=1 scripts/test.sh --filter BindingRetryTests`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["FERRY_TEST_ISOLATED"] == "1")) struct BindingRetryTests {
    @Test func aPodWhoseBindingFailedIsBoundOnceTheServerRecovers() async throws {
        try await withClient { server, client in
            // The test's own requests get no faults; the agent's (User-Agent "ferry") do.
            var spared = try ClientConfiguration(kubeconfig: Kubeconfig.parse(server.kubeconfigYAML()))
            spared.qps = 0
            spared.userAgent = "binding-retry-test"
            let test = try KubernetesClient(configuration: spared)
            defer { Task { try? await test.shutdown() } }

            let config = NodeAgentConfiguration(nodeName: "node-a", scheduleUnassigned: true)
            try await withNodeAgent(config, client: client) { _ in
                try await step("node-a registered") { (try? await test.get(.node, name: "node-a")) != nil }
                server.faults.set(FaultPlan(errorRate: 1, errorCode: 500, spareUserAgentPrefixes: ["binding-retry-test"]))
                _ = try await test.create(shellPod("unbound", node: nil, containers: [("main", "true")]), .pod)
                // The first binding and its first retry fail.
                try await step("two injected 500s") { (server.faults.counts().errors[500] ?? 0) >= 2 }
                #expect(try await getPod(test, "unbound")[path: ["spec", "nodeName"]].stringValue == nil)

                server.faults.clear()
                let done = try await waitForPhase(test, "unbound", "Succeeded")
                #expect(done[path: ["spec", "nodeName"]] == "node-a")
            }
        }
    }

    func step(_ label: String, _ condition: () async throws -> Bool) async throws {
        do { try await waitUntil(timeout: .seconds(60), condition) } catch { throw FixtureError(description: "\(label): \(error)") }
    }
}
