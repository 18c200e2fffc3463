/// The finalizer helper and status updates against the embedded API server.
import KubeTestSupport
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeRuntime
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(1))) struct FinalizerIntegrationTests {
    let ours = "ferry.dev/cleanup"

    @Test func addsCleansUpAndRemovesOnlyItsOwnFinalizer() async throws {
        try await withClient(runtimeServer) { _, client in
            var cm = configMap("guarded")
            cm["metadata"]["finalizers"] = ["other.io/keep"]
            var obj = try await client.create(cm, .configMap)
            let before = obj
            let events = Mutex<[String]>([])
            let reconcile: (FinalizerEvent) async throws -> ReconcileAction = { event in
                switch event {
                case .apply: events.withLock { $0.append("apply") }
                case .cleanup: events.withLock { $0.append("cleanup") }
                }
                return .done
            }
            // 1. Missing: added after the other finalizer.
            _ = try await withFinalizer(client: client, resource: .configMap, finalizer: ours, object: obj, reconcile: reconcile)
            obj = try await client.get(.configMap, name: "guarded", namespace: "default")
            #expect(obj.finalizers == ["other.io/keep", ours])
            // A stale copy cannot add twice: the resourceVersion test fails.
            await #expect(throws: KubeClientError.self) {
                _ = try await withFinalizer(client: client, resource: .configMap, finalizer: ours, object: before, reconcile: reconcile)
            }
            #expect(try await client.get(.configMap, name: "guarded", namespace: "default").finalizers == ["other.io/keep", ours])
            // 2. Present and live: apply.
            _ = try await withFinalizer(client: client, resource: .configMap, finalizer: ours, object: obj, reconcile: reconcile)
            // 3. Deleting: cleanup, then only ours is removed.
            _ = try await client.delete(.configMap, name: "guarded", namespace: "default")
            obj = try await client.get(.configMap, name: "guarded", namespace: "default")
            #expect(obj.deletionTimestamp != nil)
            _ = try await withFinalizer(client: client, resource: .configMap, finalizer: ours, object: obj, reconcile: reconcile)
            obj = try await client.get(.configMap, name: "guarded", namespace: "default")
            #expect(obj.finalizers == ["other.io/keep"])
            // 4. Deleting without ours: nothing.
            _ = try await withFinalizer(client: client, resource: .configMap, finalizer: ours, object: obj, reconcile: reconcile)
            #expect(events.withLock { $0 } == ["apply", "cleanup"])
        }
    }
}
