/// The part of a WorkerPool's status the WorkerPool controller owns, built as a value from
/// the pool and its occupancy, and written as a merge patch of just those fields.
///
/// `desiredWorkers`, `lastScaleTime` and the AbleToScale / ScalingActive / ScalingLimited
/// conditions are the autoscaler's (API.md lists no other condition for a pool), so this
/// controller never writes them: a merge patch leaves them as they are.
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

    init(pool: WorkerPool, generation: Int64?, occupancy: PoolOccupancy) {
        observedGeneration = generation
        workers = max(0, pool.spec.effectiveWorkers)
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
            "workers": .int(Int64(workers)), "queuedSyncs": .int(Int64(queuedSyncs)), "runningSyncs": .int(Int64(runningSyncs)),
            "selector": .string(selector),
        ]
        if let observedGeneration { status["observedGeneration"] = .int(observedGeneration) }
        return status
    }

    /// Whether `status` (a pool's current `.status`) already holds these values.
    func isRecorded(in status: JSONValue) -> Bool {
        statusJSON.objectValue?.allSatisfy { key, value in status[key] == value } ?? false
    }
}
