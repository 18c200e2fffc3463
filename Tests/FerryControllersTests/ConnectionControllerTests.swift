/// The Connection controller against the embedded API server with a manual clock:
/// scheduled Syncs appear at their times with deterministic names, Forbid holds back
/// while a Sync is active, and bad references or schedules show in the Ready condition.
import FerryAPI
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeRuntime
import KubeTestSupport
import Testing
@testable import FerryControllers

@Suite(.timeLimit(.minutes(2))) struct ConnectionControllerTests {
    static let namespace = "default"

    func withConnectionController(clock: ManualClock, options: ConnectionControllerOptions = ConnectionControllerOptions(),
                                  _ body: (KubernetesClient, Controller) async throws -> Void) async throws {
        try await withClient(APIServerConfiguration(bookmarkInterval: .milliseconds(200))) { _, client in
            for crd in [Sync.crd, Connection.crd, Source.crd, Destination.crd] { _ = try await client.create(crd, .customResourceDefinition) }
            for resource in [Sync.resourceType, Connection.resourceType, Source.resourceType, Destination.resourceType] {
                try await waitUntil(timeout: .seconds(30)) { await served(resource, by: client) }
            }
            let informer = { (resource: ResourceType) in Informer(client: client, resource: resource, namespace: Self.namespace) }
            let caches = ConnectionCaches(connections: informer(Connection.resourceType), syncs: informer(Sync.resourceType),
                                          sources: informer(Source.resourceType), destinations: informer(Destination.resourceType))
            let events = EventRecorder(client: client, component: "ferry-connection-test", clock: clock)
            let controller = ConnectionController.make(client: client, caches: caches, events: events, clock: clock, options: options)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in [caches.connections, caches.syncs, caches.sources, caches.destinations] { group.addTask { await i.run() } }
                group.addTask { await events.run() }
                group.addTask { await controller.run() }
                do {
                    try await waitUntil(timeout: .seconds(30)) { controller.hasSynced }
                    try await body(client, controller)
                    group.cancelAll()
                } catch {
                    group.cancelAll()
                    throw error
                }
            }
        }
    }

    func create(_ client: KubernetesClient, kind: String, name: String, spec: JSONValue, _ resource: ResourceType) async throws {
        _ = try await client.create([
            "apiVersion": .string(FerryAPI.apiVersion), "kind": .string(kind),
            "metadata": ["name": .string(name), "namespace": .string(Self.namespace)], "spec": spec,
        ], resource)
    }

    func connectors(_ client: KubernetesClient) async throws {
        try await create(client, kind: "Source", name: "shop", spec: ["image": "ghcr.io/ferry/connector:1", "config": [:]], Source.resourceType)
        try await create(client, kind: "Destination", name: "lake", spec: ["image": "ghcr.io/ferry/connector:1", "config": [:]], Destination.resourceType)
    }

    func syncNames(_ client: KubernetesClient) async throws -> [String] {
        try await client.listAll(Sync.resourceType, namespace: Self.namespace).items.compactMap(\.name).sorted()
    }

    /// The Connection's Events of `reason`.
    func events(_ client: KubernetesClient, _ name: String, reason: String) async throws -> [JSONValue] {
        try await client.listAll(.event, namespace: Self.namespace).items
            .filter { $0["reason"] == .string(reason) && $0["involvedObject"]["name"] == .string(name) }
    }

    /// Marks a Sync finished at `completed`.
    func finish(_ client: KubernetesClient, _ name: String, _ phase: SyncPhase, at completed: Date) async throws {
        var sync = try await client.get(Sync.resourceType, name: name, namespace: Self.namespace)
        sync["status"] = ["phase": .string(phase.rawValue), "completionTime": .string(KubeTime.format(completed))]
        _ = try await client.updateStatus(sync, Sync.resourceType, namespace: Self.namespace)
    }

    /// Brings the manual clock past the server's creationTimestamp of the Connection (the
    /// server stamps it with its own clock; a loaded machine may outrun a head start).
    func catchUp(_ clock: ManualClock, _ client: KubernetesClient, connection: String) async throws {
        let stamp = try await client.get(Connection.resourceType, name: connection, namespace: Self.namespace)["metadata"]["creationTimestamp"]
        if let created = stamp.stringValue.flatMap(KubeTime.parse), created >= clock.wallTime {
            clock.advance(by: .milliseconds(Int64((created.timeIntervalSince(clock.wallTime) + 1) * 1000)))
        }
    }

    func condition(_ client: KubernetesClient, _ name: String, _ type: String) async throws -> JSONValue? {
        try await client.get(Connection.resourceType, name: name, namespace: Self.namespace)["status"]["conditions"].arrayValue?
            .first { $0["type"].stringValue == type }
    }

    @Test func everyMinuteRunsAtOnceThenEachMinuteWhileForbidHoldsBack() async throws {
        // Ahead of the server clock that stamps creationTimestamp, so the first slot is due.
        let clock = ManualClock(wallOrigin: Date().addingTimeInterval(5))
        try await withConnectionController(clock: clock) { client, controller in
            try await connectors(client)
            try await create(client, kind: "Connection", name: "orders",
                             spec: ["sourceRef": ["name": "shop"], "destinationRef": ["name": "lake"], "schedule": ["every": "1m"]], Connection.resourceType)
            // The server stamps creationTimestamp with its own clock: bring the manual clock
            // past it (a loaded machine may take longer than the head start).
            let stamp = try await client.get(Connection.resourceType, name: "orders", namespace: Self.namespace)["metadata"]["creationTimestamp"]
            if let created = stamp.stringValue.flatMap(KubeTime.parse), created >= clock.wallTime {
                clock.advance(by: .milliseconds(Int64((created.timeIntervalSince(clock.wallTime) + 1) * 1000)))
            }
            // The first Sync at once, named after its slot, owned by the Connection.
            try await waitUntil(timeout: .seconds(30)) { try await syncNames(client).count == 1 }
            let first = try #require(try await syncNames(client).first)
            #expect(first.hasPrefix("orders-"))
            let sync = try await client.get(Sync.resourceType, name: first, namespace: Self.namespace)
            #expect(sync["spec"]["trigger"] == "schedule" && sync["metadata"]["ownerReferences"].arrayValue?.first?["kind"] == "Connection")
            try await waitUntil(timeout: .seconds(30)) {
                try await client.get(Connection.resourceType, name: "orders", namespace: Self.namespace)["status"]["activeSyncs"] == [.string(first)]
            }
            // A minute later the first is still active: Forbid (the default) holds back.
            clock.advance(by: .seconds(61))
            try await waitUntil(timeout: .seconds(30)) { controller.queue.depth == 0 && controller.queue.processingCount == 0 }
            #expect(try await syncNames(client) == [first])
            // Once it has finished, the due slot runs.
            var finished = try await client.get(Sync.resourceType, name: first, namespace: Self.namespace)
            finished["status"] = ["phase": "Succeeded", "completionTime": .string(KubeTime.format(clock.wallTime))]
            _ = try await client.updateStatus(finished, Sync.resourceType, namespace: Self.namespace)
            try await waitUntil(timeout: .seconds(30)) { try await syncNames(client).count == 2 }
            let status = try await client.get(Connection.resourceType, name: "orders", namespace: Self.namespace)["status"]
            try await waitUntil(timeout: .seconds(30)) {
                try await client.get(Connection.resourceType, name: "orders", namespace: Self.namespace)["status"]["lastSync"]["name"] == .string(first)
            }
            #expect(status["lastScheduleTime"].stringValue != nil && status["nextScheduleTime"].stringValue != nil)
            #expect(try await condition(client, "orders", ConnectionConditions.ready)?["status"] == "True")
        }
    }

    @Test func missingReferencesAndBadSchedulesShowInReady() async throws {
        let clock = ManualClock(wallOrigin: Date())
        try await withConnectionController(clock: clock) { client, _ in
            try await create(client, kind: "Connection", name: "orphan",
                             spec: ["sourceRef": ["name": "shop"], "destinationRef": ["name": "lake"]], Connection.resourceType)
            try await waitUntil(timeout: .seconds(30)) { try await condition(client, "orphan", ConnectionConditions.ready)?["reason"] == "SourceNotFound" }
            // The Source and Destination arriving make it Ready, manual only.
            try await connectors(client)
            try await waitUntil(timeout: .seconds(30)) { try await condition(client, "orphan", ConnectionConditions.ready)?["status"] == "True" }
            #expect(try await condition(client, "orphan", ConnectionConditions.scheduled)?["reason"] == "ManualOnly")
            #expect(try await syncNames(client).isEmpty)
        }
    }
}
