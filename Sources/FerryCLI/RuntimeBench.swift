/// `ferry bench runtime`: event-to-reconcile latency and cache size of the controller
/// runtime with N objects, against an embedded API server over HTTPS.
import ArgumentParser
import Foundation
import KubeAPIServer
import KubeClient
import KubeRuntime

struct RuntimeBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runtime",
        abstract: "Event-to-reconcile latency (p50/p99) and cache memory for N objects."
    )

    @Option(help: "Objects in the informer cache.")
    var objects = 10_000

    @Option(help: "Updates whose event-to-reconcile latency is measured.")
    var updates = 1_000

    func run() async throws {
        try await withBenchCluster(watchHistorySize: max(10_000, 2 * (objects + updates))) { client in
            let result = try await RuntimeBenchmark.run(client: client, objects: objects, updates: updates)
            emit("Controller runtime benchmark (HTTPS, embedded API server in the same process)")
            emit(result.description)
        }
    }
}
