/// Subresources: status (all kinds that have it), scale (CRDs, autoscaling/v1 Scale),
/// and the pod-only binding, eviction and log; namespaces/finalize.
import KubeCore
import KubeMachinery

extension APIHandler {
    func handleSubresource(_ request: ServerRequest, _ r: ServedResource, path: ResourcePath, name: String, subresource: String,
                           format: OutputFormat, dryRun: Bool) async throws(APIError) -> ServerResponse {
        let ns = path.namespace
        switch (subresource, request.method) {
        case ("status", "GET") where r.hasStatus:
            return respond(try getObject(r, namespace: ns, name: name), r, format: format)
        case ("status", "PUT") where r.hasStatus:
            let body = try decodeObject(request, r)
            let updated = try store.withState { (s: inout ClusterState) throws(APIError) in
                try s.update(r, namespace: ns, name: name, body: body, target: .status, dryRun: dryRun)
            }
            return respond(updated, r, format: format)
        case ("status", "PATCH") where r.hasStatus:
            return respond(try patch(request, r, namespace: ns, name: name, target: .status, dryRun: dryRun).object, r, format: format)
        case ("finalize", "PUT") where r.type == .namespace:
            let body = try decodeObject(request, r)
            let updated = try store.withState { (s: inout ClusterState) throws(APIError) -> JSONValue in
                var current = try existing(s, r, ns, name)
                current[path: ["spec", "finalizers"]] = body[path: ["spec", "finalizers"]]
                let result = try s.update(r, namespace: nil, name: name, body: current, dryRun: dryRun)
                s.checkNamespaceCompletion(name)
                return result
            }
            return respond(updated, r, format: format)
        case ("scale", _) where r.scale != nil:
            return try scale(request, r, namespace: ns, name: name, dryRun: dryRun)
        case ("binding", "POST") where r.type == .pod:
            return try bind(request, r, namespace: ns, name: name)
        case ("eviction", "POST") where r.type == .pod:
            _ = try store.withState { (s: inout ClusterState) throws(APIError) in
                try s.delete(r, namespace: ns, name: name, options: DeleteRequest(dryRun: dryRun))
            }
            return .json(Self.success.serializedBytes(), status: 201)
        case ("log", "GET") where r.type == .pod:
            return try await podLog(request, r, namespace: ns ?? "", name: name)
        case (_, "GET"), (_, "PUT"), (_, "PATCH"), (_, "POST"):
            let known = ["status", "scale", "binding", "eviction", "log", "finalize"]
            if known.contains(subresource) && (subresource != "scale" || r.scale != nil) && (subresource != "status" || r.hasStatus) {
                throw .methodNotAllowed(request.method)
            }
            throw .notServed
        default:
            throw .methodNotAllowed(request.method)
        }
    }

    static let success: JSONValue = ["kind": "Status", "apiVersion": "v1", "metadata": .emptyObject, "status": "Success", "code": 201]

    private func existing(_ s: ClusterState, _ r: ServedResource, _ ns: String?, _ name: String) throws(APIError) -> JSONValue {
        guard let obj = s.get(r.storageKey, ObjectKey(namespace: r.type.namespaced ? (ns ?? "") : "", name: name)) else {
            throw .notFound(r.groupResource, name)
        }
        return obj
    }

    // MARK: scale

