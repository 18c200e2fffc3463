/// The flags of the `default` WorkerPool the operator creates where a Connection needs
/// it, shared by `ferry operator` and `ferry dev` so both spell and default them alike.
import ArgumentParser
import FerryControllers

struct DefaultPoolFlags: ParsableArguments {
    @Option(name: .customLong("create-default-pool"),
            help: "Create the WorkerPool 'default' in a namespace where a Connection uses it and none exists (an existing pool is never changed).")
    var create = true

    @Option(name: .customLong("default-pool-workers"), help: "spec.workers of a created 'default' pool (Airbyte's MAX_SYNC_WORKERS default).")
    var workers: Int32 = DefaultWorkerPoolOptions.airbyteMaxSyncWorkers

    func options() throws -> DefaultWorkerPoolOptions {
        guard workers >= 0 else { throw ValidationError("\(DefaultWorkerPoolOptions.Flag.workers) must be 0 or more, got \(workers)") }
        return DefaultWorkerPoolOptions(create: create, workers: workers)
    }
}
