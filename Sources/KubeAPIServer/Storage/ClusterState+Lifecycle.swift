/// What kube-controller-manager and the apiextensions controllers would do, done
/// synchronously after each write: garbage collection by owner references, namespace
/// termination, and CRD establishment/teardown.
import KubeCore
import KubeMachinery

extension ClusterState {
    // MARK: Garbage collection

    /// Deletes an object whose owner references all point at objects that no longer exist.
    mutating func collectIfOrphaned(_ ref: ObjectRef) {
        guard let obj = get(ref) else { return }
        let owners = obj.ownerReferences
        guard !owners.isEmpty else { return }
        let anyOwnerAlive = owners.contains { owner in
            guard let ownerRef = uidIndex[owner.uid] else { return false }
            return get(ownerRef) != nil
        }
        if !anyOwnerAlive { deleteQuietly(ref) }
    }

    /// Orphan propagation: strip references to the owner from its dependents.
    mutating func orphanDependents(of uid: String) {
        for ref in dependents[uid] ?? [] {
            guard var obj = get(ref) else { continue }
            let remaining = (obj[path: ["metadata", "ownerReferences"]].arrayValue ?? []).filter { $0["uid"].stringValue != uid }
            obj[path: ["metadata", "ownerReferences"]] = remaining.isEmpty ? .null : .array(remaining)
            put(ref.storageKey, obj, type: .modified)
        }
    }

    /// Foreground deletion: once no dependent with blockOwnerDeletion remains, drop the
    /// `foregroundDeletion` finalizer (and the owner, when that was the last one).
    mutating func checkForegroundCompletion(ownerUID: String) {
        guard let ref = uidIndex[ownerUID], var owner = get(ref), owner.deletionTimestamp != nil,
              owner.finalizers.contains("foregroundDeletion") else { return }
        let blocking = (dependents[ownerUID] ?? []).contains { dep in
            guard let d = get(dep) else { return false }
            return d.ownerReferences.contains { $0.uid == ownerUID && $0.blockOwnerDeletion == true }
        }
        if blocking { return }
        let remaining = owner.finalizers.filter { $0 != "foregroundDeletion" }
        owner[path: ["metadata", "finalizers"]] = remaining.isEmpty ? .null : .array(remaining.map { .string($0) })
        if remaining.isEmpty {
            _ = finishDeletion(ref.storageKey, ref.key, finalState: owner)
        } else {
            put(ref.storageKey, owner, type: .modified)
        }
    }

    // MARK: Namespaces

    /// DELETE of a namespace: mark it Terminating, delete everything in it, finish when empty.
    mutating func deleteNamespace(_ namespace: JSONValue) -> JSONValue {
        guard let name = namespace.name else { return namespace }
        let key = ObjectKey(namespace: "", name: name)
        if namespace.deletionTimestamp == nil {
            var ns = namespace
            ns[path: ["metadata", "deletionTimestamp"]] = .string(KubeTime.format(now()))
            ns[path: ["metadata", "deletionGracePeriodSeconds"]] = 0
            ns[path: ["status", "phase"]] = "Terminating"
            put(ResourceType.namespace.storageKeyPath, ns, type: .modified)
        }
        for (storageKey, byKey) in objects where storageKey != ResourceType.namespace.storageKeyPath {
            for k in byKey.keys where k.namespace == name {
                deleteQuietly(ObjectRef(storageKey: storageKey, key: k))
            }
        }
        let after = get(ResourceType.namespace.storageKeyPath, key)
        checkNamespaceCompletion(name)
        return get(ResourceType.namespace.storageKeyPath, key) ?? after ?? namespace
    }

    /// Removes a terminating namespace once nothing is left in it.
    mutating func checkNamespaceCompletion(_ name: String) {
        let nsKey = ObjectKey(namespace: "", name: name)
        guard var ns = get(ResourceType.namespace.storageKeyPath, nsKey), ns.deletionTimestamp != nil else { return }
        for (storageKey, byKey) in objects where storageKey != ResourceType.namespace.storageKeyPath {
            if byKey.keys.contains(where: { $0.namespace == name }) { return }
        }
        ns[path: ["spec", "finalizers"]] = nil
        if ns["spec"] == .emptyObject { ns["spec"] = .emptyObject }
        if ns.finalizers.isEmpty {
            _ = finishDeletion(ResourceType.namespace.storageKeyPath, nsKey, finalState: ns)
        } else if ns != get(ResourceType.namespace.storageKeyPath, nsKey) {
            put(ResourceType.namespace.storageKeyPath, ns, type: .modified)
        }
    }

    /// The namespaces that exist on a fresh server.
    mutating func createInitialNamespaces() {
        for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            guard let r = registry.lookup(GroupVersion(group: "", version: "v1"), plural: "namespaces") else { return }
            _ = try? create(r, namespace: nil, body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]])
        }
    }

    // MARK: CRDs

    /// Serves the CRD's resources and records the established status.
    mutating func establishCRD(_ crd: JSONValue) -> JSONValue {
        guard let name = crd.name, case .success(let resources) = CRDServing.resources(for: crd) else { return crd }
        registry.setCRD(name, resources: resources)
        var updated = crd
        updated["status"] = CRDServing.establishedStatus(for: crd, now: KubeTime.format(now()))
        if updated == crd { return crd }
        return put(ResourceType.customResourceDefinition.storageKeyPath, updated, type: .modified)
    }

    /// Stops serving a deleted CRD's resources and deletes all of its objects.
    mutating func tearDownCRD(_ name: String) {
        let storageKeys = Set((registry.crdResources[name] ?? []).map(\.storageKey))
        registry.removeCRD(name)
        for storageKey in storageKeys {
            for (key, _) in list(storageKey, namespace: nil) {
                _ = finishDeletion(storageKey, key, finalState: nil)
            }
            objects[storageKey] = nil
        }
    }
}
