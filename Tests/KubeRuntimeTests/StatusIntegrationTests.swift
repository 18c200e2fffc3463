/// Status updates with conflict retry and conditions, on a CRD with a status subresource.
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import KubeTestSupport
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(1))) struct StatusIntegrationTests {
    static let gadget = ResourceType(group: "runtime.ferry.dev", version: "v1", kind: "Gadget", plural: "gadgets", namespaced: true)
    static let crd: JSONValue = [
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": ["name": "gadgets.runtime.ferry.dev"],
        "spec": [
            "group": "runtime.ferry.dev", "scope": "Namespaced",
            "names": ["plural": "gadgets", "singular": "gadget", "kind": "Gadget", "listKind": "GadgetList"],
            "versions": [[
                "name": "v1", "served": true, "storage": true, "subresources": ["status": .emptyObject],
                "schema": ["openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]],
            ]],
        ],
    ]

    @Test func statusUpdateRetriesOnConflictAndKeepsTransitionTimes() async throws {
        try await withClient(runtimeServer) { _, client in
            _ = try await client.create(Self.crd, .customResourceDefinition)
            try await waitUntil(timeout: .seconds(10)) {
                do throws(KubeClientError) {
                    _ = try await client.list(Self.gadget, namespace: "default")
                    return true
                } catch where error.isNotFound {
                    return false
                }
            }
            _ = try await client.create(["apiVersion": "runtime.ferry.dev/v1", "kind": "Gadget", "metadata": ["name": "g", "namespace": "default"], "spec": ["size": 1]], Self.gadget)
            let attempts = Mutex(0)
            let t0 = Date(timeIntervalSince1970: 1_700_000_000)
            let updated = try await StatusUpdater.update(client: client, resource: Self.gadget, name: "g", namespace: "default") { obj in
                let n = attempts.withLock { $0 += 1; return $0 }
                if n == 1 {
                    // Someone else writes the status between our read and our write: our PUT gets 409.
                    var other = obj
                    other["status"] = ["phase": "Other"]
                    _ = try await client.updateStatus(other, Self.gadget)
                }
                return try Conditions.set(in: &obj, Condition(type: "Ready", status: .true, reason: "Reconciled"), now: t0)
            }
            #expect(attempts.withLock { $0 } == 2, "the conflict must cause exactly one retry")
            #expect(updated["status"]["phase"] == "Other", "the retry re-read the object")
            let condition = try #require(updated["status"]["conditions"].arrayValue?.first)
            #expect(condition["observedGeneration"] == 1)
            #expect(condition["lastTransitionTime"] == .string(KubeTime.format(t0)))
            // Unchanged condition: no write at all.
            let again = try await StatusUpdater.update(client: client, resource: Self.gadget, name: "g", namespace: "default") { obj in
                try Conditions.set(in: &obj, Condition(type: "Ready", status: .true, reason: "Reconciled"), now: t0.addingTimeInterval(60))
            }
            #expect(again.resourceVersion == updated.resourceVersion)
        }
    }
}
