/// A WorkerPool's status as the WorkerPool controller writes it, built as a value from the
/// pool, its occupancy and (for an autoscaled pool) the autoscaler's last evaluation, and
/// written as a merge patch of just those fields.
///
/// `desiredWorkers`, `lastScaleTime` and the AbleToScale / ScalingActive / ScalingLimited
/// conditions change only when the autoscaler evaluates (every sync period); between
/// evaluations they are left out of the patch, so it leaves them as they are. A pool that
/// is no longer autoscaled loses `desiredWorkers` and the conditions.
import FerryAPI
import KubeCore

struct PoolStatusFields: Hashable {
    var observedGeneration: Int64?
    /// The capacity admission enforces now: `spec.workers` (which `kubectl scale`, an HPA
    /// or the autoscaler set), 1 when unset — the scale subresource's status replicas.
    var workers: Int32
    var queuedSyncs: Int32
    var runningSyncs: Int32
    /// Selects the pool's worker pods (the scale subresource's selector, for an HPA).
    var selector: String
    /// The autoscaler's fields, when it evaluated the pool in this reconcile.
    var autoscaled: AutoscaledStatus?
    /// Whether `desiredWorkers` and the conditions are to be removed (autoscaling turned off).
    var clearsAutoscaling: Bool
    var isAutoscaled: Bool

    init(pool: WorkerPool, generation: Int64?, occupancy: PoolOccupancy) {
        observedGeneration = generation
        workers = pool.capacity
        isAutoscaled = pool.spec.autoscaling != nil
        clearsAutoscaling = pool.spec.autoscaling == nil && (pool.status?.desiredWorkers != nil || pool.status?.conditions != nil)
        queuedSyncs = Int32(clamping: occupancy.queued)
        runningSyncs = Int32(clamping: occupancy.running)
        selector = Self.selector(pool: pool.metadata.name ?? "")
    }

    /// The labels every worker pod of `pool` carries (see `WorkerPodBuilder.labels`).
    static func selector(pool: String) -> String {
        "\(FerryLabels.managedBy)=\(FerryLabels.managedByValue),\(FerryLabels.pool)=\(WorkerPodNaming.labelValue(pool))"
    }

    var statusJSON: JSONValue {
        var status: JSONValue = [
            "queuedSyncs": .int(Int64(queuedSyncs)), "runningSyncs": .int(Int64(runningSyncs)), "selector": .string(selector),
        ]
        // An autoscaled pool's count is written only by an evaluation: between two, the
        // cached pool may not show the last one's write yet, and must not undo it.
        if !isAutoscaled || autoscaled != nil { status["workers"] = .int(Int64(workers)) }
        if let observedGeneration { status["observedGeneration"] = .int(observedGeneration) }
        if let autoscaled {
            status["desiredWorkers"] = .int(Int64(autoscaled.desiredWorkers))
            status["conditions"] = (try? JSONValue(encoding: autoscaled.conditions)) ?? .null
            if let time = autoscaled.lastScaleTime { status["lastScaleTime"] = .string(time) }
        } else if clearsAutoscaling {
            status["desiredWorkers"] = .null
            status["conditions"] = .null
        }
        return status
    }

    /// Whether `status` (a pool's current `.status`) already holds these values (a null
    /// field: is absent).
    func isRecorded(in status: JSONValue) -> Bool {
        statusJSON.objectValue?.allSatisfy { key, value in status[key] == value } ?? false
    }
}
