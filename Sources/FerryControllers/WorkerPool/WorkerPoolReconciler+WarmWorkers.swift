/// Keeping a pool's placeholder pods (WarmWorkerPods.swift) at `spec.warmWorkers`.
import FerryAPI
import KubeClient
import KubeCore
import KubeRuntime

extension WorkerPoolReconciler {
    /// Creates the missing placeholders and deletes the surplus, finished or outdated ones.
    /// Without a pod cache (a controller built without one) nothing is done.
    func reconcileWarmWorkers(_ pool: WorkerPool, namespace: String) async throws {
        guard let pods = caches.pods, let name = pool.metadata.name else { return }
        let label = WorkerPodNaming.labelValue(name)
        let existing = pods.store.list().filter {
            ($0.namespace ?? "") == namespace && $0.labels[WarmWorkerPods.poolLabel] == label && $0.labels[FerryLabels.managedBy] == FerryLabels.managedByValue
        }
        let count = Int(max(0, pool.spec.effectiveWarmWorkers))
        guard count > 0 || !existing.isEmpty else { return }
        var desired: [JSONValue] = []
        for index in 0..<count {
            do {
                desired.append(try WarmWorkerPods.pod(pool: pool, index: index, options: warmWorkers))
            } catch {
                throw TerminalError(WorkerPoolReconcileError("building the placeholder pods of WorkerPool \(namespace)/\(name)", error))
            }
        }
        let plan = WarmWorkerPods.plan(desired: desired, existing: existing)
        for victim in plan.delete {
            do {
                _ = try await client.delete(.pod, name: victim, namespace: namespace)
            } catch where error.isNotFound {
                continue
            } catch {
                throw WorkerPoolReconcileError("deleting placeholder pod \(namespace)/\(victim)", error)
            }
        }
        for pod in plan.create {
            do {
                _ = try await client.create(pod, .pod, namespace: namespace)
            } catch where error.isAlreadyExists {
                continue  // the cache has not shown it yet
            } catch {
                throw WorkerPoolReconcileError("creating placeholder pod \(namespace)/\(pod.name ?? "")", error)
            }
        }
    }
}
