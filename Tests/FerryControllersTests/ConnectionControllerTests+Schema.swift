/// The Connection controller on its Source's schema changes, against the embedded API
/// server: the first catalog (of each Source) is accepted as is; later changes are propagated, ignored (and
/// listed), or suspend the Connection (`disable`, and any breaking change whatever the
/// policy) until the user resumes it.
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
    /// Writes the Source's discovered catalog as the probe controller would.
    func discover(_ client: KubernetesClient, source name: String = "shop", at discoveredAt: String, _ streams: [JSONValue]) async throws {
        var source = try await client.get(Source.resourceType, name: name, namespace: Self.namespace)
        source["status"] = ["catalog": ["discoveredAt": .string(discoveredAt), "streams": .array(streams)]]
        _ = try await client.updateStatus(source, Source.resourceType, namespace: Self.namespace)
    }

    static func stream(_ name: String, fields: [String]) -> JSONValue {
        ["name": .string(name), "namespace": "public", "supportedSyncModes": ["full_refresh", "incremental"], "fields": .array(fields.map(JSONValue.string))]
    }

    func suspended(_ client: KubernetesClient, _ name: String) async throws -> Bool {
        try await client.get(Connection.resourceType, name: name, namespace: Self.namespace)["spec"]["suspend"] == true
    }

    @Test func schemaChangesArePropagatedOrIgnored() async throws {
        let clock = ManualClock(wallOrigin: Date())
        try await withConnectionController(clock: clock) { client, _ in
            try await connectors(client)
            try await connection(client, "mirror", ["schemaChanges": "propagate_columns"])
            try await connection(client, "steady", ["schemaChanges": "ignore"])
            try await discover(client, at: "2026-01-01T00:00:00Z", [Self.stream("users", fields: ["id", "updated_at"])])
            // The first catalog is accepted as is, without Events.
            for name in ["mirror", "steady"] {
                try await waitUntil(timeout: .seconds(30)) { try await status(client, name)["schema"]["discoveredAt"] == "2026-01-01T00:00:00Z" }
                #expect(try await status(client, name)["schema"]["streams"] == [["name": "users", "namespace": "public", "fields": ["id", "updated_at"]]])
            }
            try await discover(client, at: "2026-01-02T00:00:00Z", [Self.stream("users", fields: ["id", "name", "updated_at"]), Self.stream("orders", fields: ["id"])])

            try await waitUntil(timeout: .seconds(30)) { try await status(client, "mirror")["schema"]["discoveredAt"] == "2026-01-02T00:00:00Z" }
            #expect(try await status(client, "mirror")["pendingSchemaChanges"] == nil)
            try await waitUntil(timeout: .seconds(30)) { try await !events(client, "mirror", reason: "SchemaChangePropagated").isEmpty }
            let propagated = try #require(try await events(client, "mirror", reason: "SchemaChangePropagated").first)
            #expect(propagated["type"] == "Normal")
            #expect(propagated["message"].stringValue?.contains("2 changes: stream public.orders added, field name added to stream public.users") == true)

            try await waitUntil(timeout: .seconds(30)) { try await status(client, "steady")["pendingSchemaChanges"]["count"] == 2 }
            let steady = try await status(client, "steady")
            #expect(steady["schema"]["discoveredAt"] == "2026-01-01T00:00:00Z")
            #expect(steady["pendingSchemaChanges"]["discoveredAt"] == "2026-01-02T00:00:00Z" && steady["pendingSchemaChanges"]["breaking"] == nil)
            #expect(steady["pendingSchemaChanges"]["changes"] == ["stream public.orders added", "field name added to stream public.users"])
            try await waitUntil(timeout: .seconds(30)) { try await events(client, "steady", reason: "SchemaChangeIgnored").first?["type"] == "Normal" }
            #expect(try await condition(client, "steady", ConnectionConditions.ready)?["status"] == "True")
            #expect(try await !suspended(client, "steady"))
            #expect(try await !suspended(client, "mirror"))

            // The same changes rediscovered: no second Event.
            try await discover(client, at: "2026-01-03T00:00:00Z", [Self.stream("users", fields: ["id", "name", "updated_at"]), Self.stream("orders", fields: ["id"])])
            try await waitUntil(timeout: .seconds(30)) { try await status(client, "steady")["pendingSchemaChanges"]["discoveredAt"] == "2026-01-03T00:00:00Z" }
            #expect(try await events(client, "steady", reason: "SchemaChangeIgnored").first?["count"] == 1)

            // Another Source: its catalog is accepted as is, nothing pending.
            try await create(client, kind: "Source", name: "archive", spec: ["image": "ghcr.io/ferry/connector:1", "config": [:]], Source.resourceType)
            try await discover(client, source: "archive", at: "2026-01-04T00:00:00Z", [Self.stream("invoices", fields: ["id"])])
            _ = try await client.patch(Connection.resourceType, name: "steady", namespace: Self.namespace, patch: ["spec": ["sourceRef": ["name": "archive"]]], type: .merge)
            try await waitUntil(timeout: .seconds(30)) { try await status(client, "steady")["schema"]["source"] == "archive" }
            let moved = try await status(client, "steady")
            #expect(moved["schema"]["discoveredAt"] == "2026-01-04T00:00:00Z" && moved["pendingSchemaChanges"] == nil)
        }
    }

    @Test func breakingChangesAndDisableSuspendUntilResumed() async throws {
        let clock = ManualClock(wallOrigin: Date())
        try await withConnectionController(clock: clock) { client, _ in
            try await connectors(client)
            try await connection(client, "strict", ["schemaChanges": "disable"])
            // Ignore, but the cursor going is breaking whatever the policy.
            try await connection(client, "keyed", ["schemaChanges": "ignore", "streams": [[
                "name": "users", "syncMode": "incremental", "destinationSyncMode": "append_dedup", "cursorField": ["updated_at"], "primaryKey": [["id"]],
            ]]])
            try await discover(client, at: "2026-01-01T00:00:00Z", [Self.stream("users", fields: ["email", "id", "updated_at"])])
            for name in ["strict", "keyed"] {
                try await waitUntil(timeout: .seconds(30)) { try await status(client, name)["schema"]["discoveredAt"] == "2026-01-01T00:00:00Z" }
                #expect(try await condition(client, name, ConnectionConditions.ready)?["status"] == "True")
            }
            try await discover(client, at: "2026-01-02T00:00:00Z", [Self.stream("users", fields: ["email", "id"])])

            // Breaking: suspended, Ready False naming stream and field, a Warning.
            try await waitUntil(timeout: .seconds(30)) { try await suspended(client, "keyed") }
            try await waitUntil(timeout: .seconds(30)) { try await condition(client, "keyed", ConnectionConditions.ready)?["reason"] == "BreakingSchemaChange" }
            let breaking = try #require(try await condition(client, "keyed", ConnectionConditions.ready))
            #expect(breaking["status"] == "False")
            #expect(breaking["message"].stringValue?.contains("stream public.users (spec.streams[0]): its cursor field updated_at was removed") == true)
            try await waitUntil(timeout: .seconds(30)) { try await events(client, "keyed", reason: "BreakingSchemaChange").first?["type"] == "Warning" }
            #expect(try await status(client, "keyed")["pendingSchemaChanges"]["breaking"].stringValue?.contains("updated_at") == true)

            // disable: suspended for a non-breaking change.
            try await waitUntil(timeout: .seconds(30)) { try await suspended(client, "strict") }
            try await waitUntil(timeout: .seconds(30)) { try await condition(client, "strict", ConnectionConditions.ready)?["reason"] == "SchemaChanged" }
            try await waitUntil(timeout: .seconds(30)) { try await events(client, "strict", reason: "SchemaChanged").first?["type"] == "Warning" }
            #expect(try await status(client, "strict")["schema"]["discoveredAt"] == "2026-01-01T00:00:00Z")

            // Resuming accepts the changes (a later time: Events are named by the clock).
            clock.advance(by: .seconds(1))
            _ = try await client.patch(Connection.resourceType, name: "strict", namespace: Self.namespace, patch: ["spec": ["suspend": false]], type: .merge)
            try await waitUntil(timeout: .seconds(30)) { try await status(client, "strict")["schema"]["discoveredAt"] == "2026-01-02T00:00:00Z" }
            try await waitUntil(timeout: .seconds(30)) { try await condition(client, "strict", ConnectionConditions.ready)?["status"] == "True" }
            #expect(try await status(client, "strict")["pendingSchemaChanges"] == nil)
            #expect(try await !suspended(client, "strict"))

            // Resuming with the cursor still gone keeps Ready False and does not suspend again.
            _ = try await client.patch(Connection.resourceType, name: "keyed", namespace: Self.namespace, patch: ["spec": ["suspend": false]], type: .merge)
            try await waitUntil(timeout: .seconds(30)) { try await !suspended(client, "keyed") }
            try await waitUntil(timeout: .seconds(30)) { try await status(client, "keyed")["observedGeneration"] == 3 }
            #expect(try await condition(client, "keyed", ConnectionConditions.ready)?["reason"] == "BreakingSchemaChange")
            #expect(try await !suspended(client, "keyed"))
            // A cursor that exists: no longer breaking; ignored as the policy says.
            _ = try await client.patch(Connection.resourceType, name: "keyed", namespace: Self.namespace, patch: ["spec": ["streams": [[
                "name": "users", "syncMode": "incremental", "destinationSyncMode": "append_dedup", "cursorField": ["email"], "primaryKey": [["id"]],
            ]]]], type: .merge)
            try await waitUntil(timeout: .seconds(30)) { try await condition(client, "keyed", ConnectionConditions.ready)?["status"] == "True" }
            let keyed = try await status(client, "keyed")
            #expect(keyed["pendingSchemaChanges"]["count"] == 1 && keyed["pendingSchemaChanges"]["breaking"] == nil)
            #expect(keyed["schema"]["discoveredAt"] == "2026-01-01T00:00:00Z")
            #expect(try await !suspended(client, "keyed"))
        }
    }
}
