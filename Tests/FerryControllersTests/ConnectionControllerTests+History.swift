/// The Connection controller on its finished Syncs, against the embedded API server: the
/// history limits delete the oldest (and, by ownership, what they own), the state store
/// shows in `status.state`, streams without a cursor or key are not Ready, and a
/// Connection that only fails is suspended.
import FerryAPI
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeRuntime
import KubeTestSupport
import Testing
@testable import FerryControllers

extension ConnectionControllerTests {
    func connection(_ client: KubernetesClient, _ name: String, _ extra: JSONValue = [:]) async throws {
        var spec: JSONValue = ["sourceRef": ["name": "shop"], "destinationRef": ["name": "lake"]]
        for (key, value) in extra.objectValue ?? [:] { spec[key] = value }
        try await create(client, kind: "Connection", name: name, spec: spec, Connection.resourceType)
    }

    func sync(_ client: KubernetesClient, _ name: String, of connection: String) async throws -> JSONValue {
        try await create(client, kind: "Sync", name: name, spec: ["connectionRef": ["name": .string(connection)]], Sync.resourceType)
        return try await client.get(Sync.resourceType, name: name, namespace: Self.namespace)
    }

    func status(_ client: KubernetesClient, _ name: String) async throws -> JSONValue {
        try await client.get(Connection.resourceType, name: name, namespace: Self.namespace)["status"]
    }

    func exists(_ client: KubernetesClient, _ resource: ResourceType, _ name: String) async throws -> Bool {
        do {
            _ = try await client.get(resource, name: name, namespace: Self.namespace)
            return true
        } catch where error.isNotFound {
            return false
        }
    }

    @Test func historyLimitsDeleteTheOldestFinishedSyncsAndWhatTheyOwn() async throws {
        let clock = ManualClock(wallOrigin: Date())
        try await withConnectionController(clock: clock) { client, _ in
            try await connectors(client)
            try await connection(client, "orders", ["history": ["successful": 1, "failed": 1]])
            var owners: [String: JSONValue] = [:]
            for name in ["orders-a", "orders-b", "orders-c", "orders-d", "orders-running"] { owners[name] = try await sync(client, name, of: "orders") }
            // What a Sync's worker leaves: a Secret and a progress ConfigMap owned by it.
            for (resource, owner) in [(ResourceType.secret, "orders-a"), (.configMap, "orders-c")] {
                let sync = try #require(owners[owner])
                _ = try await client.create([
                    "apiVersion": "v1", "kind": .string(resource.kind),
                    "metadata": [
                        "name": .string("\(owner)-owned"), "namespace": .string(Self.namespace), "labels": .object([FerryLabels.sync: .string(owner)]),
                        "ownerReferences": [["apiVersion": .string(FerryAPI.apiVersion), "kind": "Sync", "name": .string(owner),
                                             "uid": .string(sync.uid ?? ""), "controller": true, "blockOwnerDeletion": true]],
                    ],
                    "data": [:],
                ], resource, namespace: Self.namespace)
            }
            let t0 = clock.wallTime
            try await finish(client, "orders-a", .succeeded, at: t0)
            try await finish(client, "orders-c", .failed, at: t0.addingTimeInterval(30))
            try await finish(client, "orders-b", .succeeded, at: t0.addingTimeInterval(60))
            try await waitUntil(timeout: .seconds(30)) { try await !syncNames(client).contains("orders-a") }
            // Events are named by the (manual) clock's time: one deletion per instant.
            clock.advance(by: .seconds(1))
            try await finish(client, "orders-d", .cancelled, at: t0.addingTimeInterval(90))
            // The newest of each kind stays (cancelled counts as failed); running ones are not touched.
            try await waitUntil(timeout: .seconds(30)) { try await syncNames(client) == ["orders-b", "orders-d", "orders-running"] }
            try await waitUntil(timeout: .seconds(30)) {
                let secret = try await exists(client, .secret, "orders-a-owned")
                let configMap = try await exists(client, .configMap, "orders-c-owned")
                return !secret && !configMap
            }
            try await waitUntil(timeout: .seconds(30)) {
                Set(try await events(client, "orders", reason: "SuccessfulDelete").compactMap { $0["message"].stringValue })
                    == ["Deleted finished Sync orders-a (history.successful 1)", "Deleted finished Sync orders-c (history.failed 1)"]
            }
            // The status is written by the reconcile after orders-d finished, which may come
            // after the deletions above; the clock moves on so that a reconcile requeued
            // after a conflict (the rate limiter runs on this clock) comes back.
            try await waitUntil(timeout: .seconds(30)) {
                clock.advance(by: .milliseconds(100))
                return try await status(client, "orders")["lastSync"]["name"] == "orders-d"
            }
            let summary = try await status(client, "orders")
            #expect(summary["lastSync"]["name"] == "orders-d" && summary["lastSuccessfulSyncTime"] == .string(KubeTime.format(t0.addingTimeInterval(60))))
            #expect(summary["activeSyncs"] == ["orders-running"])
        }
    }

