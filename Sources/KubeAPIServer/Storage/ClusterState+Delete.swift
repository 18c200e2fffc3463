/// Delete semantics: preconditions, finalizers and deletionTimestamp, propagation
/// policies (background, foreground, orphan), and what follows a removal.
import KubeCore
import KubeMachinery

struct DeleteRequest: Sendable {
    var propagationPolicy: String?
    var preconditionUID: String?
    var preconditionResourceVersion: String?
    var dryRun = false
}

extension ClusterState {
    static let undeletableNamespaces: Set<String> = ["default", "kube-system", "kube-public"]

    mutating func delete(_ r: ServedResource, namespace: String?, name: String, options: DeleteRequest) throws(APIError) -> JSONValue {
        let key = ObjectKey(namespace: r.type.namespaced ? (namespace ?? "") : "", name: name)
        guard var existing = get(r.storageKey, key) else { throw .notFound(r.groupResource, name) }
        if let uid = options.preconditionUID, uid != existing.uid {
            throw .conflict(r.groupResource, name, "Precondition failed: UID in precondition: \(uid), UID in object meta: \(existing.uid ?? "")")
        }
        if let rv = options.preconditionResourceVersion, rv != existing.resourceVersion {
            throw .conflict(r.groupResource, name,
                            "Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(existing.resourceVersion ?? "")")
        }
        if let policy = options.propagationPolicy, !["Background", "Foreground", "Orphan"].contains(policy) {
            throw .invalid(kind: "DeleteOptions", group: "", name: "", [
                FieldError(.notSupported, path: "propagationPolicy", value: .string(policy),
                           detail: "supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"")])
        }
        if r.type == .namespace && Self.undeletableNamespaces.contains(name) {
            // The NamespaceLifecycle admission plugin protects the system namespaces.
            throw .forbidden(r.groupResource, name, "this namespace may not be deleted")
        }
        if options.dryRun { return existing }
        if r.type == .namespace { return deleteNamespace(existing) }
        if existing.deletionTimestamp != nil { return existing }
        let policy = options.propagationPolicy ?? "Background"
        if policy == "Orphan", let uid = existing.uid { orphanDependents(of: uid) }
        var finalizers = existing.finalizers
        if policy == "Foreground" && !(existing.uid.map { dependents[$0]?.isEmpty == false } ?? false) {
            // Nothing depends on it: foreground is immediate.
        } else if policy == "Foreground" && !finalizers.contains("foregroundDeletion") {
            finalizers.append("foregroundDeletion")
        }
        if finalizers.isEmpty {
            return finishDeletion(r.storageKey, key, finalState: nil) ?? existing
        }
        existing[path: ["metadata", "finalizers"]] = .array(finalizers.map { .string($0) })
        existing[path: ["metadata", "deletionTimestamp"]] = .string(KubeTime.format(now()))
        existing[path: ["metadata", "deletionGracePeriodSeconds"]] = 0
        let stored = put(r.storageKey, existing, type: .modified)
        if policy == "Foreground", let uid = stored.uid {
            for dependent in dependents[uid] ?? [] { deleteQuietly(dependent, policy: "Foreground") }
            checkForegroundCompletion(ownerUID: uid)
        }
        return get(r.storageKey, key) ?? stored
    }

    /// Deletes an object on the server's own behalf (GC, namespace cleanup); errors are irrelevant there.
    mutating func deleteQuietly(_ ref: ObjectRef, policy: String = "Background") {
        guard let r = registry.anyVersion(storageKey: ref.storageKey) else {
            _ = finishDeletion(ref.storageKey, ref.key, finalState: nil)
            return
        }
        _ = try? delete(r, namespace: ref.key.namespace, name: ref.key.name, options: DeleteRequest(propagationPolicy: policy))
    }

    /// Removes the object for good and runs what follows: CRD teardown, GC of dependents,
    /// foreground owners waiting on it, namespaces waiting to empty.
    mutating func finishDeletion(_ storageKey: String, _ key: ObjectKey, finalState: JSONValue?) -> JSONValue? {
        guard let removed = remove(storageKey, key, finalState: finalState) else { return nil }
        if storageKey == ResourceType.customResourceDefinition.storageKeyPath, let name = removed.name {
            tearDownCRD(name)
        }
        if let uid = removed.uid {
            for dependent in dependents[uid] ?? [] { collectIfOrphaned(dependent) }
        }
        for owner in removed.ownerReferences { checkForegroundCompletion(ownerUID: owner.uid) }
        if !key.namespace.isEmpty { checkNamespaceCompletion(key.namespace) }
        return removed
    }
}
