/// The runtime benchmark runs end to end on a small scale and reports sane numbers.
import KubeTestSupport
import Foundation
import KubeClient
import KubeRuntime
import Testing

@Suite(.timeLimit(.minutes(2))) struct RuntimeBenchmarkTests {
    @Test func measuresLatencyAndCacheSizeAndCleansUp() async throws {
        // FERRY_BENCH_OBJECTS runs the full-size measurement by hand (e.g. 10000).
        let objects = ProcessInfo.processInfo.environment["FERRY_BENCH_OBJECTS"].flatMap(Int.init) ?? 300
        try await withClient(runtimeServer) { _, client in
            let result = try await RuntimeBenchmark.run(client: client, objects: objects, updates: min(objects, 1000))
            print(result)
            #expect(result.objects == objects)
            #expect(result.p50 > .zero && result.p50 <= result.p99 && result.p99 <= result.max)
            #expect(result.cacheJSONBytes > objects * 256, "each object carries a 256-byte payload")
            let left = try await client.listAll(.configMap, namespace: "default").items.filter { $0.name?.hasPrefix("bench-") ?? false }
            #expect(left.isEmpty, "the benchmark deletes what it created")
        }
    }
}
