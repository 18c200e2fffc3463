/// Finalizers, garbage collection (background, foreground, orphan), namespace deletion,
/// persistence across restarts and fault injection.
import Foundation
import KubeAPIServer
import KubeCore
import KubeTestSupport
import Testing

@Suite struct LifecycleTests {
    static let cms = "/api/v1/namespaces/default/configmaps"

    func owned(_ name: String, by owner: JSONValue, block: Bool = false) -> JSONValue {
        var cm = Fixture.configMap(name)
        cm[path: ["metadata", "ownerReferences"]] = [[
            "apiVersion": "v1", "kind": "ConfigMap", "name": .string(owner.name ?? ""), "uid": .string(owner.uid ?? ""),
            "blockOwnerDeletion": .bool(block),
        ]]
        return cm
    }

    @Test func finalizersBlockDeletionUntilRemoved() async throws {
        try await withAPIServer { server in
            let c = try TestHTTPClient(server)
            var cm = Fixture.configMap("f")
            cm[path: ["metadata", "finalizers"]] = ["example.com/hold"]
            _ = try await c.post(Self.cms, cm)
            let deleting = try await c.delete(Self.cms + "/f")
            #expect(deleting.status == 200 && deleting.json.deletionTimestamp != nil)
            #expect(try await c.get(Self.cms + "/f").status == 200)
            let adding = try await c.patch(Self.cms + "/f", ["metadata": ["finalizers": ["example.com/hold", "other"]]])
            #expect(adding.status == 422)
            _ = try await c.patch(Self.cms + "/f", ["metadata": ["finalizers": nil]])
            #expect(try await c.get(Self.cms + "/f").status == 404)
            try await c.close()
        }
    }

    @Test func backgroundForegroundAndOrphanPropagation() async throws {
        try await withAPIServer { server in
            let c = try TestHTTPClient(server)
            // Background: dependents go after the owner.
            let owner = try await c.post(Self.cms, Fixture.configMap("owner")).json
            _ = try await c.post(Self.cms, owned("dep", by: owner))
            _ = try await c.delete(Self.cms + "/owner")
            try await waitUntil(timeout: .seconds(5)) { try await c.get(Self.cms + "/dep").status == 404 }

            // Orphan: dependents stay, without the owner reference.
            let owner2 = try await c.post(Self.cms, Fixture.configMap("owner2")).json
            _ = try await c.post(Self.cms, owned("dep2", by: owner2))
            _ = try await c.delete(Self.cms + "/owner2", ["propagationPolicy": "Orphan"])
            let dep2 = try await c.get(Self.cms + "/dep2")
            #expect(dep2.status == 200 && dep2.json[path: ["metadata", "ownerReferences"]] == .null)

            // Foreground: the owner waits (with foregroundDeletion) for a blocking dependent held by a finalizer.
            let owner3 = try await c.post(Self.cms, Fixture.configMap("owner3")).json
            var dep3 = owned("dep3", by: owner3, block: true)
            dep3[path: ["metadata", "finalizers"]] = ["example.com/hold"]
            _ = try await c.post(Self.cms, dep3)
            let deleting = try await c.delete(Self.cms + "/owner3", ["propagationPolicy": "Foreground"])
            #expect(deleting.json.finalizers.contains("foregroundDeletion"))
            #expect(try await c.get(Self.cms + "/owner3").status == 200)
            _ = try await c.patch(Self.cms + "/dep3", ["metadata": ["finalizers": nil]])
            try await waitUntil(timeout: .seconds(5)) { try await c.get(Self.cms + "/owner3").status == 404 }

            // Preconditions.
            let p = try await c.post(Self.cms, Fixture.configMap("pre")).json
            let conflict = try await c.delete(Self.cms + "/pre", ["preconditions": ["uid": "other"]])
            #expect(conflict.status == 409)
            #expect(try await c.delete(Self.cms + "/pre", ["preconditions": ["uid": .string(p.uid ?? "")]]).status == 200)
            try await c.close()
        }
    }