    @Test func theStateStoreShowsInStatus() async throws {
        let clock = ManualClock(wallOrigin: Date())
        try await withConnectionController(clock: clock) { client, _ in
            try await connectors(client)
            try await connection(client, "orders")
            _ = try await sync(client, "orders-m1", of: "orders")
            let state: JSONValue = ["cursor": "2026-05-01T00:00:00Z"]
            _ = try await client.create(
                try ConnectionStateStore.configMap(connection: "orders", namespace: Self.namespace, connectionUID: nil, state: state, sync: "orders-m1"),
                .configMap, namespace: Self.namespace)
            // The Sync controller writes the state, then the attempt's end; that reconciles.
            let ended = KubeTime.format(clock.wallTime)
            var first = try await client.get(Sync.resourceType, name: "orders-m1", namespace: Self.namespace)
            first["status"] = ["phase": "Succeeded", "completionTime": .string(ended), "attempts": [["number": 1, "phase": "Succeeded", "completionTime": .string(ended)]]]
            _ = try await client.updateStatus(first, Sync.resourceType, namespace: Self.namespace)
            let expected: JSONValue = ["configMapName": "orders-state", "updatedAt": .string(ended), "bytes": .int(Int64(state.serialized().utf8.count))]
            try await waitUntil(timeout: .seconds(30)) { try await status(client, "orders")["state"] == expected }

            // A second Sync commits a larger state.
            _ = try await sync(client, "orders-m2", of: "orders")
            var configMap = try await client.get(.configMap, name: "orders-state", namespace: Self.namespace)
            configMap["data"][ConnectionStateStore.stateKey] = .string(String(repeating: "x", count: 1000))
            configMap["metadata"]["annotations"][ConnectionStateStore.syncAnnotation] = "orders-m2"
            _ = try await client.update(configMap, .configMap, namespace: Self.namespace)
            clock.advance(by: .seconds(60))
            try await finish(client, "orders-m2", .succeeded, at: clock.wallTime)
            try await waitUntil(timeout: .seconds(30)) {
                let state = try await status(client, "orders")["state"]
                return state["bytes"] == 1000 && state["updatedAt"] == .string(KubeTime.format(clock.wallTime))
            }
        }
    }

    @Test func streamsWithoutACursorOrAKeyAreNotReady() async throws {
        let clock = ManualClock(wallOrigin: Date())
        try await withConnectionController(clock: clock) { client, _ in
            try await connectors(client)
            try await connection(client, "users", ["streams": [["name": "users", "syncMode": "incremental", "destinationSyncMode": "append_dedup"]]])
            // No catalog yet: nothing to judge by (the Sync's rendering would report it).
            try await waitUntil(timeout: .seconds(30)) { try await condition(client, "users", ConnectionConditions.ready)?["status"] == "True" }
            var source = try await client.get(Source.resourceType, name: "shop", namespace: Self.namespace)
            source["status"] = ["catalog": ["streams": [["name": "users", "namespace": "public", "supportedSyncModes": ["full_refresh", "incremental"],
                                                           "sourceDefinedCursor": false, "defaultCursorField": ["updated_at"]]]]]
            _ = try await client.updateStatus(source, Source.resourceType, namespace: Self.namespace)
            try await waitUntil(timeout: .seconds(30)) { try await condition(client, "users", ConnectionConditions.ready)?["reason"] == "MissingCursor" }
            let message = try #require(try await condition(client, "users", ConnectionConditions.ready)?["message"].stringValue)
            #expect(message.contains("stream public.users") && message.contains("cursorField") && message.contains("primaryKey"))
            #expect(try await status(client, "users")["nextScheduleTime"] == nil)

            let patch: (JSONValue) async throws -> Void = { stream in
                _ = try await client.patch(Connection.resourceType, name: "users", namespace: Self.namespace, patch: ["spec": ["streams": [stream]]], type: .merge)
            }
            try await patch(["name": "users", "syncMode": "incremental", "destinationSyncMode": "append_dedup", "cursorField": ["updated_at"]])
            try await waitUntil(timeout: .seconds(30)) { try await condition(client, "users", ConnectionConditions.ready)?["reason"] == "MissingPrimaryKey" }
            try await patch(["name": "users", "syncMode": "incremental", "destinationSyncMode": "append_dedup", "cursorField": ["updated_at"], "primaryKey": [["id"]]])
            try await waitUntil(timeout: .seconds(30)) { try await condition(client, "users", ConnectionConditions.ready)?["status"] == "True" }
        }
    }

