/// Client ↔ embedded server over HTTPS: get/list/create/update/patch/delete, typed and dynamic.
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeTestSupport
import Testing

@Suite struct CRUDIntegrationTests {
    @Test func createGetUpdateConflict() async throws {
        try await withClient { _, client in
            let api = Api<ConfigMap>(client, namespace: "default")
            let created = try await api.create(ConfigMap(metadata: ObjectMeta(name: "settings", labels: ["app": "a"]), data: ["k": "v1"]))
            #expect(created.metadata.uid != nil)
            #expect(created.metadata.namespace == "default")
            let stale = created

            var fresh = try await api.get("settings")
            #expect(fresh.data == ["k": "v1"])
            fresh.data = ["k": "v2"]
            let updated = try await api.update(fresh)
            #expect(updated.data == ["k": "v2"])
            #expect(updated.metadata.resourceVersion != created.metadata.resourceVersion)

            var conflicting = stale
            conflicting.data = ["k": "lost"]
            do throws(KubeClientError) {
                _ = try await api.update(conflicting)
                Issue.record("a stale resourceVersion must conflict")
            } catch {
                #expect(error.isConflict, "\(error)")
                #expect(error.apiError?.code == 409)
            }
            do throws(KubeClientError) {
                _ = try await api.create(ConfigMap(metadata: ObjectMeta(name: "settings")))
                Issue.record("a duplicate create must fail")
            } catch {
                #expect(error.isAlreadyExists, "\(error)")
            }
            do throws(KubeClientError) {
                _ = try await api.get("missing")
                Issue.record("expected NotFound")
            } catch {
                #expect(error.isNotFound)
                #expect(error.apiError?.message.contains("missing") == true, "\(error)")
            }
            let missing = try await api.getOpt("missing")
            #expect(missing == nil)
        }
    }

    @Test func invalidObjectCarriesFieldCauses() async throws {
        try await withClient { _, client in
            try await Fixtures.installWidgetCRD(client)
            do throws(KubeClientError) {
                _ = try await client.create(Fixtures.widget("bad", replicas: -1), Fixtures.widget, namespace: "default")
                Issue.record("a schema violation must be rejected")
            } catch {
                #expect(error.isInvalid, "\(error)")
                #expect(error.apiError?.causes.contains { ($0.field ?? "").contains("spec.replicas") } == true, "\(error)")
            }
        }
    }

    @Test func listWithSelectorsAndPagination() async throws {
        try await withClient { _, client in
            for i in 0..<7 {
                let cm: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string("cm-\(i)"), "labels": ["tier": i % 2 == 0 ? "even" : "odd"]]]
                _ = try await client.create(cm, .configMap, namespace: "default")
            }
            let even = try await client.list(.configMap, namespace: "default", options: ListOptions(labelSelector: "tier=even"))
            #expect(Set(even.items.compactMap(\.name)) == ["cm-0", "cm-2", "cm-4", "cm-6"])
            #expect(even.items.allSatisfy { $0.kind == "ConfigMap" && $0.apiVersion == "v1" })
            let notEven = try await client.list(.configMap, namespace: "default", options: ListOptions(labelSelector: "tier!=even,tier"))
            #expect(notEven.items.count == 3)
            let byName = try await client.list(.configMap, namespace: "default", options: ListOptions(fieldSelector: "metadata.name=cm-3"))
            #expect(byName.items.compactMap(\.name) == ["cm-3"])

            let page1 = try await client.list(.configMap, namespace: "default", options: ListOptions(labelSelector: "tier", limit: 3))
            #expect(page1.items.count == 3)
            let token = try #require(page1.metadata.continue)
            let page2 = try await client.list(.configMap, namespace: "default", options: ListOptions(labelSelector: "tier", limit: 3, continueToken: token))
            #expect(page2.items.count == 3)
            #expect(Set(page1.items.compactMap(\.name)).isDisjoint(with: page2.items.compactMap(\.name)))

            let all = try await client.listAll(.configMap, namespace: "default", options: ListOptions(labelSelector: "tier", limit: 2))
            #expect(Set(all.items.compactMap(\.name)) == Set((0..<7).map { "cm-\($0)" }))
            #expect(all.metadata.resourceVersion != nil)

