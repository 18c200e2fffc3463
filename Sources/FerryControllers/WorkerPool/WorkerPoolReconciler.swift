/// The WorkerPool reconciler for pools with a fixed capacity: records in status how many
/// Syncs wait for and hold the pool's workers, the capacity in effect and the generation
/// seen; creates the `default` pool where a Connection needs it (DefaultWorkerPool.swift).
/// Autoscaling is not decided here.
import FerryAPI
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging

/// The informer caches the WorkerPool controller reads.
public struct WorkerPoolCaches: Sendable {
    public var pools: Informer
    public var syncs: Informer
    public var connections: Informer
    public init(pools: Informer, syncs: Informer, connections: Informer) {
        self.pools = pools
        self.syncs = syncs
        self.connections = connections
    }
}

/// Reconciles one WorkerPool key. Reads only the caches; writes only the status fields it
/// owns (a merge patch, so the autoscaler's fields and conditions are left alone) and,
/// for a missing `default`, a create.
struct WorkerPoolReconciler: Sendable {
    static let defaultPoolCreatedReason = "DefaultPoolCreated"

    let client: KubernetesClient
    let caches: WorkerPoolCaches
    let events: EventRecorder?
    let defaultPool: DefaultWorkerPoolOptions
    let logger: Logger

    func reconcile(_ key: ObjectKey, _ object: JSONValue?) async throws -> ReconcileAction {
        guard let object else {
            try await createDefaultIfNeeded(key)
            return .done
        }
        guard object.deletionTimestamp == nil else { return .done }
        let pool: WorkerPool
        do {
            pool = try object.decode(WorkerPool.self)
        } catch {
            // The server validated it against the same schema: only a newer API could get here.
            throw TerminalError(WorkerPoolReconcileError("reading WorkerPool \(key)", error))
        }
        let namespace = key.namespace ?? ""
        let connections = caches.connections.store
        let occupancy = PoolOccupancy.count(pool: key.name, namespace: namespace, syncs: caches.syncs.store.list()) {
            connections.get(namespace: namespace, name: $0)
        }
        let fields = PoolStatusFields(pool: pool, generation: object.generation, occupancy: occupancy)
        guard !fields.isRecorded(in: object["status"]) else { return .done }
        do {
            _ = try await client.patchStatus(WorkerPool.resourceType, name: key.name, namespace: key.namespace, patch: ["status": fields.statusJSON])
        } catch where error.isNotFound {
            // Deleted meanwhile: the informer brings the deletion.
        } catch {
            throw WorkerPoolReconcileError("updating the status of WorkerPool \(key)", error)
        }
        return .done
    }

    /// Creates `default` in the key's namespace when creation is on and a Connection there
    /// uses it. A pool of that name the cache has not shown yet makes the create fail with
    /// AlreadyExists, which leaves it untouched.
    func createDefaultIfNeeded(_ key: ObjectKey) async throws {
        guard defaultPool.create, key.name == ConnectionSpec.defaultWorkerPool else { return }
        let namespace = key.namespace ?? ""
        let users = caches.connections.store.list().filter {
            ($0.namespace ?? "") == namespace && $0.deletionTimestamp == nil && PoolOccupancy.pool(ofConnection: $0) == key.name
        }.compactMap(\.name).sorted()
        guard let first = users.first else { return }
        let reason = "Connection \(first)" + (users.count > 1 ? " and \(users.count - 1) more use" : " uses") + " the default pool"
        let created: JSONValue
        do {
            created = try await client.create(defaultPool.pool(namespace: namespace, reason: reason), WorkerPool.resourceType, namespace: namespace)
        } catch where error.isAlreadyExists {
            return
        } catch {
            throw WorkerPoolReconcileError("creating WorkerPool \(namespace)/\(key.name)", error)
        }
        logger.info("created the default WorkerPool", metadata: ["namespace": "\(namespace)", "workers": "\(defaultPool.workers)", "for": "\(first)"])
        events?.record(created, type: .normal, reason: Self.defaultPoolCreatedReason,
                       message: "Created with \(defaultPool.workers) workers: \(reason); disable with \(DefaultWorkerPoolOptions.Flag.create)=false")
    }
}
