/// List and deletecollection: label/field selectors, resourceVersion rules, and
/// `limit`/`continue` pagination with opaque tokens that expire with the history window.
import Foundation
import KubeCore
import KubeMachinery

/// Label and field selectors of a list or watch request.
struct ObjectFilter: Sendable {
    var labels = LabelSelector()
    var fields = FieldSelector()
    var resource: ServedResource

    init(_ request: ServerRequest, _ r: ServedResource) throws(APIError) {
        resource = r
        (labels, fields) = try Self.selectors(request)
        let supported = BuiltinKinds.selectableFields(.emptyObject, resource: r)
        for f in fields.fields where supported[f] == nil {
            throw .badRequest("field label not supported: \(f)")
        }
    }

    var isEverything: Bool { labels.isEverything && fields.isEverything }

    /// The request's `labelSelector` and `fieldSelector`, with the API server's messages
    /// for ones that do not parse (which fields a kind supports is the caller's check).
    static func selectors(_ request: ServerRequest) throws(APIError) -> (LabelSelector, FieldSelector) {
        let labels: LabelSelector, fields: FieldSelector
        do {
            labels = try LabelSelector.parse(request.queryValue("labelSelector") ?? "")
        } catch {
            throw .badRequest("unable to parse requirement: \(error.message)")
        }
        do {
            fields = try FieldSelector.parse(request.queryValue("fieldSelector") ?? "")
        } catch {
            throw .badRequest("invalid field selector: \(error.message)")
        }
        return (labels, fields)
    }

    func matches(_ object: JSONValue) -> Bool {
        if isEverything { return true }
        return labels.matches(object.labels) && fields.matches(BuiltinKinds.selectableFields(object, resource: resource))
    }
}

/// The opaque `continue` token: the list's resourceVersion and the last key returned.
struct ContinueToken: Codable {
    var rv: Int64
    var namespace: String
    var name: String

    var encoded: String { Data((try? JSONEncoder().encode(self)) ?? Data()).base64EncodedString() }

    init(rv: Int64, after key: ObjectKey) {
        self.rv = rv
        namespace = key.namespace
        name = key.name
    }

    var key: ObjectKey { ObjectKey(namespace: namespace, name: name) }

    init(decoding text: String) throws(APIError) {
        guard let data = Data(base64Encoded: text), let token = try? JSONDecoder().decode(ContinueToken.self, from: data) else {
            throw .badRequest("continue key is not valid: illegal base64 data or token")
        }
        self = token
    }
}

extension APIHandler {
    func parseResourceVersion(_ text: String?) throws(APIError) -> Int64? {
        guard let text, !text.isEmpty else { return nil }
        guard let rv = Int64(text), rv >= 0 else {
            throw APIError(code: 400, reason: .badRequest, message: "resourceVersion: Invalid value: \"\(text)\": must be a valid resourceVersion")
        }
        return rv
    }

    func list(_ request: ServerRequest, _ r: ServedResource, namespace: String?, format: OutputFormat) throws(APIError) -> ServerResponse {
        let filter = try ObjectFilter(request, r)
        let limit = request.queryValue("limit").flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
        let continueText = request.queryValue("continue").flatMap { $0.isEmpty ? nil : $0 }
        let requestedRV = try parseResourceVersion(request.queryValue("resourceVersion"))
        if continueText != nil && requestedRV != nil && requestedRV != 0 {
            throw .badRequest("specifying resource version is not allowed when using continue")
        }
        let token = try continueText.map { (t: String) throws(APIError) in try ContinueToken(decoding: t) }
        let (all, currentRV, compactedRV) = store.withState { s in (s.objects[r.storageKey] ?? [:], s.resourceVersion, s.compactedRV) }
        if let requestedRV, requestedRV > currentRV { throw .tooLargeResourceVersion(requested: requestedRV, current: currentRV) }
        if let token, token.rv < compactedRV {
            throw .expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.")
        }
        var items = all.filter { (namespace == nil || $0.key.namespace == namespace) && filter.matches($0.value) }
            .sorted { $0.key < $1.key }
        if let token { items = items.filter { $0.key > token.key } }
        let listRV = token?.rv ?? currentRV
        var continueToken: String?
        var remaining: Int64?
        if let limit, items.count > limit {
            remaining = Int64(items.count - limit)
            items = Array(items.prefix(limit))
            continueToken = items.last.map { ContinueToken(rv: listRV, after: $0.key).encoded }
        }
        let objects = items.map { present($0.value, r) }
        if format.table {
            return .json(Tables.table(for: objects, resource: r, includeObject: format.includeObject,
                                      resourceVersion: String(listRV), continueToken: continueToken).serializedBytes())
        }
        var meta: JSONValue = ["resourceVersion": .string(String(listRV))]
        if let continueToken { meta["continue"] = .string(continueToken) }
        if let remaining { meta["remainingItemCount"] = .int(remaining) }
        var list: JSONValue = ["kind": .string(r.type.kind + "List"), "apiVersion": .string(r.type.apiVersion), "metadata": meta]
        if format.partialMetadata {
            list["kind"] = "PartialObjectMetadataList"
            list["apiVersion"] = "meta.k8s.io/v1"
            list["items"] = .array(objects.map { ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": $0.metadata] })
        } else {
            list["items"] = .array(objects)
        }
        return .json(list.serializedBytes())
    }

    func deleteCollection(_ request: ServerRequest, _ r: ServedResource, namespace: String?, dryRun: Bool) throws(APIError) -> ServerResponse {
        let filter = try ObjectFilter(request, r)
        let options = try deleteOptions(request, dryRun: dryRun)
        let deleted = try store.withState { (s: inout ClusterState) throws(APIError) -> [JSONValue] in
            var out: [JSONValue] = []
            for (key, obj) in s.list(r.storageKey, namespace: namespace) where filter.matches(obj) {
                out.append(try s.delete(r, namespace: key.namespace, name: key.name, options: options))
            }
            return out
        }
        let rv = store.withState { $0.resourceVersion }
        let list: JSONValue = [
            "kind": .string(r.type.kind + "List"), "apiVersion": .string(r.type.apiVersion),
            "metadata": ["resourceVersion": .string(String(rv))], "items": .array(deleted.map { present($0, r) }),
        ]
        return .json(list.serializedBytes())
    }
}
