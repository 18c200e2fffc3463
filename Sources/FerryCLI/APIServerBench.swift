/// `ferry bench apiserver`: what the embedded API server costs as objects grow —
/// creates per second, list latency at N objects, and watch fan-out to W watchers,
/// measured through the production client over HTTPS.
import ArgumentParser
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import Synchronization

struct APIServerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apiserver",
        abstract: "Creates/s, list latency and watch fan-out of the embedded API server."
    )

    @Option(help: "Objects to create before listing.")
    var objects = 10_000

    @Option(help: "Concurrent create requests.")
    var concurrency = 16

    @Option(help: "Watchers for the fan-out measurement.")
    var watchers = 10

    @Option(help: "Updates observed by every watcher.")
    var updates = 500

    func run() async throws {
        try await withBenchCluster(watchHistorySize: max(10_000, objects + updates + 100)) { client in
            try await measure(client)
        }
    }

    private func measure(_ client: KubernetesClient) async throws {
        let clock = ContinuousClock()
        _ = try await client.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "bench"]], .namespace)

        // Creates.
        let createLatencies = Samples()
        let objects = self.objects
        let concurrency = self.concurrency
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            let perWorker = (objects + concurrency - 1) / concurrency
            for worker in 0..<concurrency {
                group.addTask {
                    let first = worker * perWorker
                    for i in first..<min(objects, first + perWorker) {
                        let object: JSONValue = [
                            "apiVersion": "v1", "kind": "ConfigMap",
                            "metadata": ["name": .string("cm-\(i)"), "labels": ["bench": "yes", "shard": .string("s\(i % 10)")]],
                            "data": ["key": .string(String(repeating: "x", count: 200))],
                        ]
                        let t0 = clock.now
                        _ = try await client.create(object, .configMap, namespace: "bench")
                        let elapsed = clock.now - t0
                        createLatencies.append(elapsed)
                    }
                }
            }
            try await group.waitForAll()
        }
        let createTime = clock.now - start
        let creates = LatencySummary(samples: createLatencies.all)
        emit("API server benchmark (HTTPS, production client, \(objects) ConfigMaps of ~450 B)")
        emit(String(format: "create           %8.0f creates/s  (%d concurrent)  ", Double(objects) / seconds(createTime), concurrency) + creates.row)

        // Lists.
        var full: [Duration] = []
        var count = 0
        for _ in 0..<10 {
            let t0 = clock.now
            count = try await client.list(.configMap, namespace: "bench").items.count
            full.append(clock.now - t0)
        }
        emit("list (all)       \(count) objects                     " + LatencySummary(samples: full).row)
        var paged: [Duration] = []
        for _ in 0..<10 {
            let t0 = clock.now
            _ = try await client.listAll(.configMap, namespace: "bench", options: ListOptions(limit: 500))
            paged.append(clock.now - t0)
        }
        emit("list (limit=500) \(count) objects, all pages          " + LatencySummary(samples: paged).row)
        var selected: [Duration] = []
        for _ in 0..<10 {
            let t0 = clock.now
            _ = try await client.list(.configMap, namespace: "bench", options: ListOptions(labelSelector: "shard=s3"))
            selected.append(clock.now - t0)
        }
        emit("list (selector)  \(count / 10) of \(count) objects            " + LatencySummary(samples: selected).row)

        try await measureWatchFanOut(client)
    }

    private func measureWatchFanOut(_ client: KubernetesClient) async throws {
        let clock = ContinuousClock()
        let target: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "fanout"], "data": ["i": "0"]]
        let created = try await client.create(target, .configMap, namespace: "bench")
        let startRV = created.resourceVersion
        let sendTimes = SendTimes()
        let latencies = Samples()
        let updates = self.updates
        let watchers = self.watchers
        let t0 = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<watchers {
                group.addTask {
                    var seen = 0
                    let stream = client.watch(.configMap, namespace: "bench", options: ListOptions(fieldSelector: "metadata.name=fanout", resourceVersion: startRV))
                    for try await event in stream where event.type == .modified {
                        let now = clock.now
                        if let value = event.object["data"]["i"].stringValue, let sent = sendTimes.get(value) {
                            latencies.append(now - sent)
                        }
                        seen += 1
                        if seen == updates { return }
                    }
                }
            }
            group.addTask {
                for i in 1...updates {
                    sendTimes.set(String(i), clock.now)
                    _ = try await client.patch(.configMap, name: "fanout", namespace: "bench", patch: ["data": ["i": .string(String(i))]], type: .merge)
                }
            }
            try await group.waitForAll()
        }
        let total = clock.now - t0
        let summary = LatencySummary(samples: latencies.all)
        emit(String(format: "watch fan-out    %d watchers x %d updates, %8.0f events/s delivered  ", watchers, updates, Double(watchers * updates) / seconds(total)) + "write-to-receive " + summary.row)
    }

    private func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

/// Latency samples appended from concurrent tasks.
final class Samples: Sendable {
    private let samples = Mutex<[Duration]>([])
    func append(_ d: Duration) { samples.withLock { $0.append(d) } }
    var all: [Duration] { samples.withLock { $0 } }
}

/// When each update was sent, keyed by the value it wrote.
final class SendTimes: Sendable {
    private let times = Mutex<[String: ContinuousClock.Instant]>([:])
    func set(_ key: String, _ t: ContinuousClock.Instant) { times.withLock { $0[key] = t } }
    func get(_ key: String) -> ContinuousClock.Instant? { times.withLock { $0[key] } }
}
