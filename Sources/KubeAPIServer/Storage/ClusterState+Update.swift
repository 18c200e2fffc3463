/// Update semantics: optimistic concurrency, status-subresource isolation, immutable
/// system metadata, generation bumps on non-metadata/status changes, no-op detection,
/// and removal once a deleting object's last finalizer is gone.
import KubeCore
import KubeMachinery

enum UpdateTarget: Sendable {
    case main
    case status
}

extension ClusterState {
    /// PUT semantics (also the tail of every patch): `body` is the full desired object.
    mutating func update(_ r: ServedResource, namespace: String?, name: String, body: JSONValue,
                         target: UpdateTarget = .main, dryRun: Bool = false) throws(APIError) -> JSONValue {
        var desired = body
        if let bodyName = desired.name, !bodyName.isEmpty, bodyName != name {
            throw .badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        desired[path: ["metadata", "name"]] = .string(name)
        try Self.checkNamespace(of: &desired, resource: r, urlNamespace: namespace)
        let key = ObjectKey(namespace: desired.namespace ?? "", name: name)
        guard let existing = get(r.storageKey, key) else { throw .notFound(r.groupResource, name) }
        if let rv = desired.resourceVersion, !rv.isEmpty, rv != existing.resourceVersion {
            throw .staleUpdate(r.groupResource, name)
        }
        // A uid in the body is a precondition (the kubelet's status patches carry one): an
        // object deleted and recreated under the same name is another object.
        if let uid = desired.uid, !uid.isEmpty, uid != existing.uid {
            throw .conflict(r.groupResource, name, "Precondition failed: UID in precondition: \(uid), UID in object meta: \(existing.uid ?? "")")
        }
        var new: JSONValue
        switch target {
        case .status:
            new = existing
            new["status"] = desired["status"]
        case .main:
            new = desired
            if r.hasStatus && r.type != .namespace { new["status"] = existing["status"] }
            if r.type == .namespace {
                // Namespace status (phase) is owned by the server; spec.finalizers is kept unless changed.
                new["status"] = existing["status"]
                if new[path: ["spec", "finalizers"]].isNull { new[path: ["spec", "finalizers"]] = existing[path: ["spec", "finalizers"]] }
            }
        }
        for field in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"] {
            new[path: ["metadata", field]] = existing[path: ["metadata", field]]
        }
        new[path: ["metadata", "resourceVersion"]] = existing[path: ["metadata", "resourceVersion"]]
        new["apiVersion"] = existing["apiVersion"]
        new["kind"] = existing["kind"]
        if r.type == .secret, case .object(let stringData) = new["stringData"] {
            var data = new["data"].objectValue ?? [:]
            for (k, v) in stringData { data[k] = .string(Data((v.stringValue ?? "").utf8).base64EncodedString()) }
            new["data"] = .object(data)
            new["stringData"] = nil
        }
        new = try admit(new, old: existing, resource: r)
        if target == .main && Self.specChanged(existing, new, statusIsSubresource: r.hasStatus) {
            new[path: ["metadata", "generation"]] = .int((existing.generation ?? 0) + 1)
        }
        if new == existing { return existing }
        if dryRun { return new }
        if new.deletionTimestamp != nil && new.finalizers.isEmpty {
            return finishDeletion(r.storageKey, key, finalState: new) ?? new
        }
        var stored = put(r.storageKey, new, type: .modified)
        if r.type == .customResourceDefinition { stored = establishCRD(stored) }
        if existing.ownerReferences != new.ownerReferences {
            collectIfOrphaned(ObjectRef(storageKey: r.storageKey, key: key))
            for owner in existing.ownerReferences { checkForegroundCompletion(ownerUID: owner.uid) }
        }
        return stored
    }

    /// Whether anything but metadata (and status, when it is a subresource) differs.
    static func specChanged(_ a: JSONValue, _ b: JSONValue, statusIsSubresource: Bool) -> Bool {
        var a = a, b = b
        for field in ["metadata", "apiVersion", "kind"] { a.removeKey(field); b.removeKey(field) }
        if statusIsSubresource { a.removeKey("status"); b.removeKey("status") }
        return a != b
    }
}

import Foundation