    @Test func namespaceDeletionRemovesContents() async throws {
        try await withAPIServer { server in
            let c = try TestHTTPClient(server)
            _ = try await c.post("/api/v1/namespaces", Fixture.namespace("team"))
            var held = Fixture.configMap("held", namespace: "team")
            held[path: ["metadata", "finalizers"]] = ["example.com/hold"]
            _ = try await c.post("/api/v1/namespaces/team/configmaps", held)
            _ = try await c.post("/api/v1/namespaces/team/pods", Fixture.pod("p", namespace: "team"))
            let deleting = try await c.delete("/api/v1/namespaces/team")
            #expect(deleting.json[path: ["status", "phase"]] == "Terminating")
            #expect(try await c.get("/api/v1/namespaces/team/pods/p").status == 404)
            let forbidden = try await c.post("/api/v1/namespaces/team/configmaps", Fixture.configMap("new", namespace: "team"))
            #expect(forbidden.status == 403 && forbidden.json["reason"] == "Forbidden")
            _ = try await c.patch("/api/v1/namespaces/team/configmaps/held", ["metadata": ["finalizers": nil]])
            try await waitUntil(timeout: .seconds(5)) { try await c.get("/api/v1/namespaces/team").status == 404 }
            try await c.close()
        }
    }

    @Test(arguments: ["default", "kube-system", "kube-public"])
    func systemNamespacesMayNotBeDeleted(name: String) async throws {
        try await withAPIServer { server in
            let c = try TestHTTPClient(server)
            let refused = try await c.delete("/api/v1/namespaces/\(name)")
            #expect(refused.status == 403)
            #expect(refused.json["reason"] == "Forbidden")
            #expect(refused.json["message"] == .string("namespaces \"\(name)\" is forbidden: this namespace may not be deleted"))
            #expect(try await c.get("/api/v1/namespaces/\(name)").status == 200)
            try await c.close()
        }
    }

    @Test func stateSurvivesRestart() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-apiserver-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var config = APIServerConfiguration()
        config.dataDirectory = dir
        let rv = try await withAPIServer(config) { server in
            let c = try TestHTTPClient(server)
            let created = try await c.post(Self.cms, Fixture.configMap("kept")).json
            _ = try await c.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Fixture.widgetCRD)
            _ = try await c.post("/apis/example.com/v1/namespaces/default/widgets", Fixture.widget("w"))
            try await c.close()
            return Int(created.resourceVersion ?? "") ?? 0
        }
        try await withAPIServer(config) { server in
            let c = try TestHTTPClient(server)
            #expect(try await c.get(Self.cms + "/kept").status == 200)
            #expect(try await c.get("/apis/example.com/v1/namespaces/default/widgets/w").status == 200)
            let next = try await c.post(Self.cms, Fixture.configMap("after")).json
            #expect((Int(next.resourceVersion ?? "") ?? 0) > rv)
            try await c.close()
        }
    }

    @Test func faultInjectionIsDeterministic() async throws {
        try await withAPIServer { server in
            let c = try TestHTTPClient(server)
            server.faults.set(FaultPlan(throttleRate: 1, retryAfterSeconds: 7))
            let throttled = try await c.get(Self.cms)
            #expect(throttled.status == 429 && throttled.headers.first(name: "Retry-After") == "7")
            #expect(throttled.json["details"]["retryAfterSeconds"] == 7)
            server.faults.set(FaultPlan(errorRate: 1, errorCode: 503))
            let unavailable = try await c.get(Self.cms)
            #expect(unavailable.status == 503 && unavailable.json["reason"] == "ServiceUnavailable")
            server.faults.set(FaultPlan(errorRate: 0.5, seed: 42))
            var first: [Int] = []
            for _ in 0..<10 { first.append(try await c.get(Self.cms).status) }
            server.faults.set(FaultPlan(errorRate: 0.5, seed: 42))
            var second: [Int] = []
            for _ in 0..<10 { second.append(try await c.get(Self.cms).status) }
            #expect(first == second && first.contains(500) && first.contains(200))
            server.faults.clear()
            #expect(try await c.get(Self.cms).status == 200)
            try await c.close()
        }
    }
}
