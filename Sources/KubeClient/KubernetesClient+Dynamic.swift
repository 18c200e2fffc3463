/// The dynamic (unstructured) API: every operation on any resource type, objects as `JSONValue`.
import KubeCore

/// One page of a list: the items and the list's metadata (`resourceVersion`, `continue`).
public struct ObjectList: Sendable, Hashable {
    public var items: [JSONValue]
    public var metadata: ListMeta

    public init(items: [JSONValue], metadata: ListMeta) {
        self.items = items
        self.metadata = metadata
    }
}

/// What a DELETE returned. Servers answer either with a `Status` or with the object
/// (kube-apiserver returns the object for pods and custom resources), so an object body
/// alone does not mean the deletion is incomplete: its `deletionTimestamp` does.
public enum DeleteOutcome: Sendable, Hashable {
    /// The object is gone; the server answered with a success Status.
    case deleted(Status)
    /// The object is gone; the server returned its final state.
    case deletedObject(JSONValue)
    /// The object still exists with a deletionTimestamp: finalizers (or a grace period)
    /// hold it until they are done.
    case pending(JSONValue)

    public var isPending: Bool {
        if case .pending = self { return true }
        return false
    }
}

extension KubernetesClient {
    /// The namespace for a call on one object: the explicit one, else the object's, else the
    /// client's default; nil for cluster-scoped types.
    func namespace(for resource: ResourceType, _ explicit: String?, object: JSONValue? = nil) -> String? {
        guard resource.namespaced else { return nil }
        if let explicit, !explicit.isEmpty { return explicit }
        if let ns = object?.namespace, !ns.isEmpty { return ns }
        return configuration.namespace
    }

    func sendJSON(_ request: APIRequest) async throws(KubeClientError) -> JSONValue {
        try await send(request).json(operation: "\(request.method.rawValue) \(request.path)")
    }

    public func get(_ resource: ResourceType, name: String, namespace: String? = nil) async throws(KubeClientError) -> JSONValue {
        try await sendJSON(RequestBuilder(resource).get(name: name, namespace: self.namespace(for: resource, namespace)))
    }

    /// The object, or nil when the server says it does not exist (404); other errors throw.
    public func getIfPresent(_ resource: ResourceType, name: String, namespace: String? = nil) async throws(KubeClientError) -> JSONValue? {
        do {
            return try await get(resource, name: name, namespace: namespace)
        } catch {
            if error.isNotFound { return nil }
            throw error
        }
    }

    /// Lists one page. For namespaced types a nil `namespace` lists all namespaces.
    public func list(_ resource: ResourceType, namespace: String? = nil, options: ListOptions = ListOptions()) async throws(KubeClientError) -> ObjectList {
        let request = RequestBuilder(resource).list(namespace: resource.namespaced ? namespace : nil, options: options)
        let json = try await sendJSON(request)
        let operation = "GET \(request.path)"
        guard let items = json["items"].arrayValue ?? (json["items"].isNull ? [] : nil) else {
            throw .decoding(DecodingFailure(operation: operation, message: "list has no items array"))
        }
        let meta: ListMeta
        do {
            meta = json["metadata"].isNull ? ListMeta() : try json["metadata"].decode(ListMeta.self)
        } catch {
            throw .decoding(DecodingFailure(operation: operation, message: "list metadata: \(error)"))
        }
        // Items of a list omit apiVersion/kind; fill them in so each item stands alone.
        let itemKind = (json.kind ?? "").hasSuffix("List") ? String((json.kind ?? "").dropLast(4)) : resource.kind
        let filled = items.map { item -> JSONValue in
            var item = item
            if item.apiVersion == nil { item["apiVersion"] = .string(json.apiVersion ?? resource.apiVersion) }
            if item.kind == nil { item["kind"] = .string(itemKind.isEmpty ? resource.kind : itemKind) }
            return item
        }
        return ObjectList(items: filled, metadata: meta)
    }

    /// Lists every page, following `continue`; the result carries the first page's
    /// resourceVersion (a continue token pins the snapshot, so all pages share it).
    public func listAll(_ resource: ResourceType, namespace: String? = nil, options: ListOptions = ListOptions()) async throws(KubeClientError) -> ObjectList {
        var page = try await list(resource, namespace: namespace, options: options)
        var all = page.items
        let resourceVersion = page.metadata.resourceVersion
        while let token = page.metadata.continue, !token.isEmpty {
            var next = options
            next.continueToken = token
            next.resourceVersion = nil  // not allowed together with continue
            next.resourceVersionMatch = nil
            page = try await list(resource, namespace: namespace, options: next)
            all += page.items
        }
        return ObjectList(items: all, metadata: ListMeta(resourceVersion: resourceVersion))
    }

    public func create(_ object: JSONValue, _ resource: ResourceType, namespace: String? = nil, fieldManager: String? = nil, dryRun: Bool = false) async throws(KubeClientError) -> JSONValue {
        try await sendJSON(RequestBuilder(resource).create(object, namespace: self.namespace(for: resource, namespace, object: object), fieldManager: fieldManager, dryRun: dryRun))
    }

    /// PUT. The object's `metadata.resourceVersion` is the precondition: when stale the
    /// server answers 409 Conflict (`isConflict`); re-read and retry.
    public func update(_ object: JSONValue, _ resource: ResourceType, namespace: String? = nil, fieldManager: String? = nil, dryRun: Bool = false) async throws(KubeClientError) -> JSONValue {
        let name = try requireName(object, "PUT \(resource.plural)")
        return try await sendJSON(
            RequestBuilder(resource).update(object, name: name, namespace: self.namespace(for: resource, namespace, object: object), fieldManager: fieldManager, dryRun: dryRun))
    }

