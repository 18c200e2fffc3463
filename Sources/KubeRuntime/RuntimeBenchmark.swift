/// A benchmark of the runtime against a live API server: event-to-reconcile latency and
/// informer cache size for N objects. Used by the `ferry` benchmark subcommand.
import Foundation
import KubeClient
import KubeCore
import Synchronization

public struct RuntimeBenchmarkResult: Sendable, CustomStringConvertible {
    public var objects: Int
    public var updates: Int
    /// Time from starting the informer to its first complete (paginated) list.
    public var initialSync: Duration
    /// From sending an update to the reconcile that sees it.
    public var p50: Duration
    public var p99: Duration
    public var max: Duration
    /// Sum of the cached objects' JSON sizes: what the cache holds, independent of allocator overhead.
    public var cacheJSONBytes: Int
    /// Growth of the process' resident memory across the initial sync (Linux; nil elsewhere).
    public var residentGrowthBytes: Int?

    public var description: String {
        func ms(_ d: Duration) -> String { String(format: "%.1f ms", d.seconds * 1000) }
        var lines = [
            "objects: \(objects), updates: \(updates)",
            "initial sync: \(ms(initialSync))",
            "event-to-reconcile latency: p50 \(ms(p50)), p99 \(ms(p99)), max \(ms(max))",
            "cache: \(cacheJSONBytes / 1024) KiB of object JSON",
        ]
        if let residentGrowthBytes { lines.append("resident memory growth during sync: \(residentGrowthBytes / 1024) KiB") }
        return lines.joined(separator: "\n")
    }
}

public struct RuntimeBenchmarkError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

public enum RuntimeBenchmark {
    /// Creates `objects` ConfigMaps in `namespace`, syncs an informer, updates `updates` of
    /// them one by one while a controller reconciles, measures, and deletes what it created.
    public static func run(client: KubernetesClient, namespace: String = "default", objects: Int = 10_000, updates: Int = 1_000, timeout: Duration = .seconds(300)) async throws -> RuntimeBenchmarkResult {
        let runID = "bench-\(UInt32.random(in: 0...UInt32.max))"
        let selector = "ferry.dev/benchmark=\(runID)"
        try await createObjects(client: client, namespace: namespace, count: objects, runID: runID)
        do {
            // Cleanup is best effort: a failure must not hide the measurement or the original error.
            let result = try await measure(client: client, namespace: namespace, objects: objects, updates: min(updates, objects), runID: runID, timeout: timeout)
            _ = try? await client.deleteCollection(.configMap, namespace: namespace, listOptions: ListOptions(labelSelector: selector))
            return result
        } catch {
            _ = try? await client.deleteCollection(.configMap, namespace: namespace, listOptions: ListOptions(labelSelector: selector))
            throw error
        }
    }

    private static func createObjects(client: KubernetesClient, namespace: String, count: Int, runID: String) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            let workers = 32
            for w in 0..<workers {
                group.addTask {
                    var i = w
                    while i < count {
                        let cm: JSONValue = [
                            "apiVersion": "v1", "kind": "ConfigMap",
                            "metadata": ["name": .string("\(runID)-\(i)"), "namespace": .string(namespace), "labels": ["ferry.dev/benchmark": .string(runID)]],
                            "data": ["value": "initial", "payload": .string(String(repeating: "x", count: 256))],
                        ]
                        _ = try await client.create(cm, .configMap, namespace: namespace)
                        i += workers
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    private static func measure(client: KubernetesClient, namespace: String, objects: Int, updates: Int, runID: String, timeout: Duration) async throws -> RuntimeBenchmarkResult {
        let clock = ContinuousClock()
        let sent = Mutex<[String: ContinuousClock.Instant]>([:])
        let latencies = Mutex<[Duration]>([])
        let informer = Informer(client: client, resource: .configMap, namespace: namespace, configuration: .init(labelSelector: "ferry.dev/benchmark=\(runID)"))
        let controller = Controller(name: "benchmark", for: informer, maxConcurrentReconciles: 4) { key, object in
            guard let object, object["data"]["value"] == "updated" else { return .done }
            let now = clock.now
            if let start = sent.withLock({ $0.removeValue(forKey: key.name) }) {
                latencies.withLock { $0.append(start.duration(to: now)) }
            }
            return .done
        }
        let rssBefore = residentBytes()
        let started = clock.now
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await informer.run() }
            group.addTask { await controller.run() }
            defer { group.cancelAll() }
            await informer.store.waitUntilSynced()
            let initialSync = started.duration(to: clock.now)
            let rssAfter = residentBytes()
            guard informer.store.count >= objects else {
                throw RuntimeBenchmarkError(message: "benchmark: the cache holds \(informer.store.count) objects after sync, expected \(objects)")
            }
            let cacheBytes = informer.store.list().reduce(0) { $0 + $1.serializedBytes().count }
            for i in 0..<updates {
                let name = "\(runID)-\(i)"
                sent.withLock { $0[name] = clock.now }
                _ = try await client.patch(.configMap, name: name, namespace: namespace, patch: ["data": ["value": "updated"]], type: .merge)
            }
            let deadline = clock.now + timeout
            while latencies.withLock({ $0.count }) < updates {
                if clock.now >= deadline { throw RuntimeBenchmarkError(message: "benchmark: only \(latencies.withLock { $0.count }) of \(updates) updates were reconciled within \(timeout)") }
                try await Task.sleep(for: .milliseconds(10))
            }
            let sorted = latencies.withLock { $0 }.sorted()
            func pct(_ p: Double) -> Duration { sorted[Swift.min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)] }
            return RuntimeBenchmarkResult(
                objects: objects, updates: updates, initialSync: initialSync, p50: pct(0.5), p99: pct(0.99), max: sorted.last ?? .zero,
                cacheJSONBytes: cacheBytes, residentGrowthBytes: rssBefore.flatMap { b in rssAfter.map { $0 - b } })
        }
    }

    /// Resident set size from /proc/self/statm (Linux), nil where unavailable.
    static func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
