/// Binding unassigned pods to this node (`--schedule-unassigned`, `ferry dev` has no
/// scheduler). A binding that fails with a 5xx or a timeout is retried as the scheduler
/// requeues such a pod, with `AgentBackoff.podBinding`: without that the pod would stay
/// unbound and Pending until something else changed it (found by the chaos suite). The
/// retries run as child tasks of `run`, so none outlives the agent; one stops when the
/// binding succeeds, someone else bound the pod (Conflict), the pod is gone (NotFound),
/// or the informer shows it bound or deleted meanwhile.
import Foundation
import KubeClient
import KubeCore

extension NodeAgent {
    /// What a binding attempt leaves to do.
    enum BindingOutcome: Sendable, Equatable {
        /// Bound, bound by someone else, gone, or not ours to bind.
        case settled
        /// Failed in a way a later attempt may not.
        case retry
    }

    /// Binds an unbound pod the informer shows, unless a retry of it is already waiting
    /// (that retry then binds this newer version).
    func bindUnassigned(_ pod: JSONValue, uid: String) async {
        let retryPending = state.withLock { s in
            guard s.bindingRetries[uid] != nil else { return false }
            s.bindingRetries[uid] = pod
            return true
        }
        guard !retryPending, await bind(pod) == .retry else { return }
        let queue = state.withLock { s in
            s.bindingRetries[uid] = pod
            return s.bindingRetryQueue
        }
        queue?.yield(uid)
    }

    /// Runs each queued retry as a child task until cancelled (the end of `run`).
    func retryBindings(_ uids: AsyncStream<String>) async {
        await withDiscardingTaskGroup { group in
            for await uid in uids {
                group.addTask { await self.retryBinding(uid) }
            }
        }
    }

    /// Retries one pod's binding with backoff while the pod waits in `bindingRetries`.
    private func retryBinding(_ uid: String) async {
        var failures = 1
        while true {
            do { try await configuration.clock.sleep(for: AgentBackoff.podBinding.delay(afterFailures: failures)) } catch { break }
            guard let pod = state.withLock({ $0.bindingRetries[uid] }) else { return }
            if await bind(pod) == .settled { break }
            failures += 1
        }
        state.withLock { _ = $0.bindingRetries.removeValue(forKey: uid) }
    }

    /// Binds a pod meant for the default scheduler to this node (`pods/binding`).
    func bind(_ pod: JSONValue) async -> BindingOutcome {
        let scheduler = pod[path: ["spec", "schedulerName"]].stringValue ?? "default-scheduler"
        guard scheduler == "default-scheduler" || scheduler.isEmpty, pod.deletionTimestamp == nil,
              let name = pod.name, let namespace = pod.namespace else { return .settled }
        let binding: JSONValue = [
            "apiVersion": "v1", "kind": "Binding",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "uid": .string(pod.uid ?? "")],
            "target": ["apiVersion": "v1", "kind": "Node", "name": .string(configuration.nodeName)],
        ]
        let request = APIRequest(method: .POST, path: RequestBuilder(.pod).path(namespace: namespace, name: name, subresource: "binding"),
                                 contentType: "application/json", body: binding.serializedBytes())
        do {
            _ = try await client.send(request)
            return .settled
        } catch where error.isConflict || error.isNotFound {
            // Bound by someone else meanwhile, or gone.
            return .settled
        } catch {
            if Task.isCancelled { return .retry }
            logger.warning("binding pod failed, retrying", metadata: ["pod": "\(namespace)/\(name)", "error": "\(error)"])
            return .retry
        }
    }
}
