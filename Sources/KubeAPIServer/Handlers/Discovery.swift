/// Legacy (unaggregated) discovery documents: /version, /api, /api/v1, /apis, /apis/<g>,
/// /apis/<g>/<v>. Always `application/json`, so kubectl falls back from aggregated discovery.
import KubeCore
import KubeMachinery

enum Discovery {
    static let version: JSONValue = [
        "major": "1", "minor": "32", "gitVersion": "v1.32.0-ferry", "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.0", "compiler": "gc",
        "platform": "linux/amd64",
    ]

    static func rootPaths(store: ClusterStore, extraGroups: [(name: String, versions: [String])] = []) -> JSONValue {
        let registry = store.withState { $0.registry }
        var paths: [String] = ["/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v3", "/readyz", "/version"]
        for g in registry.groups + extraGroups {
            paths.append("/apis/\(g.name)")
            for v in g.versions { paths.append("/apis/\(g.name)/\(v)") }
        }
        return ["paths": .array(paths.sorted().map { .string($0) })]
    }

    /// `extraGroups` are listed in `/apis` after the registry's, as aggregated APIs are;
    /// their own documents are served by their handlers.
    static func handle(segments s: [String], store: ClusterStore, serverAddress: String,
                       extraGroups: [(name: String, versions: [String])] = []) throws(APIError) -> ServerResponse {
        let registry = store.withState { $0.registry }
        switch (s.first, s.count) {
        case ("api", 1):
            let doc: JSONValue = [
                "kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
            ]
            return .json(doc.serializedBytes())
        case ("api", 2):
            return try resourceList(registry, GroupVersion(group: "", version: s[1]))
        case ("apis", 1):
            let groups = (registry.groups + extraGroups).map { groupDocument($0.name, $0.versions, kind: false) }
            let doc: JSONValue = ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups)]
            return .json(doc.serializedBytes())
        case ("apis", 2):
            guard let g = registry.groups.first(where: { $0.name == s[1] }) else { throw .notServed }
            return .json(groupDocument(g.name, g.versions, kind: true).serializedBytes())
        case ("apis", 3):
            return try resourceList(registry, GroupVersion(group: s[1], version: s[2]))
        default:
            throw .notServed
        }
    }

    private static func groupDocument(_ name: String, _ versions: [String], kind: Bool) -> JSONValue {
        let entries: [JSONValue] = versions.map { ["groupVersion": .string("\(name)/\($0)"), "version": .string($0)] }
        var doc: JSONValue = ["name": .string(name), "versions": .array(entries)]
        if let preferred = entries.first { doc["preferredVersion"] = preferred }
        if kind {
            doc["kind"] = "APIGroup"
            doc["apiVersion"] = "v1"
        }
        return doc
    }

    private static func resourceList(_ registry: ResourceRegistry, _ gv: GroupVersion) throws(APIError) -> ServerResponse {
        guard let resources = registry.byGroupVersion[gv] else { throw .notServed }
        let entries = resources.values.sorted { $0.type.plural < $1.type.plural }.flatMap(\.discoveryEntries)
        let doc: JSONValue = [
            "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(gv.apiVersion), "resources": .array(entries),
        ]
        return .json(doc.serializedBytes())
    }
}

enum OpenAPIEndpoints {
    static func handle(_ request: ServerRequest, store: ClusterStore) throws(APIError) -> ServerResponse {
        guard request.method == "GET" else { throw .methodNotAllowed(request.method) }
        let s = request.segments
        let registry = store.withState { $0.registry }
        guard s.count >= 2, s[1] == "v3" else { throw .notServed }
        if s.count == 2 {
            var paths: [String: JSONValue] = [:]
            for gv in registry.byGroupVersion.keys {
                let rel = gv.group.isEmpty ? "api/\(gv.version)" : "apis/\(gv.group)/\(gv.version)"
                let hash = stableHash(document(registry, gv).serialized())
                paths[rel] = ["serverRelativeURL": .string("/openapi/v3/\(rel)?hash=\(hash)")]
            }
            let doc: JSONValue = ["paths": .object(paths)]
            return .json(doc.serializedBytes())
        }
        let gv: GroupVersion
        if s[2] == "api", s.count == 4 { gv = GroupVersion(group: "", version: s[3]) }
        else if s[2] == "apis", s.count == 5 { gv = GroupVersion(group: s[3], version: s[4]) }
        else { throw .notServed }
        guard registry.byGroupVersion[gv] != nil else { throw .notServed }
        return .json(document(registry, gv).serializedBytes())
    }

    static func document(_ registry: ResourceRegistry, _ gv: GroupVersion) -> JSONValue {
        let resources = (registry.byGroupVersion[gv] ?? [:]).values.sorted { $0.type.plural < $1.type.plural }.map {
            OpenAPIResource(type: $0.type, schema: $0.openAPISchema, hasStatus: $0.hasStatus, hasScale: $0.scale != nil)
        }
        return withWriteParameters(OpenAPIBuilder.v3Document(groupVersion: gv, resources: resources))
    }

    /// Adds the write query parameters kube-apiserver documents on create/update/patch. kubectl
    /// checks the PATCH operation for `fieldValidation` to decide on server-side validation;
    /// without it, it falls back to client-side validation against /openapi/v2.
    static func withWriteParameters(_ doc: JSONValue) -> JSONValue {
        guard case .object(var paths) = doc["paths"] else { return doc }
        let names = ["dryRun", "fieldManager", "fieldValidation"]
        for (path, item) in paths {
            var item = item
            for verb in ["post", "put", "patch"] where !item[verb].isNull {
                var params = item[verb]["parameters"].arrayValue ?? []
                for name in names where !params.contains(where: { $0["name"].stringValue == name }) {
                    params.append(["name": .string(name), "in": "query", "uniqueItems": true, "schema": ["type": "string"]])
                }
                if verb == "patch" && !params.contains(where: { $0["name"] == "force" }) {
                    params.append(["name": "force", "in": "query", "uniqueItems": true, "schema": ["type": "boolean"]])
                }
                item[verb]["parameters"] = .array(params)
            }
            paths[path] = item
        }
        var out = doc
        out["paths"] = .object(paths)
        return out
    }
}
