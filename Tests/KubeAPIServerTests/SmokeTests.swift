/// Basic serving: health, version, discovery, authentication.
import Foundation
import KubeAPIServer
import KubeCore
import KubeTestSupport
import Testing

@Suite struct SmokeTests {
    @Test func healthVersionAndDiscovery() async throws {
        try await withAPIServer { server in
            let c = try TestHTTPClient(server)
            defer { Task { try? await c.close() } }
            #expect(try await c.get("/healthz").text == "ok")
            #expect(try await c.get("/version").json["gitVersion"] == "v1.32.0-ferry")
            let v1 = try await c.get("/api/v1").json
            let names = (v1["resources"].arrayValue ?? []).compactMap { $0["name"].stringValue }
            #expect(names.contains("pods") && names.contains("pods/status") && names.contains("pods/binding"))
            let apis = try await c.get("/apis").json
            #expect((apis["groups"].arrayValue ?? []).contains { $0["name"] == "coordination.k8s.io" })
            let ns = try await c.get("/api/v1/namespaces").json
            #expect((ns["items"].arrayValue ?? []).compactMap(\.name).sorted() == ["default", "kube-node-lease", "kube-public", "kube-system"])
        }
    }
}
