/// Resource requests: resolves the served resource and dispatches by verb to get, list,
/// watch, create, update, patch, delete, deletecollection and subresources.
import KubeCore
import KubeMachinery

extension APIHandler {
    func handleResource(_ request: ServerRequest, path: ResourcePath) async throws(APIError) -> ServerResponse {
        guard let r = store.withState({ $0.registry.lookup(path.groupVersion, plural: path.plural) }) else { throw .notServed }
        if !r.type.namespaced && path.namespace != nil { throw .notServed }
        let format = OutputFormat(request)
        let dryRun = request.query["dryRun"]?.contains("All") ?? false
        if let sub = path.subresource {
            return try await handleSubresource(request, r, path: path, name: path.name ?? "", subresource: sub, format: format, dryRun: dryRun)
        }
        switch (request.method, path.name) {
        case ("GET", nil):
            if path.legacyWatch || request.queryBool("watch") { return try startWatch(request, r, namespace: path.namespace, format: format) }
            return try list(request, r, namespace: path.namespace, format: format)
        case ("GET", let name?):
            if path.legacyWatch {
                return try startWatch(request, r, namespace: path.namespace, format: format, name: name)
            }
            let obj = try getObject(r, namespace: path.namespace, name: name)
            return respond(obj, r, format: format)
        case ("POST", nil):
            if r.type.namespaced && path.namespace == nil { throw .methodNotAllowed("POST") }
            let body = try decodeObject(request, r)
            let strict = request.queryValue("fieldValidation") == "Strict"
            if strict { try rejectUnknownFields(body, r) }
            let created = try store.withState { (s: inout ClusterState) throws(APIError) in
                try s.create(r, namespace: path.namespace, body: body, dryRun: dryRun)
            }
            return respond(created, r, format: format, status: 201)
        case ("PUT", let name?):
            let body = try decodeObject(request, r)
            if request.queryValue("fieldValidation") == "Strict" { try rejectUnknownFields(body, r) }
            let updated = try store.withState { (s: inout ClusterState) throws(APIError) in
                try s.update(r, namespace: path.namespace, name: name, body: body, dryRun: dryRun)
            }
            return respond(updated, r, format: format)
        case ("PATCH", let name?):
            let result = try patch(request, r, namespace: path.namespace, name: name, target: .main, dryRun: dryRun)
            return respond(result.object, r, format: format, status: result.created ? 201 : 200)
        case ("DELETE", let name?):
            let options = try deleteOptions(request, dryRun: dryRun)
            let deleted = try store.withState { (s: inout ClusterState) throws(APIError) in
                try s.delete(r, namespace: path.namespace, name: name, options: options)
            }
            return respond(deleted, r, format: format)
        case ("DELETE", nil):
            return try deleteCollection(request, r, namespace: path.namespace, dryRun: dryRun)
        default:
            throw .methodNotAllowed(request.method)
        }
    }

    func getObject(_ r: ServedResource, namespace: String?, name: String) throws(APIError) -> JSONValue {
        let key = ObjectKey(namespace: r.type.namespaced ? (namespace ?? "") : "", name: name)
        guard let obj = store.withState({ $0.get(r.storageKey, key) }) else { throw .notFound(r.groupResource, name) }
        return obj
    }

    /// Decodes a create/update body and checks its apiVersion and kind against the URL.
    func decodeObject(_ request: ServerRequest, _ r: ServedResource) throws(APIError) -> JSONValue {
        var body = try BodyDecoding.decode(request.body, contentType: request.header("Content-Type"))
        guard case .object = body else {
            throw .badRequest("the object provided is unrecognized (must be of type \(r.type.kind)): expected an object")
        }
        try checkTypeMeta(&body, r)
        return body
    }