    /// PATCH with any patch type. For `.apply` (server-side apply) `fieldManager` is required
    /// and `force` takes ownership of conflicting fields. A JSON patch is an array of operations.
    public func patch(
        _ resource: ResourceType, name: String, namespace: String? = nil, patch: JSONValue, type: PatchType,
        fieldManager: String? = nil, force: Bool? = nil, dryRun: Bool = false
    ) async throws(KubeClientError) -> JSONValue {
        try await self.patch(resource, name: name, namespace: namespace, subresource: nil, patch: patch, type: type, fieldManager: fieldManager, force: force, dryRun: dryRun)
    }

    func patch(
        _ resource: ResourceType, name: String, namespace: String?, subresource: String?, patch: JSONValue, type: PatchType,
        fieldManager: String?, force: Bool?, dryRun: Bool = false
    ) async throws(KubeClientError) -> JSONValue {
        if type == .apply && (fieldManager ?? "").isEmpty {
            throw .configuration(ConfigurationError("PATCH \(resource.plural)/\(name): server-side apply requires a fieldManager"))
        }
        // force is only meaningful for apply; the API server rejects it on other patch types.
        let request = RequestBuilder(resource).patch(
            patch.serializedBytes(), type: type, name: name, namespace: self.namespace(for: resource, namespace, object: patch), subresource: subresource,
            fieldManager: fieldManager, force: type == .apply ? force : nil, dryRun: dryRun)
        return try await sendJSON(request)
    }

    /// DELETE with propagation policy and preconditions (uid / resourceVersion → 409 on mismatch).
    public func delete(_ resource: ResourceType, name: String, namespace: String? = nil, options: DeleteOptions = DeleteOptions()) async throws(KubeClientError) -> DeleteOutcome {
        let json = try await sendJSON(RequestBuilder(resource).delete(name: name, namespace: self.namespace(for: resource, namespace), options: options))
        return try deleteOutcome(json, operation: "DELETE \(resource.plural)/\(name)")
    }

    /// Deletes every object matching `listOptions`' selectors. For namespaced types this is
    /// per namespace (nil means the client's default; the API has no cluster-wide form).
    public func deleteCollection(
        _ resource: ResourceType, namespace: String? = nil, listOptions: ListOptions = ListOptions(), options: DeleteOptions = DeleteOptions()
    ) async throws(KubeClientError) -> DeleteOutcome {
        let ns = resource.namespaced ? (namespace ?? configuration.namespace) : nil
        let json = try await sendJSON(RequestBuilder(resource).deleteCollection(namespace: ns, options: listOptions, deleteOptions: options))
        return try deleteOutcome(json, operation: "DELETE \(resource.plural)")
    }

    // MARK: status subresource

    public func getStatus(_ resource: ResourceType, name: String, namespace: String? = nil) async throws(KubeClientError) -> JSONValue {
        try await sendJSON(RequestBuilder(resource).get(name: name, namespace: self.namespace(for: resource, namespace), subresource: "status"))
    }

    /// PUT `/status`: only `.status` changes are kept; the resourceVersion precondition applies.
    public func updateStatus(_ object: JSONValue, _ resource: ResourceType, namespace: String? = nil, fieldManager: String? = nil) async throws(KubeClientError) -> JSONValue {
        let name = try requireName(object, "PUT \(resource.plural)/status")
        return try await sendJSON(
            RequestBuilder(resource).update(object, name: name, namespace: self.namespace(for: resource, namespace, object: object), subresource: "status", fieldManager: fieldManager))
    }

    public func patchStatus(
        _ resource: ResourceType, name: String, namespace: String? = nil, patch: JSONValue, type: PatchType = .merge, fieldManager: String? = nil, force: Bool? = nil
    ) async throws(KubeClientError) -> JSONValue {
        try await self.patch(resource, name: name, namespace: namespace, subresource: "status", patch: patch, type: type, fieldManager: fieldManager, force: force)
    }

    // MARK: scale subresource (autoscaling/v1 Scale)

    public func getScale(_ resource: ResourceType, name: String, namespace: String? = nil) async throws(KubeClientError) -> JSONValue {
        try await sendJSON(RequestBuilder(resource).get(name: name, namespace: self.namespace(for: resource, namespace), subresource: "scale"))
    }

    public func updateScale(_ scale: JSONValue, _ resource: ResourceType, name: String, namespace: String? = nil) async throws(KubeClientError) -> JSONValue {
        try await sendJSON(RequestBuilder(resource).update(scale, name: name, namespace: self.namespace(for: resource, namespace, object: scale), subresource: "scale"))
    }

    public func patchScale(_ resource: ResourceType, name: String, namespace: String? = nil, patch: JSONValue, type: PatchType = .merge) async throws(KubeClientError) -> JSONValue {
        try await self.patch(resource, name: name, namespace: namespace, subresource: "scale", patch: patch, type: type, fieldManager: nil, force: nil)
    }

    // MARK: helpers

    private func requireName(_ object: JSONValue, _ operation: String) throws(KubeClientError) -> String {
        guard let name = object.name, !name.isEmpty else {
            throw .configuration(ConfigurationError("\(operation): the object has no metadata.name"))
        }
        return name
    }

    private func deleteOutcome(_ json: JSONValue, operation: String) throws(KubeClientError) -> DeleteOutcome {
        if json.kind == "Status" {
            guard let status = Status(json: json) else {
                throw .decoding(DecodingFailure(operation: operation, message: "the Status body does not decode"))
            }
            return .deleted(status)
        }
        return json.deletionTimestamp == nil ? .deletedObject(json) : .pending(json)
    }
}