            let typed = try await Api<ConfigMap>(client).listAll(ListOptions(labelSelector: "tier=odd"))
            #expect(typed.items.count == 3, "all namespaces")
        }
    }

    @Test func patchEveryType() async throws {
        try await withClient { _, client in
            let api = Api<ConfigMap>(client, namespace: "default")
            _ = try await api.create(ConfigMap(metadata: ObjectMeta(name: "p", labels: ["a": "1"]), data: ["x": "1", "y": "2"]))

            let merged = try await api.patch("p", patch: ["data": ["x": nil, "z": "3"]], type: .merge)
            #expect(merged.data == ["y": "2", "z": "3"])

            let rv = try #require(merged.metadata.resourceVersion)
            let jsonPatched = try await api.patch(
                "p", patch: [["op": "test", "path": "/metadata/resourceVersion", "value": .string(rv)], ["op": "add", "path": "/data/w", "value": "4"]], type: .json)
            #expect(jsonPatched.data?["w"] == "4")
            do throws(KubeClientError) {
                _ = try await api.patch("p", patch: [["op": "test", "path": "/metadata/resourceVersion", "value": .string(rv)]], type: .json)
                Issue.record("a failed test op must reject the patch")
            } catch {
                #expect(error.apiError != nil, "\(error)")
            }

            let strategic = try await api.patch("p", patch: ["metadata": ["labels": ["b": "2"]]], type: .strategicMerge)
            #expect(strategic.metadata.labels == ["a": "1", "b": "2"])

            let applied = try await api.apply(ConfigMap(metadata: ObjectMeta(name: "p"), data: ["applied": "yes"]), fieldManager: "ferry-test", force: true)
            #expect(applied.data?["applied"] == "yes")
            let created = try await api.apply(ConfigMap(metadata: ObjectMeta(name: "new-by-apply"), data: ["k": "v"]), fieldManager: "ferry-test")
            #expect(created.metadata.uid != nil, "apply creates a missing object")
            do throws(KubeClientError) {
                _ = try await client.patch(.configMap, name: "p", namespace: "default", patch: ["data": .emptyObject], type: .apply)
                Issue.record("apply without a field manager must be refused")
            } catch {
                guard case .configuration = error else { Issue.record("expected a configuration error, got \(error)"); return }
            }
        }
    }

    @Test func strategicMergeOnCustomResourceIs415() async throws {
        try await withClient { _, client in
            try await Fixtures.installWidgetCRD(client)
            _ = try await client.create(Fixtures.widget("w"), Fixtures.widget, namespace: "default")
            do throws(KubeClientError) {
                _ = try await client.patch(Fixtures.widget, name: "w", namespace: "default", patch: ["spec": ["color": "blue"]], type: .strategicMerge)
                Issue.record("strategic merge patch is not supported for custom resources")
            } catch {
                #expect(error.apiError?.code == 415, "\(error)")
            }
        }
    }

    @Test func deleteWithPreconditionsFinalizersAndPropagation() async throws {
        try await withClient { _, client in
            let api = Api<ConfigMap>(client, namespace: "default")
            let cm = try await api.create(ConfigMap(metadata: ObjectMeta(name: "guarded")))
            do throws(KubeClientError) {
                _ = try await api.delete("guarded", options: DeleteOptions(preconditionUID: "not-the-uid"))
                Issue.record("a wrong uid precondition must conflict")
            } catch {
                #expect(error.isConflict, "\(error)")
            }
            do throws(KubeClientError) {
                _ = try await api.delete("guarded", options: DeleteOptions(preconditionResourceVersion: "1"))
                Issue.record("a wrong resourceVersion precondition must conflict")
            } catch {
                #expect(error.isConflict, "\(error)")
            }
            let outcome = try await api.delete("guarded", options: DeleteOptions(preconditionUID: cm.metadata.uid, preconditionResourceVersion: cm.metadata.resourceVersion))
            switch outcome {
            case .deleted(let status): #expect(status.status == "Success")
            case .deletedObject(let object): #expect(object.name == "guarded")
            case .pending(let object): Issue.record("nothing holds the object, yet it is pending: \(object)")
            }
            let guardedAfter = try await api.getOpt("guarded")
            #expect(guardedAfter == nil)

            var held = ConfigMap(metadata: ObjectMeta(name: "held"))
            held.metadata.finalizers = ["test.ferry.dev/hold"]
            _ = try await api.create(held)
            guard case .pending(let object) = try await api.delete("held") else { Issue.record("a finalizer must keep the object"); return }
            #expect(object.deletionTimestamp != nil)
            _ = try await api.patch("held", patch: ["metadata": ["finalizers": nil]], type: .merge)
            try await waitUntil(timeout: .seconds(5)) { try await api.getOpt("held") == nil }

            // Background propagation: the garbage collector removes the dependent.
            let owner = try await api.create(ConfigMap(metadata: ObjectMeta(name: "owner")))
            var dependent = ConfigMap(metadata: ObjectMeta(name: "dependent"))
            dependent.metadata.ownerReferences = [OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner.metadata.uid ?? "")]
            _ = try await api.create(dependent)
            _ = try await api.delete("owner", options: DeleteOptions(propagationPolicy: .background))
            try await waitUntil(timeout: .seconds(10)) { try await api.getOpt("dependent") == nil }

            // Orphan propagation keeps the dependent and drops its owner reference.
            let owner2 = try await api.create(ConfigMap(metadata: ObjectMeta(name: "owner2")))
            var orphan = ConfigMap(metadata: ObjectMeta(name: "orphan"))
            orphan.metadata.ownerReferences = [OwnerReference(apiVersion: "v1", kind: "ConfigMap", name: "owner2", uid: owner2.metadata.uid ?? "")]
            _ = try await api.create(orphan)
            _ = try await api.delete("owner2", options: DeleteOptions(propagationPolicy: .orphan))
            try await waitUntil(timeout: .seconds(10)) { try await api.getOpt("owner2") == nil }
            let orphanAfter = try await api.get("orphan")
            #expect(orphanAfter.metadata.ownerReferences ?? [] == [])

            for i in 0..<3 { _ = try await api.create(ConfigMap(metadata: ObjectMeta(name: "bulk-\(i)", labels: ["bulk": "yes"]))) }
            _ = try await api.deleteCollection(ListOptions(labelSelector: "bulk=yes"))
            try await waitUntil(timeout: .seconds(5)) { try await api.list(ListOptions(labelSelector: "bulk=yes")).items.isEmpty }
            let survivor = try await api.get("orphan")
            #expect(survivor.metadata.name == "orphan", "deleteCollection honours the selector")
        }
    }

    @Test func statusAndScaleSubresources() async throws {
        try await withClient { _, client in
            try await Fixtures.installWidgetCRD(client)
            let w = Fixtures.widget
            let created = try await client.create(Fixtures.widget("w", replicas: 2), w, namespace: "default")
            #expect(created.generation == 1)

            var withStatus = created
            withStatus["status"] = ["replicas": 2, "selector": "app=w", "phase": "Ready"]
            withStatus[path: ["spec", "color"]] = "ignored-by-status"
            let afterStatus = try await client.updateStatus(withStatus, w, namespace: "default")
            #expect(afterStatus[path: ["status", "phase"]] == "Ready")
            #expect(afterStatus[path: ["spec", "color"]] == "red", "/status ignores spec changes")
            #expect(afterStatus.generation == 1, "status writes do not bump generation")

            let patched = try await client.patchStatus(w, name: "w", namespace: "default", patch: ["status": ["phase": "Degraded"]])
            #expect(patched[path: ["status", "phase"]] == "Degraded")
            let statusObject = try await client.getStatus(w, name: "w", namespace: "default")
            #expect(statusObject[path: ["status", "phase"]] == "Degraded")

            let scale = try await client.getScale(w, name: "w", namespace: "default")
            #expect(scale.kind == "Scale")
            #expect(scale[path: ["spec", "replicas"]] == 2)
            #expect(scale[path: ["status", "selector"]] == "app=w")

            var newScale = scale
            newScale[path: ["spec", "replicas"]] = 5
            let updatedScale = try await client.updateScale(newScale, w, name: "w", namespace: "default")
            #expect(updatedScale[path: ["spec", "replicas"]] == 5)
            _ = try await client.patchScale(w, name: "w", namespace: "default", patch: ["spec": ["replicas": 7]])
            let after = try await client.get(w, name: "w", namespace: "default")
            #expect(after[path: ["spec", "replicas"]] == 7)
            #expect(after.generation == 3, "scale writes change spec and bump generation")
        }
    }

    @Test func typedLeaseRoundTrip() async throws {
        try await withClient { _, client in
            let api = Api<Lease>(client, namespace: "default")
            let now = KubeTime.formatMicro(Date())
            let lease = try await api.create(
                Lease(metadata: ObjectMeta(name: "leader"), spec: Lease.Spec(holderIdentity: "pod-a", leaseDurationSeconds: 15, acquireTime: now, renewTime: now, leaseTransitions: 0)))
            #expect(lease.spec?.holderIdentity == "pod-a")
            #expect(lease.spec?.leaseDurationSeconds == 15)
            #expect(lease.spec?.renewTime == now)
            let ns = try await Api<Namespace>(client).get("default")
            #expect(ns.metadata.name == "default")
            let ev = try await Api<Event>(client, namespace: "default").create(
                Event(metadata: ObjectMeta(name: "e1"), involvedObject: ObjectReference(apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: "default", name: "leader"), reason: "Elected", message: "pod-a became leader", type: "Normal"))
            #expect(ev.reason == "Elected")
            let secret = try await Api<Secret>(client, namespace: "default").create(Secret(metadata: ObjectMeta(name: "s"), stringData: ["password": "pw"]))
            #expect(secret.data?["password"] == Data("pw".utf8).base64EncodedString())
        }
    }
}
