/// Watch over real HTTP: events in order, resume from a resourceVersion, 410 → relist, timeouts, cancellation.
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeTestSupport
import Testing

@Suite struct WatchIntegrationTests {
    @Test func eventsFromAResourceVersion() async throws {
        try await withClient { _, client in
            let api = Api<ConfigMap>(client, namespace: "default")
            let list = try await api.list()
            let rv = try #require(list.metadata.resourceVersion)
            let stream = api.watch(ListOptions(resourceVersion: rv, allowWatchBookmarks: true))
            _ = try await api.create(ConfigMap(metadata: ObjectMeta(name: "w"), data: ["v": "1"]))
            _ = try await api.patch("w", patch: ["data": ["v": "2"]])
            _ = try await api.delete("w")
            let events = try await withTimeout(.seconds(10), "three watch events") {
                try await collect(stream, count: 3, skipping: .bookmark)
            }
            #expect(events.map(\.type) == [.added, .modified, .deleted])
            #expect(events.map { $0.object.name } == ["w", "w", "w"])
            #expect(events[1].object[path: ["data", "v"]] == "2")

            // Resume after the first event: only the later ones arrive.
            let resumeFrom = try #require(events[0].object.resourceVersion)
            let resumed = try await withTimeout(.seconds(10), "resumed events") {
                try await collect(api.watch(ListOptions(resourceVersion: resumeFrom)), count: 2, skipping: .bookmark)
            }
            #expect(resumed.map(\.type) == [.modified, .deleted])
        }
    }

    @Test func timeoutSecondsEndsTheStreamNormally() async throws {
        try await withClient { _, client in
            _ = try await Api<ConfigMap>(client, namespace: "default").create(ConfigMap(metadata: ObjectMeta(name: "existing")))
            let stream = client.watch(.configMap, namespace: "default", options: ListOptions(resourceVersion: "0", timeoutSeconds: 1))
            // The stream must finish without throwing once the server ends the watch.
            let names = try await withTimeout(.seconds(15), "watch end after timeoutSeconds") {
                var names: [String] = []
                for try await event in stream where event.type == .added { names.append(event.object.name ?? "") }
                return names
            }
            #expect(names == ["existing"], "RV=0 starts with the current state as ADDED events")
        }
    }

    @Test func expiredResourceVersionIsGoneAndRelistRecovers() async throws {
        try await withClient(APIServerConfiguration(watchHistorySize: 2)) { _, client in
            let api = Api<ConfigMap>(client, namespace: "default")
            let old = try #require(try await api.list().metadata.resourceVersion)
            for i in 0..<5 { _ = try await api.create(ConfigMap(metadata: ObjectMeta(name: "c\(i)"))) }
            do {
                _ = try await withTimeout(.seconds(10), "410 for an expired resourceVersion") {
                    try await collect(api.watch(ListOptions(resourceVersion: old)), count: 1, skipping: .bookmark)
                }
                Issue.record("watching from a compacted resourceVersion must fail")
            } catch let error as KubeClientError {
                #expect(error.isGone, "\(error)")
            }
            // The reflector's reaction: relist with RV="" and watch from the new list RV.
            let relisted = try await api.list()
            #expect(relisted.items.count == 5)
            let stream = api.watch(ListOptions(resourceVersion: relisted.metadata.resourceVersion))
            _ = try await api.create(ConfigMap(metadata: ObjectMeta(name: "after-relist")))
            let events = try await withTimeout(.seconds(10), "event after relist") { try await collect(stream, count: 1, skipping: .bookmark) }
            #expect(events.first?.object.name == "after-relist")
        }
    }

    @Test func forcedExpirationArrivesAsGone() async throws {
        try await withClient { server, client in
            server.faults.set(FaultPlan(forcedWatchExpirations: 1))
            do {
                _ = try await withTimeout(.seconds(10), "forced 410") {
                    try await collect(client.watch(.configMap, namespace: "default", options: ListOptions(resourceVersion: "0")), count: 100, skipping: .bookmark)
                }
                Issue.record("the forced expiration must surface as an error")
            } catch let error as KubeClientError {
                #expect(error.isGone, "\(error)")
            }
        }
    }

    @Test func cancellingTheConsumerClosesTheWatch() async throws {
        try await withClient { server, client in
            let api = Api<ConfigMap>(client, namespace: "default")
            let rv = try await api.list().metadata.resourceVersion
            let consumer = Task {
                var n = 0
                for try await _ in api.watch(ListOptions(resourceVersion: rv)) { n += 1 }
                return n
            }
            _ = try await api.create(ConfigMap(metadata: ObjectMeta(name: "x")))
            consumer.cancel()
            let result = await withTimeout2(.seconds(10)) { await consumer.result }
            #expect(result != nil, "a cancelled watch must end promptly")
            _ = server
        }
    }

    @Test func droppedConnectionEndsTheStream() async throws {
        try await withClient { server, client in
            let stream = client.watch(.configMap, namespace: "default", options: ListOptions(resourceVersion: "0"))
            _ = try await Api<ConfigMap>(client, namespace: "default").create(ConfigMap(metadata: ObjectMeta(name: "seen")))
            let outcome: String = try await withTimeout(.seconds(10), "stream end after drop") {
                var iterator = stream.makeAsyncIterator()
                // The first event proves the watch is open before the server drops it.
                _ = try await iterator.next()
                server.faults.dropWatches()
                do {
                    while try await iterator.next() != nil {}
                    return "finished"
                } catch {
                    return "error"
                }
            }
            #expect(["finished", "error"].contains(outcome))
        }
    }
}

/// Collects `count` events, ignoring events of type `skipping`.
func collect(_ stream: AsyncThrowingStream<WatchEvent, any Error>, count: Int, skipping: WatchEventType) async throws -> [WatchEvent] {
    var events: [WatchEvent] = []
    for try await event in stream where event.type != skipping {
        events.append(event)
        if events.count >= count { break }
    }
    return events
}

/// Like `withTimeout` for non-throwing bodies; nil on timeout.
func withTimeout2<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async -> T) async -> T? {
    await withTaskGroup(of: T?.self) { group in
        group.addTask { await body() }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        return await group.next() ?? nil
    }
}

@Suite struct ManyWatchesIntegrationTests {
    /// An operator holds one watch per informer; more open watches than an HTTP client's
    /// default connection limit must not starve ordinary requests.
    @Test func twelveOpenWatchesDoNotBlockOtherRequests() async throws {
        try await withClient { _, client in
            let api = Api<ConfigMap>(client, namespace: "default")
            let rv = try #require(try await api.list().metadata.resourceVersion)
            let streams = (0..<12).map { _ in api.watch(ListOptions(resourceVersion: rv)) }
            _ = try await withTimeout(.seconds(10), "a create while 12 watches are open") {
                try await api.create(ConfigMap(metadata: ObjectMeta(name: "seen-by-all")))
            }
            for stream in streams {
                let events = try await withTimeout(.seconds(10), "the event on every watch") {
                    try await collect(stream, count: 1, skipping: .bookmark)
                }
                #expect(events.first?.object.name == "seen-by-all")
            }
        }
    }
}
