/// The controllers' flags and their registration, shared by `ferry operator` and
/// `ferry dev` so both spell, default, validate and apply them alike.
import ArgumentParser
import FerryControllers
import KubeClient
import KubeRuntime

struct ControllerFlags: ParsableArguments {
    @OptionGroup var sweeperFlags: SweeperFlags
    @OptionGroup var defaultPoolFlags: DefaultPoolFlags
    @OptionGroup var autoscalerFlags: AutoscalerFlags
    @OptionGroup var clientRateFlags: ClientRateFlags
    @OptionGroup var autoDisableFlags: AutoDisableFlags
    @OptionGroup var workerDefaultsFlags: WorkerDefaultsFlags

    @Option(name: .customLong("warm-worker-priority-class"), help: "PriorityClass of warm-worker placeholder pods; give it a negative value so real pods preempt them.")
    var warmWorkerPriorityClass = WarmWorkerOptions().priorityClassName

    /// Every flag's value, validated: read before anything starts.
    struct Settings {
        var sweeper: PodSweeperOptions
        var defaultPool: DefaultWorkerPoolOptions
        var autoscaler: PoolAutoscalerOptions
        var connection: ConnectionControllerOptions
        var warmWorkerPriorityClass: String
    }

    func settings() throws -> Settings {
        Settings(sweeper: try sweeperFlags.options(), defaultPool: try defaultPoolFlags.options(), autoscaler: try autoscalerFlags.options(),
                 connection: try autoDisableFlags.options(), warmWorkerPriorityClass: warmWorkerPriorityClass)
    }

    /// Registers the Sync, pod sweeper, WorkerPool, Connection and probe controllers on
    /// `manager`, in `namespace` or all namespaces.
    static func register(on manager: ControllerManager, _ settings: Settings, defaults: OperatorDefaults, namespace: String? = nil) {
        _ = SyncController.register(on: manager, defaults: defaults, namespace: namespace)
        _ = PodSweeper.register(on: manager, namespace: namespace, options: settings.sweeper)
        _ = WorkerPoolController.register(
            on: manager, defaultPool: settings.defaultPool, autoscaler: settings.autoscaler,
            warmWorkers: WarmWorkerOptions(priorityClassName: settings.warmWorkerPriorityClass, defaults: defaults), namespace: namespace)
        _ = ConnectionController.register(on: manager, namespace: namespace, options: settings.connection)
        _ = ConnectorProbeController.register(on: manager, defaults: defaults, namespace: namespace)
    }
}
