/// PATCH: JSON patch, JSON merge patch, strategic merge patch (built-in kinds only) and a
/// simplified server-side apply; the result goes through the update path atomically.
import KubeCore
import KubeMachinery

extension APIHandler {
    static let customResourcePatchTypes = ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"]
    static let builtinPatchTypes = customResourcePatchTypes + ["application/strategic-merge-patch+json"]

    func patch(_ request: ServerRequest, _ r: ServedResource, namespace: String?, name: String, target: UpdateTarget,
               dryRun: Bool) throws(APIError) -> (object: JSONValue, created: Bool) {
        let contentType = (request.header("Content-Type") ?? "").split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? ""
        let accepted = r.isCustom ? Self.customResourcePatchTypes : Self.builtinPatchTypes
        guard accepted.contains(contentType) else { throw .unsupportedMediaType(contentType, accepted: accepted) }
        let patchDoc: JSONValue
        if contentType == "application/apply-patch+yaml" {
            guard let manager = request.queryValue("fieldManager"), !manager.isEmpty else {
                throw .badRequest("PATCH requests with apply must have fieldManager set")
            }
            patchDoc = try BodyDecoding.decode(request.body, contentType: contentType)
        } else {
            do {
                patchDoc = try JSONValue.parse(request.body)
            } catch {
                throw .badRequest("error decoding patch: \(error.message)")
            }
        }
        let key = ObjectKey(namespace: r.type.namespaced ? (namespace ?? "") : "", name: name)
        return try store.withState { (s: inout ClusterState) throws(APIError) -> (object: JSONValue, created: Bool) in
            guard let current = s.get(r.storageKey, key) else {
                if contentType == "application/apply-patch+yaml" && target == .main {
                    var body = patchDoc
                    try checkTypeMeta(&body, r)
                    if let bodyName = body.name, bodyName != name {
                        throw .badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
                    }
                    body[path: ["metadata", "name"]] = .string(name)
                    return (try s.create(r, namespace: namespace, body: body, dryRun: dryRun), true)
                }
                throw .notFound(r.groupResource, name)
            }
            var base = current
            base["apiVersion"] = .string(r.type.apiVersion)
            let patched = try Self.applyPatch(patchDoc, contentType: contentType, to: base, resource: r)
            return (try s.update(r, namespace: namespace, name: name, body: patched, target: target, dryRun: dryRun), false)
        }
    }

    static func applyPatch(_ patch: JSONValue, contentType: String, to base: JSONValue, resource r: ServedResource) throws(APIError) -> JSONValue {
        switch contentType {
        case "application/json-patch+json":
            guard case .array = patch else { throw .badRequest("json patch must be an array of operations") }
            do {
                return try JSONPatch.apply(patch, to: base)
            } catch {
                throw APIError(code: 422, reason: .invalid, message: error.message)
            }
        case "application/merge-patch+json":
            guard case .object = patch else { throw .badRequest("merge patch must be a JSON object") }
            return JSONMergePatch.apply(patch, to: base)
        case "application/strategic-merge-patch+json":
            guard case .object = patch else { throw .badRequest("strategic merge patch must be a JSON object") }
            do {
                return try StrategicMergePatch.apply(patch, to: base, schema: PatchSchema.forKind(r.type.kind))
            } catch {
                throw APIError(code: 422, reason: .invalid, message: error.message)
            }
        default:
            // Server-side apply, simplified: the applied configuration is merged into the live object
            // (by merge keys for built-in kinds); field ownership is not tracked.
            guard case .object = patch else { throw .badRequest("apply patch must be an object") }
            var p = patch
            if let apiVersion = p.apiVersion, apiVersion != r.type.apiVersion {
                throw .badRequest("the API version in the data (\(apiVersion)) does not match the expected API version (\(r.type.apiVersion))")
            }
            p["status"] = p["status"]
            if r.isCustom { return JSONMergePatch.apply(p, to: base) }
            do {
                return try StrategicMergePatch.apply(p, to: base, schema: PatchSchema.forKind(r.type.kind))
            } catch {
                throw APIError(code: 422, reason: .invalid, message: error.message)
            }
        }
    }
}
