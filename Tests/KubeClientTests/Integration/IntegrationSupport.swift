/// Integration fixtures: a client connected to a freshly started embedded API server over
/// real HTTPS, and a CRD with status and scale subresources.
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeTestSupport

enum Fixtures {
    static let widget = ResourceType(group: "test.ferry.dev", version: "v1", kind: "Widget", plural: "widgets", namespaced: true)

    static let widgetCRD: JSONValue = [
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": ["name": "widgets.test.ferry.dev"],
        "spec": [
            "group": "test.ferry.dev",
            "scope": "Namespaced",
            "names": ["plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"],
            "versions": [[
                "name": "v1", "served": true, "storage": true,
                "subresources": [
                    "status": .emptyObject,
                    "scale": ["specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas", "labelSelectorPath": ".status.selector"],
                ],
                "schema": [
                    "openAPIV3Schema": [
                        "type": "object",
                        "properties": [
                            "spec": ["type": "object", "properties": ["replicas": ["type": "integer", "minimum": 0], "color": ["type": "string"]]],
                            "status": ["type": "object", "properties": ["replicas": ["type": "integer"], "selector": ["type": "string"], "phase": ["type": "string"]]],
                        ],
                    ]
                ],
            ]],
        ],
    ]

    /// Creates the Widget CRD and waits until its resource is served.
    static func installWidgetCRD(_ client: KubernetesClient) async throws {
        _ = try await client.create(widgetCRD, .customResourceDefinition)
        try await waitUntil(timeout: .seconds(10)) {
            do throws(KubeClientError) {
                _ = try await client.list(widget, namespace: "default")
                return true
            } catch where error.isNotFound {
                return false
            }
        }
    }

    static func widget(_ name: String, replicas: Int64 = 1, labels: [String: String] = [:]) -> JSONValue {
        var w: JSONValue = ["apiVersion": "test.ferry.dev/v1", "kind": "Widget", "metadata": ["name": .string(name)], "spec": ["replicas": .int(replicas), "color": "red"]]
        if !labels.isEmpty { w[path: ["metadata", "labels"]] = JSONValue(stringMap: labels) }
        return w
    }
}

/// Collects watch events until `count` arrived (or the stream ended).
func collect(_ stream: AsyncThrowingStream<WatchEvent, any Error>, count: Int) async throws -> [WatchEvent] {
    var events: [WatchEvent] = []
    for try await event in stream {
        events.append(event)
        if events.count >= count { break }
    }
    return events
}

struct TestTimeout: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out: \(what)" }
}

/// Runs `body`, failing with `TestTimeout` if it takes longer than `timeout` (a guard against hangs, not a wait).
func withTimeout<T: Sendable>(_ timeout: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw TestTimeout(what: what) }
        return value
    }
}
