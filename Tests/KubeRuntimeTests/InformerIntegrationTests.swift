/// Informers against the embedded API server: the cache converges to the server's state,
/// including after forced 410s, dropped watches, 5xx and 429 faults.
import KubeTestSupport
import KubeAPIServer
import KubeClient
import KubeCore
import KubeRuntime
import Testing

@Suite(.timeLimit(.minutes(1))) struct InformerIntegrationTests {
    @Test func cacheEqualsServerStateAfterChanges() async throws {
        try await withClient(runtimeServer) { server, client in
            for i in 0..<25 { _ = try await client.create(configMap("cm-\(i)", labels: ["ferry.dev/connection": i % 2 == 0 ? "even" : "odd"]), .configMap) }
            let informer = Informer(
                client: client, resource: .configMap, namespace: "default", configuration: .init(pageSize: 7),
                indexers: ["connection": Indexers.byLabel("ferry.dev/connection")])
            try await whileRunning({ await informer.run() }) {
                await informer.store.waitUntilSynced()
                #expect(informer.store.count == 25, "paginated initial list")
                for i in 0..<5 { _ = try await client.delete(.configMap, name: "cm-\(i)", namespace: "default") }
                for i in 5..<15 {
                    var cm = try await client.get(.configMap, name: "cm-\(i)", namespace: "default")
                    cm["data"]["value"] = "v1"
                    _ = try await client.update(cm, .configMap)
                }
                for i in 25..<30 { _ = try await client.create(configMap("cm-\(i)"), .configMap) }
                try await poll {
                    let server = try await client.listAll(.configMap, namespace: "default").items
                    return versions(informer.store.list()) == versions(server)
                }
                #expect(informer.store.byIndex("connection", "even").count == 10)  // 0..<25 even, minus 0, 2, 4
            }
        }
    }

    @Test func relistsAfterForcedGoneAndDroppedWatchesAndServerErrors() async throws {
        try await withClient(runtimeServer) { server, client in
            for i in 0..<10 { _ = try await client.create(configMap("cm-\(i)"), .configMap) }
            let informer = Informer(
                client: client, resource: .configMap, namespace: "default",
                configuration: .init(initialBackoff: .milliseconds(20), maxBackoff: .milliseconds(200)))
            try await whileRunning({ await informer.run() }) {
                await informer.store.waitUntilSynced()
                // The next watch starts are answered 410: the informer must relist, not resume.
                server.faults.set(FaultPlan(forcedWatchExpirations: 2))
                server.faults.dropWatches()
                _ = try await client.create(configMap("after-410"), .configMap)
                _ = try await client.delete(.configMap, name: "cm-0", namespace: "default")
                // Each forced 410 must cause a relist (initial list + 2).
                try await poll { informer.store.listCount >= 3 }
                try await poll {
                    let server = try await client.listAll(.configMap, namespace: "default").items
                    return versions(informer.store.list()) == versions(server)
                }
                // Errors and throttling while objects change; the client retries some, the watcher backs off.
                server.faults.set(FaultPlan(errorRate: 0.3, throttleRate: 0.2, retryAfterSeconds: 0, seed: 7))
                server.faults.dropWatches()
                var changed = 0
                for i in 1..<10 {
                    do {
                        var cm = try await client.get(.configMap, name: "cm-\(i)", namespace: "default")
                        cm["data"]["value"] = "faulty"
                        _ = try await client.update(cm, .configMap)
                        changed += 1
                    } catch {
                        // Non-idempotent writes are not retried by the client; some fail under faults.
                    }
                }
                server.faults.dropWatches()
                server.faults.clear()
                try await poll(timeout: .seconds(10)) {
                    let server = try await client.listAll(.configMap, namespace: "default").items
                    return versions(informer.store.list()) == versions(server)
                }
            }
        }
    }
}
