/// One Sync of a Connection at a time unless `concurrencyPolicy: Allow` (API.md): the pure
/// rule, the Sync cache's indexes it reads through, and the Sync controller keeping a
/// Connection's second Sync Queued until the first is done.
import FerryAPI
import Foundation
import KubeCore
import KubeRuntime
import KubeTestSupport
import Testing
@testable import FerryControllers

@Suite(.timeLimit(.minutes(1))) struct ConnectionTurnTests {
    static func sync(_ name: String, _ phase: String?, created: Int, connection: String = "c", namespace: String = "default",
                     deleting: Bool = false, cancel: Bool = false, queuedReason: String? = nil) -> JSONValue {
        var metadata: JSONValue = ["name": .string(name), "namespace": .string(namespace),
                                   "creationTimestamp": .string(KubeTime.format(Date(timeIntervalSince1970: 1_700_000_000 + Double(created))))]
        if deleting { metadata["deletionTimestamp"] = "2025-01-01T00:00:00Z" }
        var object: JSONValue = ["metadata": metadata, "spec": ["connectionRef": ["name": .string(connection)], "cancel": .bool(cancel)]]
        if let phase { object["status"] = ["phase": .string(phase)] }
        if let queuedReason { object[path: ["status", "conditions"]] = [["type": "Queued", "status": "True", "reason": .string(queuedReason)]] }
        return object
    }

    // MARK: the pure rule

    @Test(arguments: [
        // (the Connection's Syncs, the one asking, whom it waits for)
        ([sync("a", "Queued", created: 0), sync("b", "Queued", created: 1)], "a", nil as String?),
        ([sync("a", "Queued", created: 0), sync("b", "Queued", created: 1)], "b", "a"),
        ([sync("a", nil, created: 0), sync("b", nil, created: 1)], "b", "a"),
        // Same second: the name decides.
        ([sync("b", "Queued", created: 5), sync("a", "Queued", created: 5)], "b", "a"),
        // A newer Sync holding a worker (started under Allow) still blocks an older one.
        ([sync("a", "Queued", created: 0), sync("b", "Running", created: 1)], "a", "b"),
        ([sync("a", "Pending", created: 0), sync("b", "Queued", created: 1)], "b", "a"),
        // Finished Syncs never block.
        ([sync("a", "Succeeded", created: 0), sync("f", "Failed", created: 1), sync("x", "Cancelled", created: 2), sync("b", "Queued", created: 3)], "b", nil),
        // A queued Sync being deleted or cancelled never needs a worker: it blocks nothing.
        ([sync("a", "Queued", created: 0, deleting: true), sync("b", "Queued", created: 1)], "b", nil),
        ([sync("a", "Queued", created: 0, cancel: true), sync("b", "Queued", created: 1)], "b", nil),
        // A running one being deleted or cancelled holds its worker until its pod is gone.
        ([sync("a", "Running", created: 0, deleting: true), sync("b", "Queued", created: 1)], "b", "a"),
        ([sync("a", "Running", created: 0, cancel: true), sync("b", "Queued", created: 1)], "b", "a"),
        // A retrying Sync (back to Queued between attempts) keeps its turn.
        ([sync("a", "Queued", created: 0, queuedReason: "Retrying"), sync("b", "Queued", created: 1)], "b", "a"),
        // The oldest of several waits first; the holder is named before any older waiter.
        ([sync("a", "Queued", created: 0), sync("b", "Queued", created: 1), sync("c", "Queued", created: 2)], "c", "a"),
        ([sync("a", "Queued", created: 0), sync("b", "Running", created: 1), sync("c", "Queued", created: 2)], "c", "b"),
        // Alone.
        ([sync("a", "Queued", created: 0)], "a", nil),
    ])
    func whoseTurn(syncs: [JSONValue], asking: String, waitsFor: String?) throws {
        let sync = try #require(syncs.first { $0.name == asking })
        #expect(ConnectionTurn.previous(of: sync, among: syncs) == waitsFor)
    }

    // MARK: the indexes

    /// Every index lookup answers as a scan of an unindexed store does, after adds,
    /// phase changes and deletes.
    @Test func indexedLookupsMatchAScan() {
        let indexed = ObjectStore(indexers: SyncIndexes.indexers)
        let plain = ObjectStore()
        var objects = [
            Self.sync("a", nil, created: 0), Self.sync("b", "Queued", created: 1, queuedReason: "WaitingForWorker"),
            Self.sync("c", "Queued", created: 2, queuedReason: "WaitingForPreviousSync"), Self.sync("d", "Running", created: 3),
            Self.sync("e", "Succeeded", created: 4), Self.sync("f", "Failed", created: 5, connection: "other"),
            Self.sync("g", "Queued", created: 6, connection: "other", namespace: "team", queuedReason: "ConnectionNotFound"),
            Self.sync("h", "Bogus", created: 7),
        ]
        func check(_ step: String) {
            func names(_ list: [JSONValue]) -> [String] { list.compactMap(\.name).sorted() }
            for namespace in ["default", "team", "none"] {
                for connection in ["c", "other", "none"] {
                    #expect(names(SyncIndexes.syncs(ofConnection: connection, namespace: namespace, in: indexed))
                        == names(SyncIndexes.syncs(ofConnection: connection, namespace: namespace, in: plain)), "\(step): \(namespace)/\(connection)")
                }
                #expect(names(SyncIndexes.unfinishedSyncs(in: namespace, store: indexed)) == names(SyncIndexes.unfinishedSyncs(in: namespace, store: plain)), "\(step)")
                let reasons: Set<String> = ["WaitingForWorker", "WaitingForPreviousSync", "ConnectionNotFound"]
                #expect(names(SyncIndexes.queuedSyncs(in: namespace, reasons: reasons, store: indexed))
                    == names(SyncIndexes.queuedSyncs(in: namespace, reasons: reasons, store: plain)), "\(step)")
            }
        }
        for object in objects { for store in [indexed, plain] { store.apply(.applied(object)) } }
        check("added")
        #expect(SyncIndexes.unfinishedSyncs(in: "default", store: indexed).compactMap(\.name).sorted() == ["a", "b", "c", "d", "h"])
        #expect(SyncIndexes.queuedSyncs(in: "default", reasons: ["WaitingForPreviousSync"], store: indexed).compactMap(\.name) == ["c"])
        #expect(SyncIndexes.syncs(ofConnection: "other", namespace: "default", in: indexed).compactMap(\.name) == ["f"])
        objects[3] = Self.sync("d", "Succeeded", created: 3)
        objects[2] = Self.sync("c", "Queued", created: 2, queuedReason: "WaitingForWorker")
        for object in objects { for store in [indexed, plain] { store.apply(.applied(object)) } }
        check("updated")
        #expect(SyncIndexes.queuedSyncs(in: "default", reasons: ["WaitingForPreviousSync"], store: indexed).isEmpty)
        for store in [indexed, plain] { store.apply(.deleted(objects[1])) }
        check("deleted")
        for store in [indexed, plain] { store.apply(.restarted(Array(objects.prefix(3)))) }
        check("relisted")
    }

    // MARK: the controller

    @Test func aConnectionsSecondSyncWaitsForTheFirstThenRuns() async throws {
        try await withSyncController { rig in
            try await rig.createPool(workers: 3)
            try await rig.createConnectors()
            try await rig.createConnection(concurrencyPolicy: "Forbid")
            for name in ["sync-a", "sync-b", "sync-c"] { try await rig.createSync(name) }
            try await waitUntil(timeout: .seconds(10)) { try await rig.exists(.pod, "sync-a-1") }
            for (name, previous) in [("sync-b", "sync-a"), ("sync-c", "sync-a")] {
                try await waitUntil(timeout: .seconds(10)) {
                    try await rig.condition(name, SyncConditions.queued)?["reason"] == "WaitingForPreviousSync"
                }
                let message = try await rig.condition(name, SyncConditions.queued)?["message"].stringValue ?? ""
                #expect(message.contains("Sync \(previous) of Connection shop-to-lake"), "\(message)")
            }
            #expect(rig.activePods() == ["sync-a-1"], "free workers, but one Sync of the Connection at a time")
            try await rig.runPod("sync-a-1")
            try await rig.finishPod("sync-a-1", exitCode: 0, message: SyncControllerTests.summary)
            try await rig.waitForPhase("sync-a", .succeeded)
            // The next in creation order, woken by the first one finishing.
            try await waitUntil(timeout: .seconds(10)) { rig.activePods() == ["sync-b-1"] }
            try await waitUntil(timeout: .seconds(10)) {
                try await rig.condition("sync-c", SyncConditions.queued)?["message"].stringValue?.contains("Sync sync-b ") == true
            }
            // Cancelling the running one hands the turn on once it is Cancelled.
            _ = try await rig.client.patch(Sync.resourceType, name: "sync-b", namespace: rig.namespace, patch: ["spec": ["cancel": true]], type: .merge)
            try await rig.waitForPhase("sync-b", .cancelled)
            try await waitUntil(timeout: .seconds(10)) { rig.activePods() == ["sync-c-1"] }
            #expect(rig.maxActivePods.value == 1)
        }
    }

    @Test func allowRunsTheSyncsOfAConnectionSideBySide() async throws {
        try await withSyncController { rig in
            try await rig.createPool(workers: 3)
            try await rig.createConnectors()
            try await rig.createConnection(concurrencyPolicy: "Allow")
            for name in ["sync-a", "sync-b", "sync-c"] { try await rig.createSync(name) }
            try await waitUntil(timeout: .seconds(10)) { rig.activePods() == ["sync-a-1", "sync-b-1", "sync-c-1"] }
        }
    }
}
