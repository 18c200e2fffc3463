/// Integration fixtures: a client on a fresh embedded API server over real HTTPS, and a
/// recorder of reconciles that asserts no key is ever reconciled concurrently.
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeRuntime
import KubeTestSupport
import Synchronization

/// Server settings for runtime tests: frequent bookmarks so watchers advance quickly.
let runtimeServer = APIServerConfiguration(bookmarkInterval: .milliseconds(200))

/// Runs `body` while `work` runs in a child task; cancels `work` afterwards.
func whileRunning<T: Sendable>(_ work: @escaping @Sendable () async -> Void, _ body: () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await work() }
        do {
            let result = try await body()
            group.cancelAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

func configMap(_ name: String, namespace: String = "default", value: String = "v0", labels: [String: String] = [:]) -> JSONValue {
    var meta: JSONValue = ["name": .string(name), "namespace": .string(namespace)]
    if !labels.isEmpty { meta["labels"] = JSONValue(stringMap: labels) }
    return ["apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": ["value": .string(value)]]
}

/// name → resourceVersion of every object, for comparing a cache with the server.
func versions(_ objects: [JSONValue]) -> [String: String] {
    var out: [String: String] = [:]
    for o in objects { out[ObjectKey(o)?.description ?? ""] = o.resourceVersion ?? "" }
    return out
}

/// Records reconciles; flags any key reconciled while already in flight.
final class ReconcileLog: Sendable {
    private struct State {
        var inFlight: Set<ObjectKey> = []
        var violations: [ObjectKey] = []
        var maxParallel = 0
        /// The last resourceVersion each key was reconciled with (nil object → "deleted").
        var seen: [ObjectKey: String] = [:]
        var count = 0
    }
    private let state = Mutex(State())

    func begin(_ key: ObjectKey, _ object: JSONValue?) {
        state.withLock { s in
            if !s.inFlight.insert(key).inserted { s.violations.append(key) }
            s.maxParallel = max(s.maxParallel, s.inFlight.count)
            s.seen[key] = object?.resourceVersion ?? "deleted"
            s.count += 1
        }
    }

    func end(_ key: ObjectKey) { _ = state.withLock { $0.inFlight.remove(key) } }

    var violations: [ObjectKey] { state.withLock { $0.violations } }
    var maxParallel: Int { state.withLock { $0.maxParallel } }
    var seen: [ObjectKey: String] { state.withLock { $0.seen } }
    var count: Int { state.withLock { $0.count } }
}
