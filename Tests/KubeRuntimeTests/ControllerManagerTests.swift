/// The controller manager end to end: informers, a controller under leader election, the
/// health/metrics endpoints over HTTP, and graceful shutdown through ServiceLifecycle.
import AsyncHTTPClient
import KubeAPIServer
import KubeClient
import KubeCore
import KubeRuntime
import KubeTestSupport
import Logging
import ServiceLifecycle
import Testing

@Suite(.timeLimit(.minutes(1))) struct ControllerManagerTests {
    func get(_ http: HTTPClient, _ url: String) async throws -> (Int, String) {
        let response = try await http.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    @Test func runsControllersWhileLeadingServesHealthAndShutsDownGracefully() async throws {
        try await withClient(runtimeServer) { _, client in
            _ = try await client.create(configMap("one"), .configMap)
            let log = ReconcileLog()
            let manager = ControllerManager(
                client: client,
                options: .init(
                    leaderElection: LeaderElectionConfiguration(
                        leaseName: "ferry", namespace: "default", identity: "manager-1", leaseDuration: .seconds(10), renewDeadline: .seconds(8),
                        retryPeriod: .milliseconds(200)),
                    healthPort: 0))
            manager.controller(name: "cms", for: .configMap, namespace: "default") { key, object in
                log.begin(key, object)
                defer { log.end(key) }
                if let object { manager.events.record(object, type: .normal, reason: "Seen", message: "reconciled") }
                return .done
            }
            let group = ServiceGroup(configuration: .init(services: [manager], logger: Logger(label: "test")))
            let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
            do {
                try await exercise(manager, group, http, client, log)
            } catch {
                try? await http.shutdown()
                throw error
            }
            try await http.shutdown()
            let lease = try await client.get(.lease, name: "ferry", namespace: "default")
            #expect(lease["spec"]["holderIdentity"] == .null, "graceful shutdown releases the lease")
            #expect(log.violations.isEmpty)
        }
    }

    func exercise(_ manager: ControllerManager, _ group: ServiceGroup, _ http: HTTPClient, _ client: KubernetesClient, _ log: ReconcileLog) async throws {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                try await poll { log.seen[ObjectKey(namespace: "default", name: "one")] != nil }
                #expect(manager.isLeader)
                let health = try #require(manager.healthServer)
                await health.waitUntilListening()
                let base = "http://127.0.0.1:\(health.port ?? 0)"
                #expect(try await get(http, base + "/healthz") == (200, "ok"))
                #expect(try await get(http, base + "/readyz") == (200, "ok"))
                let (code, metrics) = try await get(http, base + "/metrics")
                #expect(code == 200)
                #expect(metrics.contains("controller_runtime_reconcile_total{controller=\"cms\",result=\"success\"}"))
                #expect(metrics.contains("workqueue_adds_total{name=\"cms\"}"))
                #expect(metrics.contains("leader_election_master_status{name=\"ferry\"} 1"))
                #expect(try await get(http, base + "/nope").0 == 404)
                // Repeated events about one object aggregate into one Event with a count.
                _ = try await client.create(configMap("two"), .configMap)
                try await poll { log.seen[ObjectKey(namespace: "default", name: "two")] != nil }
                try await poll {
                    let events = try await client.list(.event, namespace: "default").items
                    return events.contains { $0["involvedObject"]["name"] == "one" && $0["reason"] == "Seen" }
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
    }

    /// `ferry operator` runs before any controller is registered; it must still hold the
    /// lease (renewing it) until shutdown rather than release it at once.
    @Test func holdsLeadershipWithNoControllersUntilShutdown() async throws {
        try await withClient(runtimeServer) { _, client in
            let manager = ControllerManager(
                client: client,
                options: .init(
                    leaderElection: LeaderElectionConfiguration(
                        leaseName: "empty", namespace: "default", identity: "manager-empty", leaseDuration: .seconds(10), renewDeadline: .seconds(8),
                        retryPeriod: .milliseconds(200)),
                    healthHost: nil))
            let group = ServiceGroup(configuration: .init(services: [manager], logger: Logger(label: "test")))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                var firstRenew: JSONValue = .null
                // Generous: the whole suite shares two cores; what matters is that a renewal happens.
                try await poll(timeout: .seconds(20)) {
                    guard let lease = try? await client.get(.lease, name: "empty", namespace: "default"),
                        lease["spec"]["holderIdentity"] == "manager-empty"
                    else { return false }
                    if firstRenew == .null { firstRenew = lease["spec"]["renewTime"] }
                    // Renewed at least once since we first saw it held: leadership was kept.
                    return lease["spec"]["renewTime"] != firstRenew
                }
                #expect(manager.isLeader)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            let lease = try await client.get(.lease, name: "empty", namespace: "default")
            #expect(lease["spec"]["holderIdentity"] == .null)
        }
    }

    @Test func eventRecorderAggregatesRepeatsAndNeverBlocks() async throws {
        try await withClient(runtimeServer) { _, client in
            let obj = try await client.create(configMap("subject"), .configMap)
            let recorder = EventRecorder(client: client, component: "ferry-test", bufferSize: 4)
            // Nothing drains yet: the 5th and later are dropped, counted, and record() returns at once.
            for _ in 0..<6 { recorder.record(obj, type: .warning, reason: "Failed", message: "boom") }
            #expect(recorder.droppedCount == 2)
            try await whileRunning({ await recorder.run() }) {
                try await poll {
                    let events = try await client.list(.event, namespace: "default").items.filter { $0["involvedObject"]["name"] == "subject" }
                    return events.count == 1 && events[0]["count"] == 4
                }
                recorder.record(obj, type: .warning, reason: "Failed", message: "different")
                try await poll {
                    try await client.list(.event, namespace: "default").items.filter { $0["involvedObject"]["name"] == "subject" }.count == 2
                }
            }
        }
    }
}
