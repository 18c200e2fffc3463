/// `refresh: clear`: every stream overwritten with nothing, as Airbyte resets a connection.
import AirbyteProtocol
@testable import FerryAPI
import KubeCore
import Testing

@Suite struct ClearingCatalogTests {
    @Test func everyStreamBecomesFullRefreshOverwriteAndGetsOneCompleteStatus() throws {
        let users = ConfiguredStream(descriptor: StreamDescriptor(name: "users", namespace: "shop"), syncMode: .incremental,
                                     destinationSyncMode: .appendDedup, cursorField: ["updated_at"], primaryKey: [["id"]])
        let orders = ConfiguredStream(descriptor: StreamDescriptor(name: "orders"), destinationSyncMode: .append)
        var renamed = users
        renamed.descriptor = StreamDescriptor(name: "raw_users", namespace: "lake")
        let catalogs = SyncCatalogs(source: ConfiguredCatalog(streams: [users, orders]), destination: ConfiguredCatalog(streams: [renamed, orders]),
                                    destinationNames: [users.descriptor: renamed.descriptor, orders.descriptor: orders.descriptor])
        let cleared = catalogs.clearing
        for catalog in [cleared.source, cleared.destination] {
            #expect(catalog.streams.allSatisfy { $0.syncMode == .fullRefresh && $0.destinationSyncMode == .overwrite })
            #expect(catalog.streams.count == 2)
        }
        #expect(cleared.destination.streams.first?.descriptor == renamed.descriptor && cleared.destinationNames == catalogs.destinationNames)

        let lines = ClearingInput.lines(for: cleared.source, emittedAt: 7)
        #expect(lines.count == 2)
        let first = try AirbyteMessage.decode(Array(lines[0].utf8))
        guard case .trace(let trace) = first else { Issue.record("not a TRACE: \(lines[0])"); return }
        #expect(trace.kind == .streamStatus && trace.streamStatus == "COMPLETE" && trace.stream == StreamDescriptor(name: "users", namespace: "shop"))
        #expect(!lines[1].contains("namespace"))
    }
}
