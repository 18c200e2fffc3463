/// Runs the HPA calculation (`FerryAutoscaling.PoolAutoscaler`) for autoscaled pools, once
/// per sync period per pool as kube-controller-manager runs each HPA, and keeps what the
/// HPA keeps in memory between runs: the recommendations and scale events of each pool.
/// Like the HPA's, that memory starts empty after an operator restart, so a restarted
/// operator cannot scale a pool down during its first stabilization window.
import FerryAPI
import FerryAutoscaling
import Foundation
import KubeCore
import KubeRuntime
import Synchronization

public struct PoolAutoscalerOptions: Sendable, Hashable {
    public enum Flag {
        public static let syncPeriod = "--workerpool-sync-period"
        public static let downscaleStabilization = "--workerpool-downscale-stabilization"
        public static let tolerance = "--workerpool-tolerance"
    }

    /// `--horizontal-pod-autoscaler-sync-period`: how often each pool is evaluated.
    public var syncPeriod: TimeInterval
    /// Tolerance, stabilization and readiness periods (the HPA flags' defaults).
    public var settings: AutoscalerSettings

    public init(syncPeriod: TimeInterval = 15, settings: AutoscalerSettings = AutoscalerSettings()) {
        self.syncPeriod = syncPeriod
        self.settings = settings
    }
}

/// The autoscaler's part of a pool's status, after one evaluation.
struct AutoscaledStatus: Hashable {
    var workers: Int32
    var desiredWorkers: Int32
    var lastScaleTime: String?
    var conditions: [Condition]
}

/// One evaluation's outcome: the status to write and what to tell the user.
struct AutoscalerRun {
    var status: AutoscaledStatus
    var decision: AutoscalingDecision
    var previousWorkers: Int32
    /// The evaluation's time: its Events carry it, however late they are written.
    var evaluatedAt: Date
}

final class PoolAutoscalerRunner: Sendable {
    private struct Memory {
        var history = ScalingHistory()
        var lastEvaluation: Date?
        var generation: Int64?
        /// What the last evaluation wrote: the cached pool may not show it yet.
        var workers: Int32?
        var conditions: [Condition]?
    }

    let options: PoolAutoscalerOptions
    private let memory = Mutex<[ObjectKey: Memory]>([:])

    init(options: PoolAutoscalerOptions) {
        self.options = options
    }

    /// When `key` is next due, or nil when it is due now: every sync period, and at once
    /// after a spec change (a new generation), as the HPA also reconciles on its own updates.
    func delayUntilDue(_ key: ObjectKey, generation: Int64?, now: Date) -> TimeInterval? {
        memory.withLock { all in
            guard let entry = all[key], let last = entry.lastEvaluation, entry.generation == generation else { return nil }
            let remaining = last.addingTimeInterval(options.syncPeriod).timeIntervalSince(now)
            return remaining > 0 ? remaining : nil
        }
    }

    /// Evaluates `pool` now and remembers the evaluation.
    func evaluate(_ key: ObjectKey, pool: WorkerPool, autoscaling: PoolAutoscaling, observation: PoolObservation, now: Date) -> AutoscalerRun {
        let (decision, current, conditions) = memory.withLock { all in
            var entry = all[key] ?? Memory()
            let current = pool.capacity(autoscaledWorkers: entry.workers ?? pool.status?.workers)
            let decision = PoolAutoscaler.evaluate(
                autoscaling, currentWorkers: current, observation: observation, history: &entry.history, now: now, settings: options.settings)
            entry.lastEvaluation = now
            entry.generation = pool.metadata.generation
            let previousConditions = entry.conditions ?? pool.status?.conditions ?? []
            var conditions = previousConditions
            for condition in decision.conditions { conditions.set(condition, now: now) }
            entry.workers = decision.workers
            entry.conditions = conditions
            all[key] = entry
            return (decision, current, conditions)
        }
        // lastScaleTime only on a rescale: otherwise the patch leaves the recorded one.
        let status = AutoscaledStatus(
            workers: decision.workers, desiredWorkers: decision.workers,
            lastScaleTime: decision.workers != current ? KubeTime.format(now) : nil, conditions: conditions)
        return AutoscalerRun(status: status, decision: decision, previousWorkers: current, evaluatedAt: now)
    }

    /// Drops the memory of a pool that is gone or no longer autoscaled.
    func forget(_ key: ObjectKey) {
        _ = memory.withLock { $0.removeValue(forKey: key) }
    }
}

