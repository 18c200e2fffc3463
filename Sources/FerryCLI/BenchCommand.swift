/// `ferry bench ...`: benchmarks that print tables (never run as tests).
import ArgumentParser

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks that print numbers.",
        subcommands: [APIServerBench.self, RuntimeBench.self, RelayBench.self, SyncBench.self, ControlPlaneBench.self, FailoverBench.self]
    )
}

/// Prints a result line at once, so a bench piped into a file shows progress.
func emit(_ line: String) {
    print(line)
    fflush(nil)
}

/// Latency samples summarised as percentiles.
struct LatencySummary {
    var samples: [Duration]

    func percentile(_ p: Double) -> Duration {
        guard !samples.isEmpty else { return .zero }
        let sorted = samples.sorted()
        let index = min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)
        return sorted[max(0, index)]
    }

    static func milliseconds(_ d: Duration) -> String {
        let ms = Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
        return ms < 10 ? String(format: "%.2f ms", ms) : String(format: "%.1f ms", ms)
    }

    var row: String {
        "p50 \(Self.milliseconds(percentile(0.5)))  p99 \(Self.milliseconds(percentile(0.99)))  max \(Self.milliseconds(percentile(1)))"
    }
}

import Foundation
import KubeAPIServer
import KubeClient

/// Starts an embedded API server (HTTPS) and a production client with no client-side
/// rate limit, runs `body`, and always stops both: the benchmarks measure the server
/// and the runtime, not the limiter.
func withBenchCluster(watchHistorySize: Int, _ body: (KubernetesClient) async throws -> Void) async throws {
    let server = try EmbeddedAPIServer(configuration: APIServerConfiguration(watchHistorySize: watchHistorySize))
    try await server.start()
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-bench-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    let client: KubernetesClient
    do {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let kubeconfig = dir.appendingPathComponent("kubeconfig").path
        try server.writeKubeconfig(to: kubeconfig)
        var configuration = try ClientConfiguration.load(kubeconfigPath: kubeconfig)
        configuration.qps = 0
        client = try KubernetesClient(configuration: configuration)
    } catch {
        try? await server.shutdown()
        throw error
    }
    do {
        try await body(client)
    } catch {
        try? await client.shutdown()
        try? await server.shutdown()
        throw error
    }
    try await client.shutdown()
    try await server.shutdown()
}
