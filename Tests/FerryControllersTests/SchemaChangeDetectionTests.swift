/// Schema changes between the catalog a Connection accepted and the Source's current one:
/// streams added and removed, fields added and removed for the synced streams, and which
/// changes break the Connection (a configured stream, its incremental cursor field or its
/// deduplicating primary key field gone), as a table.
import FerryAPI
import Testing
@testable import FerryControllers

@Suite struct SchemaChangeDetectionTests {
    static func schema(_ streams: [SchemaStream]) -> ConnectionSchema { ConnectionSchema(discoveredAt: "2026-01-01T00:00:00Z", streams: streams) }
    static let users = SchemaStream(name: "users", namespace: "public", fields: ["email", "id", "updated_at"])
    static let orders = SchemaStream(name: "orders", namespace: "public", fields: ["id", "total"])
    static let accepted = schema([users, orders])
    static let publicUsers = SchemaStreamName(namespace: "public", name: "users")
    static let publicOrders = SchemaStreamName(namespace: "public", name: "orders")

    static func with(_ stream: SchemaStream, fields: [String]?) -> SchemaStream {
        var copy = stream
        copy.fields = fields
        return copy
    }

    static let incrementalDedup = ConfiguredStream(name: "users", syncMode: .incremental, destinationSyncMode: .appendDedup,
                                                   cursorField: ["updated_at"], primaryKey: [["id"]])

    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var streams: [ConfiguredStream]?
        var current: ConnectionSchema
        var changes: [String]
        var breaking: [String]
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "nothing changed", streams: nil, current: accepted, changes: [], breaking: []),
        Case(label: "stream order does not matter", streams: [], current: schema([orders, users]), changes: [], breaking: []),
        Case(label: "stream added, every stream synced", streams: [], current: schema([users, orders, SchemaStream(name: "refunds", fields: ["id"])]),
             changes: ["stream refunds added"], breaking: []),
        Case(label: "stream removed, every stream synced: not breaking", streams: [], current: schema([users]),
             changes: ["stream public.orders removed"], breaking: []),
        Case(label: "unsynced stream removed", streams: [ConfiguredStream(name: "users")], current: schema([users]),
             changes: ["stream public.orders removed"], breaking: []),
        Case(label: "configured stream removed: breaking", streams: [ConfiguredStream(name: "orders", namespace: "public")], current: schema([users]),
             changes: ["stream public.orders removed"], breaking: ["stream public.orders (spec.streams[0]) is no longer discovered"]),
        Case(label: "field added and removed, every stream synced", streams: [], current: schema([with(users, fields: ["email", "id", "name", "updated_at"]), with(orders, fields: ["id"])]),
             changes: ["field total removed from stream public.orders", "field name added to stream public.users"], breaking: []),
        Case(label: "fields of unsynced streams are not compared", streams: [ConfiguredStream(name: "users")], current: schema([users, with(orders, fields: ["id"])]),
             changes: [], breaking: []),
        Case(label: "cursor field removed from an incremental stream: breaking", streams: [incrementalDedup],
             current: schema([with(users, fields: ["email", "id"]), orders]),
             changes: ["field updated_at removed from stream public.users"],
             breaking: ["stream public.users (spec.streams[0]): its cursor field updated_at was removed"]),
        Case(label: "cursor field removed from a full refresh stream: not breaking",
             streams: [ConfiguredStream(name: "users", syncMode: .fullRefresh, cursorField: ["updated_at"])],
             current: schema([with(users, fields: ["email", "id"]), orders]),
             changes: ["field updated_at removed from stream public.users"], breaking: []),
        Case(label: "nested cursor: its top-level field counts", streams: [ConfiguredStream(name: "users", syncMode: .incremental, cursorField: ["email", "domain"])],
             current: schema([with(users, fields: ["id", "updated_at"]), orders]),
             changes: ["field email removed from stream public.users"],
             breaking: ["stream public.users (spec.streams[0]): its cursor field email was removed"]),
        Case(label: "primary key field removed from a dedup stream: breaking", streams: [incrementalDedup],
             current: schema([with(users, fields: ["email", "updated_at"]), orders]),
             changes: ["field id removed from stream public.users"],
             breaking: ["stream public.users (spec.streams[0]): its primary key field id was removed"]),
        Case(label: "primary key field removed from an append stream: not breaking",
             streams: [ConfiguredStream(name: "users", syncMode: .incremental, destinationSyncMode: .append, cursorField: ["updated_at"], primaryKey: [["id"]])],
             current: schema([with(users, fields: ["email", "updated_at"]), orders]),
             changes: ["field id removed from stream public.users"], breaking: []),
        Case(label: "cursor and key both gone", streams: [incrementalDedup], current: schema([with(users, fields: ["email"]), orders]),
             changes: ["field id removed from stream public.users", "field updated_at removed from stream public.users"],
             breaking: ["stream public.users (spec.streams[0]): its cursor field updated_at was removed",
                        "stream public.users (spec.streams[0]): its primary key field id was removed"]),
        Case(label: "an unrelated field removed from a configured stream: not breaking", streams: [incrementalDedup],
             current: schema([with(users, fields: ["id", "updated_at"]), orders]),
             changes: ["field email removed from stream public.users"], breaking: []),
        Case(label: "unknown fields (no properties) are no change", streams: [incrementalDedup], current: schema([with(users, fields: nil), orders]),
             changes: [], breaking: []),
        Case(label: "a configured stream never discovered is no change", streams: [ConfiguredStream(name: "ghost")], current: accepted,
             changes: [], breaking: []),
        Case(label: "streams differ by namespace", streams: [ConfiguredStream(name: "users", namespace: "public")],
             current: schema([SchemaStream(name: "users", namespace: "archive", fields: ["id"]), orders]),
             changes: ["stream archive.users added", "stream public.users removed"],
             breaking: ["stream public.users (spec.streams[0]) is no longer discovered"]),
        Case(label: "breaking changes in spec.streams order", streams: [ConfiguredStream(name: "orders"), incrementalDedup],
             current: schema([with(users, fields: ["id", "email"])]),
             changes: ["stream public.orders removed", "field updated_at removed from stream public.users"],
             breaking: ["stream public.orders (spec.streams[0]) is no longer discovered",
                        "stream public.users (spec.streams[1]): its cursor field updated_at was removed"]),
        Case(label: "empty catalog, every stream synced", streams: nil, current: schema([]),
             changes: ["stream public.orders removed", "stream public.users removed"], breaking: []),
    ]

    @Test(arguments: cases) func detects(_ example: Case) {
        let report = SchemaChangeDetection.detect(streams: example.streams, accepted: Self.accepted, current: example.current)
        #expect(report.changes.map(\.description) == example.changes)
        #expect(report.breaking.map(\.description) == example.breaking)
        #expect(report.isBreaking == !example.breaking.isEmpty)
        #expect(report.isEmpty == example.changes.isEmpty)
    }

    @Test func breakingChangesNameTheStreamAndField() {
        let report = SchemaChangeDetection.detect(streams: [Self.incrementalDedup], accepted: Self.accepted,
                                                  current: Self.schema([Self.with(Self.users, fields: ["id"]), Self.orders]))
        #expect(report.breaking == [BreakingSchemaChange(kind: .cursorFieldRemoved, stream: Self.publicUsers, index: 0, field: "updated_at")])
        #expect(report.changes == [.fieldRemoved(Self.publicUsers, field: "email"), .fieldRemoved(Self.publicUsers, field: "updated_at")])
        let gone = SchemaChangeDetection.detect(streams: [ConfiguredStream(name: "orders")], accepted: Self.accepted, current: Self.schema([Self.users]))
        #expect(gone.breaking == [BreakingSchemaChange(kind: .streamRemoved, stream: Self.publicOrders, index: 0, field: nil)])
    }

    @Test func theSnapshotKeepsNamesAndFields() {
        let catalog = DiscoveredCatalog(discoveredAt: "2026-02-01T00:00:00Z", streams: [
            DiscoveredStream(name: "users", namespace: "public", supportedSyncModes: [.incremental], sourceDefinedCursor: true, fields: ["id"]),
            DiscoveredStream(name: "events"),
        ])
        #expect(SchemaChangeDetection.snapshot(catalog, source: "shop") == ConnectionSchema(source: "shop", discoveredAt: "2026-02-01T00:00:00Z", streams: [
            SchemaStream(name: "users", namespace: "public", fields: ["id"]), SchemaStream(name: "events"),
        ]))
    }

    @Test func discoverSummariesCarryTheFields() throws {
        let line = #"{"type": "CATALOG", "catalog": {"streams": ["#
            + #"{"name": "users", "json_schema": {"type": "object", "properties": {"updated_at": {"type": "string"}, "id": {"type": "integer"}}}},"#
            + #"{"name": "events", "json_schema": {"type": "object"}}]}}"#
        var output = ConnectorProbeOutput(action: .discover)
        output.consume(line: Array(line.utf8))
        let streams = try #require(output.result().streams)
        #expect(streams.map(\.fields) == [["id", "updated_at"], nil])
        // Through the ConfigMap the probe pod writes, into a Source's status.
        #expect(ConnectorProbeCatalogConfigMap.read(try ConnectorProbeCatalogConfigMap.patch(streams: streams))?.map(\.fields) == [["id", "updated_at"], nil])
    }

    @Test func theProbeSummaryListsTopLevelFieldsSorted() {
        #expect(ConnectorProbeOutput.fieldNames(["type": "object", "properties": ["b": ["type": "string"], "a": ["type": "object", "properties": ["x": [:]]]]]) == ["a", "b"])
        #expect(ConnectorProbeOutput.fieldNames(["type": "object", "properties": [:]]) == [])
        #expect(ConnectorProbeOutput.fieldNames(["type": "object"]) == nil)
    }

    @Test func pendingChangesAreCappedAndSummarized() {
        let many = SchemaChangeReport(changes: (0..<25).map { SchemaChange.streamAdded(SchemaStreamName(name: "s\($0)")) })
        let pending = ConnectionReconciler.pending(many, discoveredAt: "t")
        #expect(pending.count == 25 && pending.changes?.count == PendingSchemaChanges.maxListed && pending.breaking == nil)
        #expect(ConnectionReconciler.summary(pending).hasPrefix("25 changes: stream s0 added, "))
        #expect(ConnectionReconciler.summary(pending).hasSuffix(", and 5 more"))
    }
}