    private func scale(_ request: ServerRequest, _ r: ServedResource, namespace ns: String?, name: String, dryRun: Bool) throws(APIError) -> ServerResponse {
        guard let mapping = r.scale else { throw .notServed }
        let gr = GroupResourceName(group: r.type.gvk.group, resource: r.type.plural)
        switch request.method {
        case "GET":
            let obj = try store.withState { (s: inout ClusterState) throws(APIError) in try existing(s, r, ns, name) }
            return .json(Self.scaleObject(obj, mapping).serializedBytes())
        case "PUT", "PATCH":
            let isPatch = request.method == "PATCH"
            let contentType = (request.header("Content-Type") ?? "").split(separator: ";").first.map(String.init) ?? ""
            if isPatch && !["application/json-patch+json", "application/merge-patch+json"].contains(contentType) {
                throw .unsupportedMediaType(contentType, accepted: ["application/json-patch+json", "application/merge-patch+json"])
            }
            let body = try BodyDecoding.decode(request.body, contentType: isPatch ? nil : request.header("Content-Type"))
            let result = try store.withState { (s: inout ClusterState) throws(APIError) -> JSONValue in
                let obj = try existing(s, r, ns, name)
                let current = Self.scaleObject(obj, mapping)
                let desired = isPatch ? try Self.applyPatch(body, contentType: contentType, to: current, resource: r) : body
                if let rv = desired.resourceVersion, !rv.isEmpty, rv != obj.resourceVersion { throw .staleUpdate(gr, name) }
                guard let replicas = desired[path: ["spec", "replicas"]].intValue else {
                    throw .invalid(kind: "Scale", group: "autoscaling", name: name,
                                   [FieldError(.required, path: "spec.replicas")])
                }
                if replicas < 0 {
                    throw .invalid(kind: "Scale", group: "autoscaling", name: name,
                                   [FieldError(.invalid, path: "spec.replicas", value: .int(replicas), detail: "must be greater than or equal to 0")])
                }
                var updated = obj
                updated[path: Self.pathComponents(mapping.specReplicasPath)] = .int(replicas)
                updated[path: ["metadata", "resourceVersion"]] = nil
                let stored = try s.update(r, namespace: ns, name: name, body: updated, dryRun: dryRun)
                return Self.scaleObject(stored, mapping)
            }
            return .json(result.serializedBytes())
        default:
            throw .methodNotAllowed(request.method)
        }
    }

    static func pathComponents(_ path: String) -> [String] {
        path.split(separator: ".").map(String.init)
    }

    static func scaleObject(_ obj: JSONValue, _ mapping: ScaleMapping) -> JSONValue {
        var status: JSONValue = ["replicas": .int(obj[path: pathComponents(mapping.statusReplicasPath)].intValue ?? 0)]
        if let selectorPath = mapping.labelSelectorPath, let selector = obj[path: pathComponents(selectorPath)].stringValue {
            status["selector"] = .string(selector)
        }
        var meta: JSONValue = .emptyObject
        for key in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] { meta[key] = obj[path: ["metadata", key]] }
        return [
            "kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": meta,
            "spec": ["replicas": .int(obj[path: pathComponents(mapping.specReplicasPath)].intValue ?? 0)],
            "status": status,
        ]
    }

    // MARK: pods

    private func bind(_ request: ServerRequest, _ r: ServedResource, namespace ns: String?, name: String) throws(APIError) -> ServerResponse {
        let body = try BodyDecoding.decode(request.body, contentType: request.header("Content-Type"))
        guard let node = body[path: ["target", "name"]].stringValue, !node.isEmpty else {
            throw .invalid(kind: "Binding", group: "", name: name, [FieldError(.required, path: "target.name")])
        }
        try store.withState { (s: inout ClusterState) throws(APIError) in
            var pod = try existing(s, r, ns, name)
            if let assigned = pod[path: ["spec", "nodeName"]].stringValue, !assigned.isEmpty {
                throw .conflict(r.groupResource, name, "pod \(name) is already assigned to node \"\(assigned)\"")
            }
            if pod.deletionTimestamp != nil {
                throw .conflict(r.groupResource, name, "pod \(name) is being deleted, cannot be assigned to a host")
            }
            pod[path: ["spec", "nodeName"]] = .string(node)
            s.put(r.storageKey, pod, type: .modified)
        }
        return .json(Self.success.serializedBytes(), status: 201)
    }

    private func podLog(_ request: ServerRequest, _ r: ServedResource, namespace: String, name: String) async throws(APIError) -> ServerResponse {
        let pod = try getObject(r, namespace: namespace, name: name)
        let containers = (pod[path: ["spec", "containers"]].arrayValue ?? []).compactMap { $0["name"].stringValue }
        let container = request.queryValue("container") ?? (containers.count == 1 ? containers.first : nil)
        guard let container else {
            throw .badRequest("a container name must be specified for pod \(name), choose one of: [\(containers.joined(separator: " "))]")
        }
        guard containers.contains(container) else {
            throw .badRequest("container \(container) is not valid for pod \(name)")
        }
        guard let provider = podLogProvider() else {
            throw .badRequest("container \"\(container)\" in pod \"\(name)\" has no logs available: no log provider is configured")
        }
        let text: String?
        do {
            text = try await provider.logs(namespace: namespace, pod: name, container: container,
                                           tailLines: request.queryValue("tailLines").flatMap { Int($0) })
        } catch {
            throw .internal("reading logs of pod \(name): \(error)")
        }
        guard let text else {
            throw .badRequest("container \"\(container)\" in pod \"\(name)\" has no logs available")
        }
        return .text(text)
    }
}
