/// Configured catalog building: defaults for `streams: []`, the per-stream rules (modes,
/// cursor, primary key) with their errors, and Airbyte's destination stream naming.
import AirbyteProtocol
import FerryAPI
import KubeCore
import Testing

@Suite struct RenderingCatalogTests {
    /// A discovered catalog like source-faker's plus streams that lack a cursor or a key.
    static let discovered: JSONValue = ["streams": [
        ["name": "users", "json_schema": ["type": "object"], "supported_sync_modes": ["full_refresh", "incremental"],
         "source_defined_cursor": true, "default_cursor_field": ["updated_at"], "source_defined_primary_key": [["id"]]],
        ["name": "events", "supported_sync_modes": ["full_refresh", "incremental"], "default_cursor_field": ["ts"]],
        ["name": "snapshot", "supported_sync_modes": ["full_refresh"], "source_defined_primary_key": [["id"]]],
        ["name": "only_incremental", "supported_sync_modes": ["incremental"], "source_defined_cursor": true, "default_cursor_field": ["seq"]],
        ["name": "orders", "namespace": "public", "supported_sync_modes": ["full_refresh", "incremental"]],
        ["name": "orders", "namespace": "archive", "supported_sync_modes": ["full_refresh"]],
    ]]

    static func spec(_ streams: [ConnectionStream]?, namespace: NamespaceDefinition? = nil, format: String? = nil, prefix: String? = nil) -> ConnectionSpec {
        ConnectionSpec(sourceRef: .init(name: "s"), destinationRef: .init(name: "d"), streams: streams,
                       namespaceDefinition: namespace, namespaceFormat: format, prefix: prefix)
    }

    static func stream(_ name: String, namespace: String? = nil, _ sync: ConnectionSyncMode? = nil, _ dest: ConnectionDestinationSyncMode? = nil,
                       cursor: [String]? = nil, key: [[String]]? = nil) -> ConnectionStream {
        ConnectionStream(name: name, namespace: namespace, syncMode: sync, destinationSyncMode: dest, cursorField: cursor, primaryKey: key)
    }

