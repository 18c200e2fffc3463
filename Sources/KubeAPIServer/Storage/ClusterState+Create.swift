/// Create semantics: namespace checks, generateName, system metadata, kind defaults,
/// validation (built-in rules and CRD structural schemas) and AlreadyExists.
import Foundation
import KubeCore
import KubeMachinery

extension ClusterState {
    mutating func create(_ r: ServedResource, namespace: String?, body: JSONValue, dryRun: Bool = false) throws(APIError) -> JSONValue {
        var obj = body
        try Self.checkNamespace(of: &obj, resource: r, urlNamespace: namespace)
        let ns = obj.namespace ?? ""
        if r.type.namespaced {
            guard let nsObject = get(ResourceType.namespace.storageKeyPath, ObjectKey(namespace: "", name: ns)) else {
                throw .notFound(.namespaces, ns)
            }
            if nsObject.deletionTimestamp != nil {
                throw .forbidden(r.groupResource, obj.name ?? "",
                                 "unable to create new content in namespace \(ns) because it is being terminated")
            }
        }
        if (obj.name ?? "").isEmpty {
            guard let prefix = obj[path: ["metadata", "generateName"]].stringValue, !prefix.isEmpty else {
                throw .invalid(kind: r.type.kind, group: r.type.gvk.group, name: "",
                               [FieldError(.required, path: "metadata.name", detail: "name or generateName is required")])
            }
            obj[path: ["metadata", "name"]] = .string(generateName(prefix, storageKey: r.storageKey, namespace: ns))
        }
        let name = obj.name ?? ""
        var meta = obj["metadata"]
        meta["uid"] = .string(UUID().uuidString.lowercased())
        meta["creationTimestamp"] = .string(KubeTime.format(now()))
        meta["generation"] = 1
        meta["resourceVersion"] = nil
        meta["deletionTimestamp"] = nil
        meta["deletionGracePeriodSeconds"] = nil
        obj["metadata"] = meta
        obj = applyCreateDefaults(obj, resource: r)
        if r.isCustom && r.hasStatus { obj["status"] = nil }
        obj = try admit(obj, old: nil, resource: r)
        if get(r.storageKey, ObjectKey(namespace: ns, name: name)) != nil {
            throw .alreadyExists(r.groupResource, name)
        }
        if dryRun { return obj }
        var stored = put(r.storageKey, obj, type: .added)
        if r.type == .customResourceDefinition { stored = establishCRD(stored) }
        collectIfOrphaned(ObjectRef(storageKey: r.storageKey, key: ObjectKey(namespace: ns, name: name)))
        return stored
    }

    /// Defaulting every fresh object of a kind gets.
    func applyCreateDefaults(_ object: JSONValue, resource r: ServedResource) -> JSONValue {
        var obj = object
        switch r.type {
        case .namespace:
            obj[path: ["spec", "finalizers"]] = ["kubernetes"]
            obj["status"] = ["phase": "Active"]
        case .pod:
            if obj[path: ["status", "phase"]].isNull { obj[path: ["status", "phase"]] = "Pending" }
            if obj[path: ["spec", "restartPolicy"]].isNull { obj[path: ["spec", "restartPolicy"]] = "Always" }
            if obj[path: ["spec", "schedulerName"]].isNull { obj[path: ["spec", "schedulerName"]] = "default-scheduler" }
        case .secret:
            if obj["type"].isNull { obj["type"] = "Opaque" }
            if case .object(let stringData) = obj["stringData"] {
                var data = obj["data"].objectValue ?? [:]
                for (k, v) in stringData { data[k] = .string(Data((v.stringValue ?? "").utf8).base64EncodedString()) }
                obj["data"] = .object(data)
                obj["stringData"] = nil
            }
        case .customResourceDefinition:
            obj["status"] = nil
        default:
            obj = InstallationKinds.createDefaults(obj, resource: r)
        }
        return obj
    }

    /// Validation and (for custom resources) pruning and defaulting; throws 422 with field causes.
    func admit(_ object: JSONValue, old: JSONValue?, resource r: ServedResource) throws(APIError) -> JSONValue {
        var obj = object
        let name = obj.name ?? ""
        var errors: [FieldError] = []
        let nameProblem = r.type == .namespace ? dns1123LabelProblem(name) : dns1123SubdomainProblem(name)
        if let nameProblem { errors.append(FieldError(.invalid, path: "metadata.name", value: .string(name), detail: nameProblem)) }
        for (k, v) in obj.labels {
            if let p = qualifiedNameProblem(k) { errors.append(FieldError(.invalid, path: "metadata.labels", value: .string(k), detail: p)) }
            if let p = labelValueProblem(v) { errors.append(FieldError(.invalid, path: "metadata.labels", value: .string(v), detail: p)) }
        }
        if let old, old.deletionTimestamp != nil {
            let added = obj.finalizers.filter { !old.finalizers.contains($0) }
            if !added.isEmpty {
                errors.append(FieldError(.forbidden, path: "metadata.finalizers",
                                         detail: "no new finalizers can be added if the object is being deleted, found new finalizers []string{\(added.map { "\"\($0)\"" }.joined(separator: ", "))}"))
            }
        }
        if let schema = r.schema {
            obj = schema.applyDefaults(schema.prune(obj))
            errors += schema.validate(obj, old: old)
        } else {
            errors += BuiltinKinds.validate(obj, resource: r)
            if let old { errors += InstallationKinds.immutabilityErrors(obj, old: old, resource: r) }
        }
        if r.type == .customResourceDefinition, case .failure(let e) = CRDServing.resources(for: obj) {
            errors += e.errors
        }
        if !errors.isEmpty { throw .invalid(kind: r.type.kind, group: r.type.gvk.group, name: name, errors) }
        return obj
    }

    /// Body namespace must match the URL; cluster-scoped objects carry none.
    static func checkNamespace(of obj: inout JSONValue, resource r: ServedResource, urlNamespace: String?) throws(APIError) {
        if r.type.namespaced {
            let ns = urlNamespace ?? ""
            if let bodyNS = obj.namespace, !bodyNS.isEmpty, bodyNS != ns {
                throw .badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            obj[path: ["metadata", "namespace"]] = .string(ns)
        } else {
            obj[path: ["metadata", "namespace"]] = nil
        }
    }

    /// `names.SimpleNameGenerator`: prefix + 5 random characters from a vowel-free alphabet, retried on collision.
    func generateName(_ prefix: String, storageKey: String, namespace: String) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        let base = prefix.count > 58 ? String(prefix.prefix(58)) : prefix
        while true {
            let candidate = base + String((0..<5).map { _ in alphabet.randomElement() ?? "x" })
            if get(storageKey, ObjectKey(namespace: namespace, name: candidate)) == nil { return candidate }
        }
    }
}

extension ResourceType {
    /// The storage key of a built-in type (group/plural), matching `ServedResource.storageKey`.
    var storageKeyPath: String { "\(gvk.group)/\(plural)" }
}
