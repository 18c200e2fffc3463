/// Typed resources: the `KubernetesResource` protocol and `Api<T>`, a typed view of the
/// dynamic API that encodes and decodes through `JSONValue`.
import KubeCore

/// A Kubernetes kind as a Swift type. `apiVersion` and `kind` come from `resourceType`,
/// so conforming types need not store them.
public protocol KubernetesResource: Codable, Sendable {
    static var resourceType: ResourceType { get }
    var metadata: ObjectMeta { get set }
}

extension KubernetesResource {
    /// The object as JSON, with `apiVersion` and `kind` set.
    public func json() throws(KubeClientError) -> JSONValue {
        var value: JSONValue
        do {
            value = try JSONValue(encoding: self)
        } catch {
            throw .decoding(DecodingFailure(operation: "encoding \(Self.resourceType.kind)", message: "\(error)"))
        }
        value["apiVersion"] = .string(Self.resourceType.apiVersion)
        value["kind"] = .string(Self.resourceType.kind)
        return value
    }

    /// Decodes an object returned by the API server.
    public init(json: JSONValue) throws(KubeClientError) {
        do {
            self = try json.decode(Self.self)
        } catch {
            throw .decoding(DecodingFailure(operation: "decoding \(Self.resourceType.kind) \(json.name ?? "")", message: "\(error)"))
        }
    }
}

/// One page of a typed list.
public struct ResourceList<T: KubernetesResource>: Sendable {
    public var items: [T]
    public var metadata: ListMeta
}

/// The typed API for one kind, optionally bound to a namespace. With `namespace == nil`,
/// list/watch/deleteCollection cover all namespaces and single-object calls use the
/// object's namespace or the client's default namespace.
public struct Api<T: KubernetesResource>: Sendable {
    public let client: KubernetesClient
    public let namespace: String?
    var resource: ResourceType { T.resourceType }

    public init(_ client: KubernetesClient, namespace: String? = nil) {
        self.client = client
        self.namespace = namespace
    }

    public func get(_ name: String) async throws(KubeClientError) -> T {
        try T(json: await client.get(resource, name: name, namespace: namespace))
    }

    /// `get` that returns nil on 404.
    public func getOpt(_ name: String) async throws(KubeClientError) -> T? {
        do {
            return try await get(name)
        } catch where error.isNotFound {
            return nil
        }
    }

    public func list(_ options: ListOptions = ListOptions()) async throws(KubeClientError) -> ResourceList<T> {
        try decodeList(await client.list(resource, namespace: namespace, options: options))
    }

    public func listAll(_ options: ListOptions = ListOptions()) async throws(KubeClientError) -> ResourceList<T> {
        try decodeList(await client.listAll(resource, namespace: namespace, options: options))
    }

    public func create(_ object: T, fieldManager: String? = nil, dryRun: Bool = false) async throws(KubeClientError) -> T {
        try T(json: await client.create(object.json(), resource, namespace: namespace, fieldManager: fieldManager, dryRun: dryRun))
    }

    /// PUT with the object's resourceVersion as precondition (409 Conflict when stale).
    public func update(_ object: T, fieldManager: String? = nil, dryRun: Bool = false) async throws(KubeClientError) -> T {
        try T(json: await client.update(object.json(), resource, namespace: namespace, fieldManager: fieldManager, dryRun: dryRun))
    }

    public func patch(_ name: String, patch: JSONValue, type: PatchType = .merge, fieldManager: String? = nil, force: Bool? = nil) async throws(KubeClientError) -> T {
        try T(json: await client.patch(resource, name: name, namespace: namespace, patch: patch, type: type, fieldManager: fieldManager, force: force))
    }

    /// Server-side apply of the whole object as this field manager owns it.
    public func apply(_ object: T, fieldManager: String, force: Bool = false) async throws(KubeClientError) -> T {
        guard let name = object.metadata.name else {
            throw .configuration(ConfigurationError("apply \(resource.kind): the object has no metadata.name"))
        }
        return try T(json: await client.patch(resource, name: name, namespace: namespace ?? object.metadata.namespace, patch: object.json(), type: .apply, fieldManager: fieldManager, force: force))
    }

    public func delete(_ name: String, options: DeleteOptions = DeleteOptions()) async throws(KubeClientError) -> DeleteOutcome {
        try await client.delete(resource, name: name, namespace: namespace, options: options)
    }

    public func deleteCollection(_ listOptions: ListOptions = ListOptions(), options: DeleteOptions = DeleteOptions()) async throws(KubeClientError) -> DeleteOutcome {
        try await client.deleteCollection(resource, namespace: namespace, listOptions: listOptions, options: options)
    }

    public func getStatus(_ name: String) async throws(KubeClientError) -> T {
        try T(json: await client.getStatus(resource, name: name, namespace: namespace))
    }

    public func updateStatus(_ object: T, fieldManager: String? = nil) async throws(KubeClientError) -> T {
        try T(json: await client.updateStatus(object.json(), resource, namespace: namespace, fieldManager: fieldManager))
    }

    public func patchStatus(_ name: String, patch: JSONValue, type: PatchType = .merge, fieldManager: String? = nil, force: Bool? = nil) async throws(KubeClientError) -> T {
        try T(json: await client.patchStatus(resource, name: name, namespace: namespace, patch: patch, type: type, fieldManager: fieldManager, force: force))
    }

    public func getScale(_ name: String) async throws(KubeClientError) -> Scale {
        try Scale(json: await client.getScale(resource, name: name, namespace: namespace))
    }

    public func updateScale(_ name: String, scale: Scale) async throws(KubeClientError) -> Scale {
        try Scale(json: await client.updateScale(scale.json(), resource, name: name, namespace: namespace))
    }

    public func patchScale(_ name: String, patch: JSONValue, type: PatchType = .merge) async throws(KubeClientError) -> Scale {
        try Scale(json: await client.patchScale(resource, name: name, namespace: namespace, patch: patch, type: type))
    }

    /// Raw watch events of this kind; decode objects with `T(json: event.object)`.
    public func watch(_ options: ListOptions = ListOptions()) -> AsyncThrowingStream<WatchEvent, any Error> {
        client.watch(resource, namespace: namespace, options: options)
    }

    private func decodeList(_ list: ObjectList) throws(KubeClientError) -> ResourceList<T> {
        var items: [T] = []
        items.reserveCapacity(list.items.count)
        for item in list.items { items.append(try T(json: item)) }
        return ResourceList(items: items, metadata: list.metadata)
    }
}