    func checkTypeMeta(_ body: inout JSONValue, _ r: ServedResource) throws(APIError) {
        let expected = r.type.apiVersion
        if let apiVersion = body.apiVersion, !apiVersion.isEmpty {
            if apiVersion != expected {
                throw .badRequest("the API version in the data (\(apiVersion)) does not match the expected API version (\(expected))")
            }
        } else if r.isCustom {
            throw .badRequest("Object 'apiVersion' is missing in '\(body.serialized())'")
        }
        if let kind = body.kind, !kind.isEmpty {
            if kind != r.type.kind {
                throw .badRequest("the kind in the data (\(kind)) does not match the expected kind (\(r.type.kind))")
            }
        } else if r.isCustom {
            throw .badRequest("Object 'Kind' is missing in '\(body.serialized())'")
        }
        body["apiVersion"] = .string(expected)
        body["kind"] = .string(r.type.kind)
    }

    /// `fieldValidation=Strict`: unknown fields are an error instead of being pruned.
    func rejectUnknownFields(_ body: JSONValue, _ r: ServedResource) throws(APIError) {
        guard let schema = r.schema else { return }
        let pruned = schema.prune(body)
        guard pruned != body else { return }
        let unknown = Self.unknownPaths(body, pruned, prefix: "")
        let details = unknown.map { "unknown field \"\($0)\"" }.joined(separator: ", ")
        throw .badRequest("\(r.type.kind) in version \"\(r.type.gvk.version)\" cannot be handled as a \(r.type.kind): strict decoding error: \(details)")
    }

    static func unknownPaths(_ a: JSONValue, _ b: JSONValue, prefix: String) -> [String] {
        switch (a, b) {
        case (.object(let oa), .object(let ob)):
            return oa.keys.sorted().flatMap { k -> [String] in
                let p = prefix.isEmpty ? k : "\(prefix).\(k)"
                guard let vb = ob[k] else { return [p] }
                return unknownPaths(oa[k] ?? .null, vb, prefix: p)
            }
        case (.array(let xa), .array(let xb)) where xa.count == xb.count:
            return zip(xa, xb).enumerated().flatMap { i, pair in unknownPaths(pair.0, pair.1, prefix: "\(prefix)[\(i)]") }
        default:
            return []
        }
    }

    func deleteOptions(_ request: ServerRequest, dryRun: Bool) throws(APIError) -> DeleteRequest {
        var options = DeleteRequest(dryRun: dryRun)
        if !request.body.isEmpty {
            let body = try BodyDecoding.decode(request.body, contentType: request.header("Content-Type"))
            options.propagationPolicy = body["propagationPolicy"].stringValue
            if body["orphanDependents"].boolValue == true && options.propagationPolicy == nil { options.propagationPolicy = "Orphan" }
            options.preconditionUID = body[path: ["preconditions", "uid"]].stringValue
            options.preconditionResourceVersion = body[path: ["preconditions", "resourceVersion"]].stringValue
            if (body["dryRun"].arrayValue ?? []).contains("All") { options.dryRun = true }
        }
        if let p = request.queryValue("propagationPolicy") { options.propagationPolicy = p }
        if request.queryValue("orphanDependents") == "true" && options.propagationPolicy == nil { options.propagationPolicy = "Orphan" }
        return options
    }

    /// An object rendered for the requested version and format (plain, Table or metadata only).
    func respond(_ object: JSONValue, _ r: ServedResource, format: OutputFormat, status: Int = 200) -> ServerResponse {
        let obj = present(object, r)
        if format.table {
            return .json(Tables.table(for: [obj], resource: r, includeObject: format.includeObject, resourceVersion: nil, continueToken: nil).serializedBytes(), status: status)
        }
        if format.partialMetadata {
            let meta: JSONValue = ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj.metadata]
            return .json(meta.serializedBytes(), status: status)
        }
        return .json(obj.serializedBytes(), status: status)
    }

    /// The stored object as the requested version (CRD versions share storage; conversion is `None`).
    func present(_ object: JSONValue, _ r: ServedResource) -> JSONValue {
        var o = object
        o["apiVersion"] = .string(r.type.apiVersion)
        o["kind"] = .string(r.type.kind)
        return o
    }
}
