/// The finalizer helper (kube-rs `finalizer`): one place that handles add, apply, cleanup
/// and remove for every controller, touching only our own finalizer.
import KubeClient
import KubeCore

/// What the reconciler is asked to do once the finalizer question is settled.
public enum FinalizerEvent: Sendable {
    /// The object is live and carries our finalizer: make the world match it.
    case apply(JSONValue)
    /// The object is being deleted and still carries our finalizer: release what it holds.
    case cleanup(JSONValue)
}

/// The four cases of an object and a finalizer, as a pure decision.
public enum FinalizerStep: Sendable, Hashable {
    case add(patch: JSONValue)
    case apply
    case cleanup(removePatch: JSONValue)
    /// Being deleted without our finalizer: nothing of ours is left.
    case nothing

    /// Decides the step for `object` and `finalizer`. The patches are JSON patches guarded by
    /// a `test` op, so a concurrent change makes them fail (422/409) instead of clobbering it.
    public static func decide(_ object: JSONValue, finalizer: String) -> FinalizerStep {
        let finalizers = object.finalizers
        let index = finalizers.firstIndex(of: finalizer)
        let deleting = object.deletionTimestamp != nil
        switch (deleting, index) {
        case (false, nil):
            // Guard on the resourceVersion: the list we append to is the one we read.
            var ops: [JSONValue] = []
            if let rv = object.resourceVersion { ops.append(["op": "test", "path": "/metadata/resourceVersion", "value": .string(rv)]) }
            if finalizers.isEmpty {
                ops.append(["op": "add", "path": "/metadata/finalizers", "value": [.string(finalizer)]])
            } else {
                ops.append(["op": "add", "path": "/metadata/finalizers/-", "value": .string(finalizer)])
            }
            return .add(patch: .array(ops))
        case (false, .some):
            return .apply
        case (true, let i?):
            // Remove by index, testing that the index still holds ours: others' finalizers stay.
            let path = "/metadata/finalizers/\(i)"
            return .cleanup(removePatch: [["op": "test", "path": .string(path), "value": .string(finalizer)], ["op": "remove", "path": .string(path)]])
        case (true, nil):
            return .nothing
        }
    }
}

/// Runs `reconcile` under the protection of `finalizer`.
///
/// - Not deleting, finalizer missing: adds it (the resulting watch event reconciles again).
/// - Not deleting, finalizer present: `reconcile(.apply(object))`.
/// - Deleting, finalizer present: `reconcile(.cleanup(object))`; on success removes only our finalizer.
/// - Deleting, finalizer absent: nothing.
public func withFinalizer(
    client: KubernetesClient, resource: ResourceType, finalizer: String, object: JSONValue,
    reconcile: (FinalizerEvent) async throws -> ReconcileAction
) async throws -> ReconcileAction {
    guard let name = object.name else { return .done }
    switch FinalizerStep.decide(object, finalizer: finalizer) {
    case .add(let patch):
        _ = try await client.patch(resource, name: name, namespace: object.namespace, patch: patch, type: .json)
        return .done
    case .apply:
        return try await reconcile(.apply(object))
    case .cleanup(let removePatch):
        let action = try await reconcile(.cleanup(object))
        do {
            _ = try await client.patch(resource, name: name, namespace: object.namespace, patch: removePatch, type: .json)
        } catch where error.isNotFound {
            // Already gone: someone else removed the last finalizer.
        }
        return action
    case .nothing:
        return .done
    }
}

/// Status updates with conflict retry (client-go `RetryOnConflict` with `DefaultRetry`:
/// 5 attempts), re-reading the object before each attempt.
public enum StatusUpdater {
    /// Reads the object, applies `mutate` to it, and PUTs `/status`; on 409 reads again.
    /// Returns the updated object, or the current one when `mutate` returned false (no change).
    public static func update(
        client: KubernetesClient, resource: ResourceType, name: String, namespace: String?, attempts: Int = 5,
        mutate: (inout JSONValue) async throws -> Bool
    ) async throws -> JSONValue {
        for attempt in 1...max(attempts, 1) {
            var object = try await client.get(resource, name: name, namespace: namespace)
            guard try await mutate(&object) else { return object }
            let result: Result<JSONValue, KubeClientError>
            do {
                result = .success(try await client.updateStatus(object, resource, namespace: namespace))
            } catch {
                result = .failure(error)
            }
            switch result {
            case .success(let updated):
                return updated
            case .failure(let error) where error.isConflict && attempt < attempts:
                try await Task.sleep(for: .milliseconds(10))  // DefaultRetry: 10 ms steps
            case .failure(let error):
                throw error
            }
        }
        throw StatusUpdateError(resource: resource.plural, name: name)
    }
}

/// Raised only when `attempts` is not positive, which the loop guards against.
public struct StatusUpdateError: Error, CustomStringConvertible {
    public var resource: String
    public var name: String
    public var description: String { "updating the status of \(resource)/\(name): no attempt was made" }
}
