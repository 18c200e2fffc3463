/// `status.state` of a Connection from its state store ConfigMap: name, stored size, and
/// the end of the attempt of the Sync that wrote it.
import FerryAPI
import Foundation
import KubeCore
import Testing
@testable import FerryControllers

@Suite struct ConnectionStateSummaryTests {
    static let now = KubeTime.parse("2026-05-01T12:00:00Z") ?? Date()
    static func configMap(_ state: JSONValue?, writer: String = "orders-1") throws -> JSONValue {
        var configMap = try ConnectionStateStore.configMap(connection: "orders", namespace: "default", connectionUID: "u1", state: state, sync: writer)
        configMap["metadata"]["creationTimestamp"] = "2026-05-01T09:00:00Z"
        return configMap
    }
    static let writer: JSONValue = ["metadata": ["name": "orders-1"], "status": [
        "completionTime": "2026-05-01T11:30:00Z",
        "attempts": [["number": 1, "completionTime": "2026-05-01T11:00:00Z"], ["number": 2, "completionTime": "2026-05-01T11:20:00Z"]],
    ]]

    @Test func nameSizeAndTheWritersLastAttemptEnd() throws {
        let state: JSONValue = ["cursor": "2026-05-01"]
        let summary = ConnectionStateSummary.state(configMap: try Self.configMap(state), writer: Self.writer, previous: nil, now: Self.now)
        #expect(summary == ConnectionStateRef(configMapName: "orders-state", updatedAt: "2026-05-01T11:20:00Z", bytes: Int64(state.serialized().utf8.count)))
        #expect(ConnectionStateSummary.writerName(try Self.configMap(state)) == "orders-1")
    }

    @Test func withoutTheWriterThePreviousTimeIsKept() throws {
        let configMap = try Self.configMap(["cursor": 1])
        let previous = ConnectionStateRef(configMapName: "orders-state", updatedAt: "2026-05-01T10:00:00Z", bytes: 3)
        #expect(ConnectionStateSummary.state(configMap: configMap, writer: nil, previous: previous, now: Self.now)?.updatedAt == "2026-05-01T10:00:00Z")
        // Nothing known: the ConfigMap's creation.
        #expect(ConnectionStateSummary.state(configMap: configMap, writer: nil, previous: nil, now: Self.now)?.updatedAt == "2026-05-01T09:00:00Z")
        // The writer has no ended attempt yet: now, then kept (the status does not churn).
        let running: JSONValue = ["metadata": ["name": "orders-1"], "status": ["phase": "Running"]]
        #expect(ConnectionStateSummary.state(configMap: configMap, writer: running, previous: nil, now: Self.now)?.updatedAt == KubeTime.format(Self.now))
        #expect(ConnectionStateSummary.state(configMap: configMap, writer: running, previous: previous, now: Self.now)?.updatedAt == "2026-05-01T10:00:00Z")
    }

    @Test func noConfigMapNoStateAndAnEmptyOneIsZeroBytes() throws {
        #expect(ConnectionStateSummary.state(configMap: nil, writer: nil, previous: nil, now: Self.now) == nil)
        #expect(ConnectionStateSummary.state(configMap: try Self.configMap(nil), writer: Self.writer, previous: nil, now: Self.now)?.bytes == 0)
    }
}
