/// Pod subresources (binding, eviction, log), server-side apply, deletecollection, event
/// field selectors, Table watch events and protobuf bodies from typed clients.
import Foundation
import KubeAPIServer
import KubeCore
import KubeTestSupport
import Testing

struct FixedLogs: PodLogProvider {
    func logs(namespace: String, pod: String, container: String?, tailLines: Int?) async throws -> String? {
        pod == "p" ? "hello from \(container ?? "")\n" : nil
    }
}

@Suite struct PodAndApplyTests {
    static let pods = "/api/v1/namespaces/default/pods"

    @Test func bindingEvictionAndLogs() async throws {
        try await withAPIServer { server in
            let c = try TestHTTPClient(server)
            _ = try await c.post(Self.pods, Fixture.pod("p"))
            let noProvider = try await c.get(Self.pods + "/p/log")
            #expect(noProvider.status == 400 && noProvider.json["kind"] == "Status")
            server.setPodLogProvider(FixedLogs())
            #expect(try await c.get(Self.pods + "/p/log").text == "hello from main\n")
            #expect(try await c.get(Self.pods + "/none/log").status == 404)

            let bind = try await c.post(Self.pods + "/p/binding", ["apiVersion": "v1", "kind": "Binding", "metadata": ["name": "p"], "target": ["kind": "Node", "name": "node-1"]])
            #expect(bind.status == 201)
            #expect(try await c.get(Self.pods + "/p").json[path: ["spec", "nodeName"]] == "node-1")
            let rebind = try await c.post(Self.pods + "/p/binding", ["target": ["name": "node-2"]])
            #expect(rebind.status == 409)
            let onNode = try await c.get("/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1").json
            #expect((onNode["items"].arrayValue ?? []).compactMap(\.name) == ["p"])

            let evict = try await c.post(Self.pods + "/p/eviction", ["apiVersion": "policy/v1", "kind": "Eviction", "metadata": ["name": "p"]])
            #expect(evict.status == 201)
            #expect(try await c.get(Self.pods + "/p").status == 404)
            try await c.close()
        }
    }

    @Test func serverSideApplyCreatesThenMerges() async throws {
        try await withAPIServer { server in
            let c = try TestHTTPClient(server)
            let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  a: \"1\"\n"
            let path = "/api/v1/namespaces/default/configmaps/applied"
            let noManager = try await c.request(.PATCH, path, body: Array(yaml.utf8), contentType: "application/apply-patch+yaml")
            #expect(noManager.status == 400)
            let created = try await c.request(.PATCH, path + "?fieldManager=test", body: Array(yaml.utf8), contentType: "application/apply-patch+yaml")
            #expect(created.status == 201 && created.json["data"]["a"] == "1")
            let again = try await c.request(.PATCH, path + "?fieldManager=test", body: Array(yaml.utf8), contentType: "application/apply-patch+yaml")
            #expect(again.status == 200 && again.json.resourceVersion == created.json.resourceVersion)
            let more = yaml + "  b: \"2\"\n"
            let merged = try await c.request(.PATCH, path + "?fieldManager=test", body: Array(more.utf8), contentType: "application/apply-patch+yaml")
            #expect(merged.json["data"] == ["a": "1", "b": "2"])
            try await c.close()
        }
    }

    @Test func deleteCollectionAndEventFieldSelectors() async throws {
        try await withAPIServer { server in
            let c = try TestHTTPClient(server)
            for i in 0..<3 { _ = try await c.post("/api/v1/namespaces/default/configmaps", Fixture.configMap("c\(i)", labels: ["group": i < 2 ? "a" : "b"])) }
            let deleted = try await c.delete("/api/v1/namespaces/default/configmaps?labelSelector=group%3Da")
            #expect(deleted.status == 200 && (deleted.json["items"].arrayValue ?? []).count == 2)
            let left = try await c.get("/api/v1/namespaces/default/configmaps").json
            #expect((left["items"].arrayValue ?? []).compactMap(\.name) == ["c2"])

            let event: JSONValue = ["apiVersion": "v1", "kind": "Event", "metadata": ["name": "e1"],
                                    "involvedObject": ["kind": "ConfigMap", "name": "c2", "namespace": "default"],
                                    "reason": "Tested", "type": "Normal", "message": "m"]
            _ = try await c.post("/api/v1/namespaces/default/events", event)
            let found = try await c.get("/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dc2,involvedObject.kind%3DConfigMap,reason%3DTested").json
            #expect((found["items"].arrayValue ?? []).compactMap(\.name) == ["e1"])
            let none = try await c.get("/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dother").json
            #expect(none["items"] == [])
            try await c.close()
        }
    }

    @Test func tableWatchEventsCarryOneRowTables() async throws {
        try await withAPIServer { server in
            let c = try TestHTTPClient(server)
            _ = try await c.post(Self.pods, Fixture.pod("p"))
            let r = try await c.get(Self.pods + "?watch=true&timeoutSeconds=1",
                                    headers: [("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io")])
            let events = r.text.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
            #expect(events.first?["type"] == "ADDED")
            #expect(events.first?["object"]["kind"] == "Table")
            #expect(events.first?["object"]["rows"].arrayValue?.count == 1)
            let cells = events.first?["object"]["rows"].arrayValue?.first?["cells"].arrayValue ?? []
            #expect(cells.prefix(3) == ["p", "0/1", "Pending"])
            try await c.close()
        }
    }

    @Test func protobufNamespaceFromTypedClients() async throws {
        try await withAPIServer { server in
            let c = try TestHTTPClient(server)
            // k8s\0 + Unknown{typeMeta{apiVersion "v1", kind "Namespace"}, raw Namespace{metadata{name "pb"}}}
            func field(_ n: UInt8, _ bytes: [UInt8]) -> [UInt8] { [n << 3 | 2, UInt8(bytes.count)] + bytes }
            let typeMeta = field(1, Array("v1".utf8)) + field(2, Array("Namespace".utf8))
            let raw = field(1, field(1, Array("pb".utf8)))
            let body = [0x6B, 0x38, 0x73, 0x00] + field(1, typeMeta) + field(2, raw)
            let r = try await c.request(.POST, "/api/v1/namespaces", body: body, contentType: "application/vnd.kubernetes.protobuf")
            #expect(r.status == 201 && r.json.name == "pb")
            let garbage = try await c.request(.POST, "/api/v1/namespaces", body: [1, 2, 3, 4, 5], contentType: "application/vnd.kubernetes.protobuf")
            #expect(garbage.status == 400)
            try await c.close()
        }
    }
}
