/// OpenAPI document structure tests (what `kubectl explain` looks up).
import KubeCore
import Testing
@testable import KubeMachinery

@Suite struct OpenAPIBuilderTests {
    static let source = ResourceType(group: "ferry.dev", version: "v1alpha1", kind: "Source", plural: "sources", namespaced: true)
    static let cluster = ResourceType(group: "ferry.dev", version: "v1alpha1", kind: "Fleet", plural: "fleets", namespaced: false)
    static let other = ResourceType(group: "other.dev", version: "v1", kind: "Thing", plural: "things", namespaced: true)
    static let schema = json(#"{"type":"object","description":"A source.","properties":{"spec":{"type":"object","description":"Desired state.","properties":{"image":{"type":"string","description":"The image."}}},"status":{"type":"object"}}}"#)

    static var resources: [OpenAPIResource] {
        [OpenAPIResource(type: source, schema: schema, hasStatus: true, hasScale: true),
         OpenAPIResource(type: cluster, schema: schema, hasStatus: false, hasScale: false),
         OpenAPIResource(type: other, schema: schema, hasStatus: false, hasScale: false)]
    }

    @Test func v3DocumentHasResourceSchemas() {
        let doc = OpenAPIBuilder.v3Document(groupVersion: GroupVersion(group: "ferry.dev", version: "v1alpha1"), resources: Self.resources)
        #expect(doc["openapi"] == "3.0.0")
        let schemas = doc["components"]["schemas"]
        let s = schemas["dev.ferry.v1alpha1.Source"]
        #expect(s["x-kubernetes-group-version-kind"] == json(#"[{"group":"ferry.dev","version":"v1alpha1","kind":"Source"}]"#))
        #expect(s["description"] == "A source.")
        #expect(s[path: ["properties", "spec", "properties", "image", "description"]] == "The image.")
        #expect(s[path: ["properties", "metadata", "allOf"]] == json(##"[{"$ref":"#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}]"##))
        #expect(s[path: ["properties", "apiVersion", "type"]] == "string")
        #expect(s[path: ["properties", "kind", "description"]].stringValue?.hasPrefix("Kind is a string value") == true)
        #expect(schemas["dev.ferry.v1alpha1.SourceList"][path: ["properties", "items", "items", "$ref"]] == "#/components/schemas/dev.ferry.v1alpha1.Source")
        #expect(schemas["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"][path: ["properties", "name", "type"]] == "string")
        #expect(schemas["dev.ferry.v1alpha1.Fleet"] != .null)
        #expect(schemas["dev.other.v1.Thing"] == .null, "other group-versions are not in this document")
        // Every $ref resolves inside the document.
        for ref in Self.refs(in: doc) {
            let name = String(ref.dropFirst("#/components/schemas/".count))
            #expect(ref.hasPrefix("#/components/schemas/") && schemas[name] != .null, "dangling \(ref)")
        }
    }

    @Test func v3DocumentHasPaths() {
        let doc = OpenAPIBuilder.v3Document(groupVersion: GroupVersion(group: "ferry.dev", version: "v1alpha1"), resources: Self.resources)
        let paths = doc["paths"]
        let base = "/apis/ferry.dev/v1alpha1"
        #expect(paths["\(base)/namespaces/{namespace}/sources"]["get"]["operationId"] == "listFerryDevV1alpha1NamespacedSource")
        #expect(paths["\(base)/namespaces/{namespace}/sources"]["get"]["x-kubernetes-action"] == "list")
        #expect(paths["\(base)/namespaces/{namespace}/sources"]["post"]["operationId"] == "createFerryDevV1alpha1NamespacedSource")
        #expect(paths["\(base)/namespaces/{namespace}/sources/{name}"]["patch"]["x-kubernetes-action"] == "patch")
        #expect(paths["\(base)/namespaces/{namespace}/sources/{name}/status"]["put"]["operationId"] == "replaceFerryDevV1alpha1NamespacedSourceStatus")
        #expect(paths["\(base)/namespaces/{namespace}/sources/{name}/scale"]["get"]["operationId"] == "readFerryDevV1alpha1NamespacedSourceScale")
        #expect(paths["\(base)/sources"]["get"]["operationId"] == "listFerryDevV1alpha1SourceForAllNamespaces")
        #expect(paths["\(base)/fleets/{name}"]["get"]["operationId"] == "readFerryDevV1alpha1Fleet")
        #expect(paths["\(base)/fleets/{name}/status"] == .null)
        #expect(paths["\(base)/namespaces/{namespace}/sources/{name}"]["get"][path: ["responses", "200", "content", "application/json", "schema", "$ref"]]
                == "#/components/schemas/dev.ferry.v1alpha1.Source")
    }

    @Test func v2DocumentUsesDefinitions() {
        let doc = OpenAPIBuilder.v2Document(resources: Self.resources)
        #expect(doc["swagger"] == "2.0")
        let definitions = doc["definitions"]
        #expect(definitions["dev.ferry.v1alpha1.Source"][path: ["properties", "metadata", "allOf"]]
                == json(##"[{"$ref":"#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}]"##))
        #expect(definitions["dev.other.v1.Thing"] != .null)
        #expect(doc["paths"]["/apis/other.dev/v1/namespaces/{namespace}/things/{name}"]["get"][path: ["responses", "200", "schema", "$ref"]]
                == "#/definitions/dev.other.v1.Thing")
        for ref in Self.refs(in: doc) {
            let name = String(ref.dropFirst("#/definitions/".count))
            #expect(ref.hasPrefix("#/definitions/") && definitions[name] != .null, "dangling \(ref)")
        }
    }

    @Test(arguments: [
        (GroupVersionKind(group: "ferry.dev", version: "v1alpha1", kind: "Source"), "dev.ferry.v1alpha1.Source"),
        (GroupVersionKind(group: "", version: "v1", kind: "Pod"), "io.k8s.api.core.v1.Pod"),
        (GroupVersionKind(group: "coordination.k8s.io", version: "v1", kind: "Lease"), "io.k8s.api.coordination.v1.Lease"),
    ])
    func schemaNames(_ gvk: GroupVersionKind, _ name: String) {
        #expect(OpenAPIBuilder.schemaName(gvk) == name)
    }

    static func refs(in value: JSONValue) -> [String] {
        switch value {
        case .object(let o): return (o["$ref"]?.stringValue.map { [$0] } ?? []) + o.values.flatMap { refs(in: $0) }
        case .array(let a): return a.flatMap { refs(in: $0) }
        default: return []
        }
    }
}
