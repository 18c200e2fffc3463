/// CustomResourceDefinitions: establishment, serving, schema validation, pruning,
/// defaults, status and scale subresources, generation rules, tables, teardown.
import Foundation
import KubeAPIServer
import KubeCore
import KubeTestSupport
import Testing

@Suite struct CRDTests {
    static let widgets = "/apis/example.com/v1/namespaces/default/widgets"

    func withWidgets(_ body: (TestHTTPClient, EmbeddedAPIServer) async throws -> Void) async throws {
        try await withAPIServer { server in
            let c = try TestHTTPClient(server)
            let created = try await c.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Fixture.widgetCRD)
            #expect(created.status == 201)
            try await body(c, server)
            try await c.close()
        }
    }

    @Test func establishmentAndDiscovery() async throws {
        try await withWidgets { c, _ in
            let crd = try await c.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com").json
            let conditions = crd[path: ["status", "conditions"]].arrayValue ?? []
            #expect(conditions.contains { $0["type"] == "Established" && $0["status"] == "True" })
            #expect(conditions.contains { $0["type"] == "NamesAccepted" && $0["status"] == "True" })
            #expect(crd[path: ["status", "acceptedNames", "kind"]] == "Widget")
            let list = try await c.get("/apis/example.com/v1").json
            let main = (list["resources"].arrayValue ?? []).first { $0["name"] == "widgets" }
            #expect(main?["shortNames"] == ["wd"] && main?["namespaced"] == true && main?["kind"] == "Widget")
            let names = (list["resources"].arrayValue ?? []).compactMap { $0["name"].stringValue }
            #expect(names.contains("widgets/status") && names.contains("widgets/scale"))
            let group = try await c.get("/apis/example.com").json
            #expect(group["preferredVersion"]["groupVersion"] == "example.com/v1")
        }
    }

    @Test func schemaValidationPruningAndDefaults() async throws {
        try await withWidgets { c, _ in
            var w = Fixture.widget("w1", spec: ["replicas": 2, "unknown": "x"])
            w["extra"] = "dropped"
            let created = try await c.post(Self.widgets, w)
            #expect(created.status == 201)
            #expect(created.json[path: ["spec", "size"]] == "small")
            #expect(created.json[path: ["spec", "unknown"]] == .null)
            #expect(created.json["extra"] == .null)
            let bad = try await c.post(Self.widgets, Fixture.widget("w2", spec: ["size": "huge"]))
            #expect(bad.status == 422 && bad.json["reason"] == "Invalid")
            #expect(bad.json["message"].stringValue?.hasPrefix("Widget.example.com \"w2\" is invalid: spec.size") == true)
            #expect((bad.json["details"]["causes"].arrayValue ?? []).contains { $0["field"] == "spec.size" })
            let smp = try await c.patch(Self.widgets + "/w1", ["spec": ["size": "large"]], type: "application/strategic-merge-patch+json")
            #expect(smp.status == 415)
            #expect(smp.json["message"] == "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")
        }
    }

    @Test func statusSubresourceAndGeneration() async throws {
        try await withWidgets { c, _ in
            var w = Fixture.widget("w1")
            w["status"] = ["replicas": 5]
            let created = try await c.post(Self.widgets, w).json
            #expect(created.generation == 1 && created["status"] == .null)
            // Status through the main resource is ignored.
            let ignored = try await c.patch(Self.widgets + "/w1", ["status": ["replicas": 3]])
            #expect(ignored.json["status"] == .null && ignored.json.resourceVersion == created.resourceVersion)
            // Status through /status changes only status, and not the generation.
            let status = try await c.patch(Self.widgets + "/w1/status", ["status": ["replicas": 3], "spec": ["size": "large"]])
            #expect(status.json[path: ["status", "replicas"]] == 3 && status.json[path: ["spec", "size"]] == "medium")
            #expect(status.json.generation == 1)
            // Metadata changes do not bump generation; spec changes do.
            let labeled = try await c.patch(Self.widgets + "/w1", ["metadata": ["labels": ["a": "b"]]])
            #expect(labeled.json.generation == 1)
            let spec = try await c.patch(Self.widgets + "/w1", ["spec": ["size": "large"]])
            #expect(spec.json.generation == 2)
        }
    }

    @Test func scaleSubresource() async throws {
        try await withWidgets { c, _ in
            _ = try await c.post(Self.widgets, Fixture.widget("w1", spec: ["replicas": 1]))
            _ = try await c.patch(Self.widgets + "/w1/status", ["status": ["replicas": 1, "selector": "app=w1"]])
            let scale = try await c.get(Self.widgets + "/w1/scale").json
            #expect(scale["kind"] == "Scale" && scale["apiVersion"] == "autoscaling/v1")
            #expect(scale[path: ["spec", "replicas"]] == 1 && scale[path: ["status", "selector"]] == "app=w1")
            let patched = try await c.patch(Self.widgets + "/w1/scale", ["spec": ["replicas": 4]])
            #expect(patched.status == 200 && patched.json[path: ["spec", "replicas"]] == 4)
            #expect(try await c.get(Self.widgets + "/w1").json[path: ["spec", "replicas"]] == 4)
        }
    }

    @Test func tablesWithPrinterColumns() async throws {
        try await withWidgets { c, _ in
            _ = try await c.post(Self.widgets, Fixture.widget("w1"))
            let accept = [("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")]
            let table = try await c.get(Self.widgets, headers: accept).json
            #expect(table["kind"] == "Table")
            let columns = (table["columnDefinitions"].arrayValue ?? []).compactMap { $0["name"].stringValue }
            #expect(columns == ["Name", "Size", "Age"])
            #expect(table["rows"].arrayValue?.first?["cells"].arrayValue?.prefix(2) == ["w1", "medium"])
            #expect(table["rows"].arrayValue?.first?["object"]["kind"] == "PartialObjectMetadata")
            let pods = try await c.get("/api/v1/namespaces?includeObject=None", headers: accept).json
            #expect((pods["columnDefinitions"].arrayValue ?? []).compactMap { $0["name"].stringValue } == ["Name", "Status", "Age"])
        }
    }

    @Test func deletingTheCRDRemovesItsObjectsAndStopsServing() async throws {
        try await withWidgets { c, _ in
            _ = try await c.post(Self.widgets, Fixture.widget("w1"))
            let deleted = try await c.delete("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com")
            #expect(deleted.status == 200)
            #expect(try await c.get(Self.widgets).status == 404)
            _ = try await c.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Fixture.widgetCRD)
            let list = try await c.get(Self.widgets).json
            #expect(list["items"] == [])
        }
    }

    @Test func invalidCRDIsRejected() async throws {
        try await withAPIServer { server in
            let c = try TestHTTPClient(server)
            var crd = Fixture.widgetCRD
            crd[path: ["metadata", "name"]] = "wrong.example.com"
            let r = try await c.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
            #expect(r.status == 422 && (r.json["details"]["causes"].arrayValue ?? []).contains { $0["field"] == "metadata.name" })
            try await c.close()
        }
    }
}
