/// The WorkerPool autoscaler's flags, named after and defaulting like kube-controller-manager's
/// `--horizontal-pod-autoscaler-*` flags; shared by `ferry operator` and `ferry dev`.
import ArgumentParser
import FerryAPI
import FerryAutoscaling
import FerryControllers

struct AutoscalerFlags: ParsableArguments {
    @Option(name: .customLong("workerpool-sync-period"), help: "How often each autoscaled WorkerPool is evaluated (--horizontal-pod-autoscaler-sync-period).")
    var syncPeriod = "15s"

    @Option(name: .customLong("workerpool-downscale-stabilization"),
            help: "Scale-down stabilization window of pools without behavior.scaleDown.stabilizationWindowSeconds (--horizontal-pod-autoscaler-downscale-stabilization).")
    var downscaleStabilization = "5m"

    @Option(name: .customLong("workerpool-tolerance"), help: "Ratio of current to target metric within which the worker count stays (--horizontal-pod-autoscaler-tolerance).")
    var tolerance = 0.1

    @Option(name: .customLong("workerpool-cpu-initialization-period"), help: "After a worker pod starts, CPU samples count only once it is ready (--horizontal-pod-autoscaler-cpu-initialization-period).")
    var cpuInitializationPeriod = "5m"

    @Option(name: .customLong("workerpool-initial-readiness-delay"), help: "A worker pod that is not ready this long after starting counts as never ready (--horizontal-pod-autoscaler-initial-readiness-delay).")
    var initialReadinessDelay = "30s"

    func options() throws -> PoolAutoscalerOptions {
        func seconds(_ text: String, _ flag: String) throws -> Double {
            guard let value = DurationSyntax.seconds(text), value >= 0 else {
                throw ValidationError("--\(flag) must be a duration such as 15s or 5m, got \(text)")
            }
            return value
        }
        let period = try seconds(syncPeriod, "workerpool-sync-period")
        guard period > 0 else { throw ValidationError("--workerpool-sync-period must be more than 0") }
        guard tolerance >= 0, tolerance.isFinite else { throw ValidationError("--workerpool-tolerance must be 0 or more, got \(tolerance)") }
        return PoolAutoscalerOptions(
            syncPeriod: period,
            settings: AutoscalerSettings(
                tolerance: tolerance, downscaleStabilization: try seconds(downscaleStabilization, "workerpool-downscale-stabilization"),
                cpuInitializationPeriod: try seconds(cpuInitializationPeriod, "workerpool-cpu-initialization-period"),
                initialReadinessDelay: try seconds(initialReadinessDelay, "workerpool-initial-readiness-delay")))
    }
}
