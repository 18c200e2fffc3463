/// The WorkerPool gauges on `/metrics`, per namespace and pool: the capacity in effect, the
/// autoscaler's desired count, and the Syncs waiting for and holding workers.
import FerryAPI
import KubeCore
import KubeRuntime

struct PoolMetrics: Sendable {
    static let workers = "ferry_workerpool_workers"
    static let desiredWorkers = "ferry_workerpool_desired_workers"
    static let queuedSyncs = "ferry_workerpool_queued_syncs"
    static let runningSyncs = "ferry_workerpool_running_syncs"

    let registry: MetricsRegistry

    init(registry: MetricsRegistry) {
        self.registry = registry
        registry.describe(Self.workers, kind: .gauge, help: "Worker capacity of the pool in effect (spec.workers, or the autoscaler's count)")
        registry.describe(Self.desiredWorkers, kind: .gauge, help: "Worker count the pool's autoscaler last chose (autoscaled pools only)")
        registry.describe(Self.queuedSyncs, kind: .gauge, help: "Syncs of the pool waiting for a worker")
        registry.describe(Self.runningSyncs, kind: .gauge, help: "Syncs of the pool holding a worker")
    }

    func record(_ key: ObjectKey, fields: PoolStatusFields) {
        let labels = Self.labels(key)
        registry.set(Self.workers, labels, to: Double(fields.workers))
        registry.set(Self.queuedSyncs, labels, to: Double(fields.queuedSyncs))
        registry.set(Self.runningSyncs, labels, to: Double(fields.runningSyncs))
        if let desired = fields.autoscaled?.desiredWorkers { registry.set(Self.desiredWorkers, labels, to: Double(desired)) }
    }

    /// A deleted pool reads 0 everywhere (the registry keeps series once written).
    func forget(_ key: ObjectKey) {
        let labels = Self.labels(key)
        for name in [Self.workers, Self.desiredWorkers, Self.queuedSyncs, Self.runningSyncs] where registry.value(name, labels) != nil {
            registry.set(name, labels, to: 0)
        }
    }

    private static func labels(_ key: ObjectKey) -> [String: String] { ["namespace": key.namespace ?? "", "pool": key.name] }
}
