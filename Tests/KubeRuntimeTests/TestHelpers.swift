/// Helpers for runtime tests: polling without sleeping as synchronisation, object builders.
import KubeCore
import KubeTestSupport

/// Polls `condition` until true (20 ms steps) or fails after `timeout`.
/// Generous: the bound only matters when something is wrong, and the suite shares two cores.
func poll(timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
    try await waitUntil(timeout: timeout, condition)
}

/// A ConfigMap-shaped object for pure tests.
func object(_ name: String, namespace: String? = "default", rv: String = "1", labels: [String: String] = [:], owners: [JSONValue] = []) -> JSONValue {
    var meta: JSONValue = ["name": .string(name), "resourceVersion": .string(rv), "uid": .string("uid-\(name)")]
    if let namespace { meta["namespace"] = .string(namespace) }
    if !labels.isEmpty { meta["labels"] = JSONValue(stringMap: labels) }
    if !owners.isEmpty { meta["ownerReferences"] = .array(owners) }
    return ["apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": ["k": .string(rv)]]
}
