/// The request audit: off by default; when on, each resource request is recorded with the
/// verb RBAC would check (kube-apiserver's RequestInfoFactory), its group, resource,
/// subresource, namespace, name, user agent and answer.
import KubeAPIServer
import KubeCore
import KubeTestSupport
import Testing

@Suite struct RequestAuditTests {
    @Test func offByDefault() async throws {
        try await withAPIServer { server in
            let c = try TestHTTPClient(server)
            _ = try await c.get("/api/v1/namespaces/default/configmaps")
            #expect(server.auditRecords().isEmpty)
            try await c.close()
        }
    }

    @Test func requestsAreRecordedWithTheirRBACVerbs() async throws {
        try await withAPIServer(APIServerConfiguration(auditRequests: true)) { server in
            let c = try TestHTTPClient(server)
            let ua = [("User-Agent", "audit-test")]
            let path = "/api/v1/namespaces/default/configmaps"
            _ = try await c.request(.POST, path, json: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a"]], headers: ua)
            _ = try await c.get(path + "/a", headers: ua)
            _ = try await c.get(path, headers: ua)
            _ = try await c.get("/api/v1/configmaps?watch=true&timeoutSeconds=1", headers: ua)
            _ = try await c.get("/api/v1/watch/namespaces/default/configmaps?timeoutSeconds=1", headers: ua)
            _ = try await c.request(.PATCH, path + "/a", json: ["data": ["k": "v"]], contentType: "application/merge-patch+json", headers: ua)
            let current = try await c.get(path + "/a").json
            _ = try await c.request(.PUT, path + "/a", json: current, headers: ua)
            _ = try await c.request(.PUT, "/api/v1/namespaces/default/pods/missing/status", json: ["apiVersion": "v1", "kind": "Pod"], headers: ua)
            _ = try await c.request(.DELETE, path + "/a", headers: ua)
            _ = try await c.request(.DELETE, path, headers: ua)
            _ = try await c.get("/apis", headers: ua)  // discovery is no resource request
            let records = server.auditRecords().filter { $0.userAgent == "audit-test" }
            #expect(records.map(\.verb) == ["create", "get", "list", "watch", "watch", "patch", "update", "update", "delete", "deletecollection"])
            #expect(records.allSatisfy { $0.apiGroup == "" })
            #expect(records.map(\.resource) == ["configmaps", "configmaps", "configmaps", "configmaps", "configmaps", "configmaps", "configmaps", "pods", "configmaps", "configmaps"])
            #expect(records[7].subresource == "status" && records[7].name == "missing" && records[7].code == 404)
            #expect(records[0].namespace == "default" && records[0].name == nil && records[0].code == 201)
            #expect(records[3].namespace == nil)
            #expect(records[1].name == "a")
            try await c.close()
        }
    }
}
