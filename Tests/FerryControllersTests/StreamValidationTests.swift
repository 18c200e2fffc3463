/// The Connection's streams against the Source's discovered catalog: an incremental
/// stream needs a cursor and a deduplicating one a primary key, from the spec or from the
/// source; without a catalog nothing is judged.
import FerryAPI
import Testing
@testable import FerryControllers

@Suite struct StreamValidationTests {
    static let catalog = DiscoveredCatalog(streams: [
        DiscoveredStream(name: "users", namespace: "public", supportedSyncModes: [.fullRefresh, .incremental], defaultCursorField: ["updated_at"]),
        DiscoveredStream(name: "events", supportedSyncModes: [.incremental], sourceDefinedCursor: true, sourceDefinedPrimaryKey: [["id"]]),
    ])

    @Test func incrementalWithoutACursorIsMissingCursor() {
        let problems = StreamValidation.problems([ConfiguredStream(name: "users", syncMode: .incremental)], catalog: Self.catalog)
        #expect(problems.map(\.reason) == [ConnectionConditions.Reason.missingCursor])
        #expect(problems.first?.message == "stream public.users (spec.streams[0]): syncMode incremental needs a cursorField: the source does not define a cursor (the source suggests [updated_at])")
        // With a cursor, or with a source-defined one, it can run.
        #expect(StreamValidation.problems([ConfiguredStream(name: "users", syncMode: .incremental, cursorField: ["updated_at"])], catalog: Self.catalog).isEmpty)
        #expect(StreamValidation.problems([ConfiguredStream(name: "events", syncMode: .incremental)], catalog: Self.catalog).isEmpty)
    }

    @Test func dedupWithoutAPrimaryKeyIsMissingPrimaryKey() {
        let stream = ConfiguredStream(name: "users", namespace: "public", syncMode: .incremental, destinationSyncMode: .appendDedup, cursorField: ["updated_at"])
        let problems = StreamValidation.problems([ConfiguredStream(name: "orders"), stream], catalog: Self.catalog)
        #expect(problems.map(\.reason) == [ConnectionConditions.Reason.missingPrimaryKey])
        #expect(problems.first?.message.hasPrefix("stream public.users (spec.streams[1]): destinationSyncMode append_dedup needs a primaryKey") == true)
        var keyed = stream
        keyed.primaryKey = [["id"]]
        #expect(StreamValidation.problems([keyed], catalog: Self.catalog).isEmpty)
        // An empty key path is no key.
        keyed.primaryKey = [[]]
        #expect(StreamValidation.problems([keyed], catalog: Self.catalog).count == 1)
        // overwrite_dedup too; the source's key suffices.
        #expect(StreamValidation.problems([ConfiguredStream(name: "users", destinationSyncMode: .overwriteDedup)], catalog: Self.catalog).count == 1)
        #expect(StreamValidation.problems([ConfiguredStream(name: "events", syncMode: .incremental, destinationSyncMode: .appendDedup)], catalog: Self.catalog).isEmpty)
    }

    @Test func bothProblemsOfAStreamAreReported() {
        let problems = StreamValidation.problems([ConfiguredStream(name: "users", syncMode: .incremental, destinationSyncMode: .appendDedup)], catalog: Self.catalog)
        #expect(problems.map(\.reason) == [ConnectionConditions.Reason.missingCursor, ConnectionConditions.Reason.missingPrimaryKey])
    }

    @Test func withoutACatalogOrADiscoveredStreamNothingIsJudged() {
        let stream = ConfiguredStream(name: "users", syncMode: .incremental, destinationSyncMode: .appendDedup)
        #expect(StreamValidation.problems([stream], catalog: nil).isEmpty)
        #expect(StreamValidation.problems([stream], catalog: DiscoveredCatalog()).isEmpty)
        // Not discovered (the Sync's rendering names it), or in another namespace.
        #expect(StreamValidation.problems([ConfiguredStream(name: "orders", syncMode: .incremental)], catalog: Self.catalog).isEmpty)
        #expect(StreamValidation.problems([ConfiguredStream(name: "users", namespace: "other", syncMode: .incremental)], catalog: Self.catalog).isEmpty)
        // Default full_refresh + overwrite needs neither.
        #expect(StreamValidation.problems([ConfiguredStream(name: "users")], catalog: Self.catalog).isEmpty)
        #expect(StreamValidation.problems(nil, catalog: Self.catalog).isEmpty)
    }
}