    @Test func aConnectionThatOnlyFailsIsSuspended() async throws {
        let clock = ManualClock(wallOrigin: Date())
        let options = ConnectionControllerOptions(autoDisableConsecutiveFailures: 3, autoDisableFailingDays: 7)
        try await withConnectionController(clock: clock, options: options) { client, _ in
            try await connectors(client)
            // Yearly: no scheduled Sync during the test, but a schedule to suspend.
            // History limits above the Syncs made: no deletion Events beside AutoDisabled (the
            // recorder names Events by the manual clock's time, which does not move here).
            try await connection(client, "flaky", ["schedule": ["cron": "0 0 1 1 *"], "history": ["failed": 10]])
            for (i, name) in ["flaky-1", "flaky-2"].enumerated() {
                _ = try await sync(client, name, of: "flaky")
                try await finish(client, name, .failed, at: clock.wallTime.addingTimeInterval(TimeInterval(i)))
            }
            try await waitUntil(timeout: .seconds(30)) { try await status(client, "flaky")["consecutiveFailures"] == 2 }
            #expect(try await condition(client, "flaky", ConnectionConditions.degraded)?["reason"] == "SyncsFailing")
            // A cancel neither counts nor resets; the third failure disables.
            _ = try await sync(client, "flaky-3", of: "flaky")
            try await finish(client, "flaky-3", .cancelled, at: clock.wallTime.addingTimeInterval(2))
            _ = try await sync(client, "flaky-4", of: "flaky")
            try await finish(client, "flaky-4", .failed, at: clock.wallTime.addingTimeInterval(3))
            try await waitUntil(timeout: .seconds(30)) {
                try await client.get(Connection.resourceType, name: "flaky", namespace: Self.namespace)["spec"]["suspend"] == true
            }
            try await waitUntil(timeout: .seconds(30)) { try await condition(client, "flaky", ConnectionConditions.degraded)?["reason"] == "AutoDisabled" }
            let degraded = try await condition(client, "flaky", ConnectionConditions.degraded)
            #expect(degraded?["status"] == "True" && degraded?["message"].stringValue?.hasPrefix("3 Syncs failed in a row") == true)
            try await waitUntil(timeout: .seconds(30)) { try await condition(client, "flaky", ConnectionConditions.scheduled)?["reason"] == "Suspended" }
            try await waitUntil(timeout: .seconds(30)) { try await events(client, "flaky", reason: "AutoDisabled").first?["type"] == "Warning" }
            #expect(try await status(client, "flaky")["consecutiveFailures"] == 0)
            // Resumed by the user: a new streak, not Degraded.
            _ = try await client.patch(Connection.resourceType, name: "flaky", namespace: Self.namespace, patch: ["spec": ["suspend": false]], type: .merge)
            try await waitUntil(timeout: .seconds(30)) { try await condition(client, "flaky", ConnectionConditions.degraded)?["reason"] == "Healthy" }
            #expect(try await client.get(Connection.resourceType, name: "flaky", namespace: Self.namespace)["spec"]["suspend"] == false)

            // Only failures for 7 days: one failure 8 days ago is enough.
            try await connection(client, "stale", ["schedule": ["cron": "0 0 1 1 *"]])
            _ = try await sync(client, "stale-1", of: "stale")
            try await finish(client, "stale-1", .failed, at: clock.wallTime.addingTimeInterval(-8 * 86_400))
            try await waitUntil(timeout: .seconds(30)) {
                try await client.get(Connection.resourceType, name: "stale", namespace: Self.namespace)["spec"]["suspend"] == true
            }
            try await waitUntil(timeout: .seconds(30)) {
                try await condition(client, "stale", ConnectionConditions.degraded)?["message"].stringValue?.contains("every Sync failed for 7 days") == true
            }
        }
    }
}
