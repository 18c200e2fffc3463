/// The `default` WorkerPool the operator creates where a Connection needs it and none
/// exists (API.md: "the operator may create `default` on first start (configurable)").
///
/// Behaviour: a namespace gets `default` when a Connection there uses it (names no pool,
/// or names `default`) and no pool of that name exists — at start for the Connections
/// already there, later for new ones, in every watched namespace whether the operator
/// watches a list or all of them. Pools are namespaced and a Sync only uses a pool of its
/// own namespace, so one pool in the operator's namespace would help nobody, and creating
/// one in every namespace would litter namespaces that have no Connections. Like the
/// `default` ServiceAccount, a `default` pool deleted while Connections still use it comes
/// back; to stop syncs, scale it to 0 (`kubectl scale fpool default --replicas=0`), or turn
/// creation off. An existing pool is never changed: creation is a create, and
/// AlreadyExists (a pool the cache has not shown yet) ends it.
import FerryAPI
import KubeCore

public struct DefaultWorkerPoolOptions: Sendable, Hashable {
    /// Airbyte's MAX_SYNC_WORKERS default: how many syncs one Airbyte installation runs at once.
    public static let airbyteMaxSyncWorkers: Int32 = 5

    public enum Flag {
        public static let create = "--create-default-pool"
        public static let workers = "--default-pool-workers"
    }

    /// Whether to create `default` where it is needed.
    public var create: Bool
    /// `spec.workers` of a created pool.
    public var workers: Int32

    public init(create: Bool = true, workers: Int32 = airbyteMaxSyncWorkers) {
        self.create = create
        self.workers = workers
    }

    /// The pool to create in `namespace`; `reason` goes into an annotation, so `kubectl
    /// describe` says where it came from.
    func pool(namespace: String, reason: String) -> JSONValue {
        [
            "apiVersion": .string(FerryAPI.apiVersion), "kind": "WorkerPool",
            "metadata": [
                "name": .string(ConnectionSpec.defaultWorkerPool), "namespace": .string(namespace),
                "labels": [FerryLabels.managedBy: .string(FerryLabels.managedByValue)],
                "annotations": [Self.createdForAnnotation: .string(reason)],
            ],
            "spec": ["workers": .int(Int64(workers))],
        ]
    }

    /// Says why the operator created the pool.
    public static let createdForAnnotation = "ferry.dev/created-for"
}
