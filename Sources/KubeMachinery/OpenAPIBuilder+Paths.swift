/// OpenAPI path items (operations with operationIds and `x-kubernetes-action`) for a resource.
import KubeCore

extension OpenAPIBuilder {
    /// `FerryDevV1alpha1` for `ferry.dev/v1alpha1`, `CoreV1` for the core group.
    static func operationGroup(_ gv: GroupVersion) -> String {
        let groupPart: String
        if gv.group.isEmpty {
            groupPart = "Core"
        } else {
            let words = gv.group.hasSuffix(".k8s.io") ? [String(gv.group.split(separator: ".")[0])] : gv.group.split(separator: ".").map(String.init)
            groupPart = words.map(upperFirst).joined()
        }
        return groupPart + upperFirst(gv.version)
    }

    static func upperFirst(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }

    static func pathItems(for resource: OpenAPIResource, flavor: Flavor) -> [String: JSONValue] {
        let type = resource.type
        let gvk = type.gvk
        let prefix = gvk.groupVersion.pathPrefix
        let scope = type.namespaced ? "Namespaced" : ""
        let opGroup = operationGroup(gvk.groupVersion)
        let objectRef = flavor.refPrefix + schemaName(gvk)
        let listRef = flavor.refPrefix + schemaName(GroupVersionKind(group: gvk.group, version: gvk.version, kind: gvk.kind + "List"))
        let statusRef = flavor.refPrefix + MetaSchemas.status
        let collection = type.namespaced ? "\(prefix)/namespaces/{namespace}/\(type.plural)" : "\(prefix)/\(type.plural)"
        let item = collection + "/{name}"

        func operation(_ verb: String, _ suffix: String, action: String, ref: String, body: Bool = false, patch: Bool = false) -> JSONValue {
            var op: JSONValue = [
                "operationId": .string(verb + opGroup + scope + gvk.kind + suffix),
                "tags": [.string(opGroup.prefix(1).lowercased() + opGroup.dropFirst())],
                "x-kubernetes-action": .string(action),
                "x-kubernetes-group-version-kind": ["group": .string(gvk.group), "version": .string(gvk.version), "kind": .string(gvk.kind)],
                "responses": ["200": response(ref, flavor: flavor), "401": ["description": "Unauthorized"]],
            ]
            if body {
                let types: [String] = patch
                    ? ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"]
                    : ["application/json", "application/yaml"]
                let bodyRef = patch ? flavor.refPrefix + MetaSchemas.patch : ref
                switch flavor {
                case .v3:
                    op["requestBody"] = ["required": true, "content": .object(Dictionary(uniqueKeysWithValues: types.map {
                        ($0, ["schema": ["$ref": .string(bodyRef)]] as JSONValue)
                    }))]
                case .v2:
                    op["consumes"] = .array(types.map { .string($0) })
                    op["parameters"] = [["name": "body", "in": "body", "required": true, "schema": ["$ref": .string(bodyRef)]]]
                }
            }
            return op
        }

        var parameters: [JSONValue] = [parameter("pretty", in: "query", required: false, flavor: flavor)]
        if type.namespaced { parameters.append(parameter("namespace", in: "path", required: true, flavor: flavor)) }
        let itemParameters = [parameter("name", in: "path", required: true, flavor: flavor)] + parameters

        var items: [String: JSONValue] = [:]
        items[collection] = [
            "get": operation("list", "", action: "list", ref: listRef),
            "post": operation("create", "", action: "post", ref: objectRef, body: true),
            "delete": operation("deleteCollection", "", action: "deletecollection", ref: statusRef),
            "parameters": .array(parameters),
        ]
        items[item] = [
            "get": operation("read", "", action: "get", ref: objectRef),
            "put": operation("replace", "", action: "put", ref: objectRef, body: true),
            "patch": operation("patch", "", action: "patch", ref: objectRef, body: true, patch: true),
            "delete": operation("delete", "", action: "delete", ref: statusRef),
            "parameters": .array(itemParameters),
        ]
        if type.namespaced {
            var all = operation("list", "ForAllNamespaces", action: "list", ref: listRef)
            all["operationId"] = .string("list" + opGroup + gvk.kind + "ForAllNamespaces")
            items["\(prefix)/\(type.plural)"] = ["get": all, "parameters": [parameter("pretty", in: "query", required: false, flavor: flavor)]]
        }
        if resource.hasStatus {
            items[item + "/status"] = [
                "get": operation("read", "Status", action: "get", ref: objectRef),
                "put": operation("replace", "Status", action: "put", ref: objectRef, body: true),
                "patch": operation("patch", "Status", action: "patch", ref: objectRef, body: true, patch: true),
                "parameters": .array(itemParameters),
            ]
        }
        if resource.hasScale {
            let scaleRef = flavor.refPrefix + MetaSchemas.scale
            items[item + "/scale"] = [
                "get": operation("read", "Scale", action: "get", ref: scaleRef),
                "put": operation("replace", "Scale", action: "put", ref: scaleRef, body: true),
                "patch": operation("patch", "Scale", action: "patch", ref: scaleRef, body: true, patch: true),
                "parameters": .array(itemParameters),
            ]
        }
        return items
    }

    static func response(_ ref: String, flavor: Flavor) -> JSONValue {
        switch flavor {
        case .v3:
            return ["description": "OK", "content": [
                "application/json": ["schema": ["$ref": .string(ref)]],
                "application/yaml": ["schema": ["$ref": .string(ref)]],
            ]]
        case .v2:
            return ["description": "OK", "schema": ["$ref": .string(ref)]]
        }
    }

    static func parameter(_ name: String, in location: String, required: Bool, flavor: Flavor) -> JSONValue {
        let descriptions = [
            "name": "name of the resource",
            "namespace": "object name and auth scope, such as for teams and projects",
            "pretty": "If 'true', then the output is pretty printed.",
        ]
        var p: JSONValue = [
            "name": .string(name), "in": .string(location), "required": .bool(required),
            "description": .string(descriptions[name] ?? ""), "uniqueItems": true,
        ]
        switch flavor {
        case .v3: p["schema"] = ["type": "string"]
        case .v2: p["type"] = "string"
        }
        return p
    }
}