    @Test func emptyStreamsSelectsEverythingWithAirbyteDefaults() throws {
        for streams in [nil, [ConnectionStream]()] {
            let built = try ConfiguredCatalogBuilding.build(connection: Self.spec(streams), discoveredCatalog: Self.discovered)
            let modes = built.source.streams.map { "\($0.descriptor) \($0.syncMode.rawValue) \($0.destinationSyncMode.rawValue) \($0.cursorField) \($0.primaryKey)" }
            #expect(modes == [
                "users incremental append_dedup [\"updated_at\"] [[\"id\"]]",
                "events full_refresh overwrite [\"ts\"] []",
                "snapshot full_refresh overwrite [] [[\"id\"]]",
                "only_incremental incremental append [\"seq\"] []",
                "public.orders full_refresh overwrite [] []",
                "archive.orders full_refresh overwrite [] []",
            ])
            #expect(built.source.streams[0].jsonSchema == ["type": "object"])
            #expect(!built.renamesStreams)
            #expect(built.destination == built.source)
        }
    }

    @Test func defaultsFollowTheDestinationsModes() throws {
        let built = try ConfiguredCatalogBuilding.build(connection: Self.spec([]), discoveredCatalog: Self.discovered, destinationSyncModes: [.append])
        #expect(built.source.streams.map(\.destinationSyncMode) == Array(repeating: .append, count: 6))
        #expect(built.source.streams.map(\.syncMode) == [.incremental, .fullRefresh, .fullRefresh, .incremental, .fullRefresh, .fullRefresh])
        #expect(throws: CatalogBuildingError(stream: "users", message: "no default sync mode: the source supports full_refresh, incremental and the destination none")) {
            try ConfiguredCatalogBuilding.build(connection: Self.spec([]), discoveredCatalog: Self.discovered, destinationSyncModes: [])
        }
    }

    struct Good: Sendable, CustomTestStringConvertible {
        var entry: ConnectionStream
        var expected: String
        var testDescription: String { expected }
    }

    static let good: [Good] = [
        Good(entry: stream("users"), expected: "users full_refresh overwrite [\"updated_at\"] [[\"id\"]]"),
        Good(entry: stream("users", .incremental), expected: "users incremental append [\"updated_at\"] [[\"id\"]]"),
        Good(entry: stream("users", .incremental, .appendDedup, cursor: ["updated_at"], key: [["id"]]), expected: "users incremental append_dedup [\"updated_at\"] [[\"id\"]]"),
        Good(entry: stream("users", .fullRefresh, .overwriteDedup), expected: "users full_refresh overwrite_dedup [\"updated_at\"] [[\"id\"]]"),
        Good(entry: stream("events", .incremental, .append, cursor: ["ts"]), expected: "events incremental append [\"ts\"] []"),
        Good(entry: stream("events", .incremental, .appendDedup, cursor: ["other"], key: [["a"], ["b"]]), expected: "events incremental append_dedup [\"other\"] [[\"a\"], [\"b\"]]"),
        Good(entry: stream("events", .fullRefresh, .append), expected: "events full_refresh append [\"ts\"] []"),
        Good(entry: stream("snapshot", .fullRefresh, .overwriteDedup), expected: "snapshot full_refresh overwrite_dedup [] [[\"id\"]]"),
        Good(entry: stream("orders", namespace: "public", .incremental, cursor: ["id"]), expected: "public.orders incremental append [\"id\"] []"),
        Good(entry: stream("orders", namespace: "archive"), expected: "archive.orders full_refresh overwrite [] []"),
    ]

    @Test(arguments: good)
    func configuresListedStream(_ c: Good) throws {
        let built = try ConfiguredCatalogBuilding.build(connection: Self.spec([c.entry]), discoveredCatalog: Self.discovered)
        let s = try #require(built.source.streams.first)
        #expect(built.source.streams.count == 1)
        #expect("\(s.descriptor) \(s.syncMode.rawValue) \(s.destinationSyncMode.rawValue) \(s.cursorField) \(s.primaryKey)" == c.expected)
    }

    @Test func listedStreamsKeepTheirOrder() throws {
        let built = try ConfiguredCatalogBuilding.build(connection: Self.spec([Self.stream("snapshot"), Self.stream("users")]), discoveredCatalog: Self.discovered)
        #expect(built.source.streams.map(\.descriptor.name) == ["snapshot", "users"])
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        var streams: [ConnectionStream]
        var destinationModes: Set<AirbyteProtocol.DestinationSyncMode>? = nil
        var error: String
        var testDescription: String { error }
    }

    static let bad: [Bad] = [
        Bad(streams: [stream("nope")], error: "stream nope: the source did not discover it (discovered: archive.orders, events, only_incremental, public.orders, snapshot, users)"),
        Bad(streams: [stream("users", namespace: "public")], error: "stream public.users: the source did not discover it (discovered: archive.orders, events, only_incremental, public.orders, snapshot, users)"),
        Bad(streams: [stream("orders")], error: "stream orders: discovered in several namespaces (archive, public); set its namespace"),
        Bad(streams: [stream("users"), stream("users", .incremental)], error: "stream users: listed more than once in spec.streams"),
        Bad(streams: [stream("events", .incremental)], error: "stream events: incremental sync needs a cursorField: the source does not define one (the source suggests [ts])"),
        Bad(streams: [stream("orders", namespace: "public", .incremental, .append)], error: "stream public.orders: incremental sync needs a cursorField: the source does not define one"),
        Bad(streams: [stream("snapshot", .incremental, cursor: ["id"])], error: "stream snapshot: sync mode incremental is not supported by the source (supported: full_refresh)"),
        Bad(streams: [stream("only_incremental")], error: "stream only_incremental: sync mode full_refresh is not supported by the source (supported: incremental)"),
        Bad(streams: [stream("events", .fullRefresh, .appendDedup)], error: "stream events: append_dedup needs a primaryKey: the source does not define one"),
        Bad(streams: [stream("events", .fullRefresh, .overwriteDedup, key: [[]])], error: "stream events: overwrite_dedup needs a primaryKey: the source does not define one"),
        Bad(streams: [stream("users", .incremental, .overwrite)], error: "stream users: incremental streams support destination sync modes append and append_dedup, not overwrite"),
        Bad(streams: [stream("users", .incremental, cursor: ["created_at"])], error: "stream users: cursorField [created_at] differs from the source-defined cursor [updated_at]"),
        Bad(streams: [stream("users", .incremental, .appendDedup, key: [["email"]])], error: "stream users: primaryKey [email] differs from the source-defined primary key [id]"),
        Bad(streams: [stream("users", .fullRefresh, .overwriteDedup)], destinationModes: [.overwrite, .append],
            error: "stream users: destination sync mode overwrite_dedup is not supported by the destination (supported: append, overwrite)"),
    ]

    @Test(arguments: bad)
    func rejectsStream(_ c: Bad) {
        do {
            let built = try ConfiguredCatalogBuilding.build(connection: Self.spec(c.streams), discoveredCatalog: Self.discovered, destinationSyncModes: c.destinationModes)
            Issue.record("expected \(c.error), built \(built.source.streams.count) streams")
        } catch {
            #expect(error.description == c.error)
        }
    }

    @Test func rejectsMalformedCatalog() {
        #expect(throws: CatalogBuildingError(stream: nil, message: "the discovered catalog has no array \"streams\"")) {
            try ConfiguredCatalogBuilding.build(connection: Self.spec([]), discoveredCatalog: ["stream": []])
        }
        #expect(throws: CatalogBuildingError(stream: nil, message: "discovered stream 1 has no name")) {
            try ConfiguredCatalogBuilding.build(connection: Self.spec([]), discoveredCatalog: ["streams": [["name": "a"], ["json_schema": [:]]]])
        }
    }

    struct Naming: Sendable, CustomTestStringConvertible {
        var source: StreamDescriptor
        var definition: NamespaceDefinition
        var format: String?
        var prefix: String
        var expected: StreamDescriptor
        var testDescription: String { "\(source) \(definition) \(format ?? "-") \(prefix) → \(expected)" }
    }

    static let namings: [Naming] = [
        Naming(source: .init(name: "users"), definition: .source, format: nil, prefix: "", expected: .init(name: "users")),
        Naming(source: .init(name: "users", namespace: "public"), definition: .source, format: nil, prefix: "", expected: .init(name: "users", namespace: "public")),
        Naming(source: .init(name: "users", namespace: "public"), definition: .source, format: nil, prefix: "faker_", expected: .init(name: "faker_users", namespace: "public")),
        Naming(source: .init(name: "users", namespace: "public"), definition: .destination, format: nil, prefix: "", expected: .init(name: "users")),
        Naming(source: .init(name: "users"), definition: .destination, format: nil, prefix: "faker_", expected: .init(name: "faker_users")),
        Naming(source: .init(name: "users", namespace: "public"), definition: .custom, format: "raw", prefix: "", expected: .init(name: "users", namespace: "raw")),
        Naming(source: .init(name: "users", namespace: "public"), definition: .custom, format: "${SOURCE_NAMESPACE}_raw", prefix: "p_", expected: .init(name: "p_users", namespace: "public_raw")),
        Naming(source: .init(name: "users", namespace: "a"), definition: .custom, format: "${SOURCE_NAMESPACE}-${SOURCE_NAMESPACE}", prefix: "", expected: .init(name: "users", namespace: "a-a")),
        Naming(source: .init(name: "users"), definition: .custom, format: "${SOURCE_NAMESPACE}", prefix: "", expected: .init(name: "users")),
        Naming(source: .init(name: "users"), definition: .custom, format: "x_${SOURCE_NAMESPACE}", prefix: "", expected: .init(name: "users", namespace: "x_")),
    ]

    @Test(arguments: namings)
    func namesDestinationStreams(_ c: Naming) {
        #expect(ConfiguredCatalogBuilding.destinationName(of: c.source, namespaceDefinition: c.definition, namespaceFormat: c.format, prefix: c.prefix) == c.expected)
    }

    @Test func destinationCatalogCarriesTheDestinationNames() throws {
        let built = try ConfiguredCatalogBuilding.build(connection: Self.spec([Self.stream("users", .incremental, .appendDedup), Self.stream("orders", namespace: "public")],
                                                                             namespace: .custom, format: "wh_${SOURCE_NAMESPACE}", prefix: "f_"),
                                                        discoveredCatalog: Self.discovered)
        #expect(built.renamesStreams)
        #expect(built.destination.streams.map(\.descriptor) == [.init(name: "f_users", namespace: "wh_"), .init(name: "f_orders", namespace: "wh_public")])
        #expect(built.destinationNames[.init(name: "orders", namespace: "public")] == .init(name: "f_orders", namespace: "wh_public"))
        #expect(built.destination.streams.map(\.destinationSyncMode) == built.source.streams.map(\.destinationSyncMode))
    }

    @Test func rejectsTwoStreamsWithOneDestinationName() {
        #expect(throws: CatalogBuildingError(stream: "archive.orders", message: "its destination name orders is also the destination name of stream public.orders")) {
            try ConfiguredCatalogBuilding.build(connection: Self.spec([Self.stream("orders", namespace: "public"), Self.stream("orders", namespace: "archive")], namespace: .destination),
                                                discoveredCatalog: Self.discovered)
        }
    }

    @Test func summarizesDiscoveredStreams() throws {
        let streams = try DiscoveredAirbyteStream.streams(ofCatalog: Self.discovered)
        #expect(streams[0].summary == DiscoveredStream(name: "users", supportedSyncModes: [.fullRefresh, .incremental], sourceDefinedCursor: true,
                                                       defaultCursorField: ["updated_at"], sourceDefinedPrimaryKey: [["id"]]))
        #expect(streams[4].summary == DiscoveredStream(name: "orders", namespace: "public", supportedSyncModes: [.fullRefresh, .incremental], sourceDefinedCursor: false))
    }
}
