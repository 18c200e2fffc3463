/// The progress report and state store formats shared by the worker and the controller,
/// and how a Sync's stats add up over its attempts.
import FerryAPI
import KubeCore
import Testing

@Suite struct StateStoreTests {
    @Test func progressReportRoundTripsThroughTheConfigMapData() throws {
        let stats: JSONValue = ["recordsEmitted": 5, "bytesEmitted": 50, "recordsCommitted": 4, "stateMessagesEmitted": 2, "stateMessagesCommitted": 1,
                                "streams": [["name": "users", "namespace": "shop", "recordsEmitted": 5, "bytesEmitted": 50, "recordsCommitted": 4]]]
        let state: JSONValue = [["type": "LEGACY", "data": ["cursor": 4]]]
        var configMap = AttemptProgressConfigMap.initial(name: "s-1", namespace: "ns", labels: ["a": "b"], ownerReferences: [])
        #expect(AttemptProgressConfigMap.read(configMap) == nil, "nothing reported yet")
        configMap["data"] = AttemptProgressConfigMap.patch(stats: stats, committedState: state, updatedAt: "2026-01-01T00:00:00Z", isFinal: true)["data"]
        let read = try #require(AttemptProgressConfigMap.read(configMap))
        #expect(read.stats == SyncStats(recordsEmitted: 5, bytesEmitted: 50, recordsCommitted: 4, stateMessagesCommitted: 1,
                                        streams: [StreamStats(name: "users", namespace: "shop", recordsEmitted: 5, bytesEmitted: 50, recordsCommitted: 4)]))
        #expect(read.committedState == state && read.isFinal && read.updatedAt == "2026-01-01T00:00:00Z")
    }

    @Test func aReportWithoutStateLeavesTheStoredStateAlone() {
        let patch = AttemptProgressConfigMap.patch(stats: ["recordsEmitted": 1], committedState: nil, updatedAt: "t", isFinal: false)
        #expect(patch["data"][AttemptProgressConfigMap.stateKey].isNull)
        #expect(patch["data"][AttemptProgressConfigMap.finalKey] == "false")
    }

    @Test func garbledKeysAreLeftOutNotFatal() {
        let configMap: JSONValue = ["data": ["updatedAt": "t", "stats.json": "{", "state.json": "[1"]]
        #expect(AttemptProgressConfigMap.read(configMap) == AttemptProgress(stats: nil, committedState: nil, updatedAt: "t", isFinal: false))
    }

    @Test func stateStoreConfigMapIsOwnedByItsConnection() throws {
        let state: JSONValue = ["cursor": "2024"]
        let configMap = ConnectionStateStore.configMap(connection: "shop-to-lake", namespace: "ns", connectionUID: "u1", state: state, sync: "s1")
        #expect(configMap.name == "shop-to-lake-state" && configMap.namespace == "ns")
        #expect(configMap["metadata"]["ownerReferences"] == [["apiVersion": "ferry.dev/v1alpha1", "kind": "Connection", "name": "shop-to-lake", "uid": "u1"]])
        #expect(configMap["metadata"]["labels"]["ferry.dev/connection"] == "shop-to-lake")
        #expect(try ConnectionStateStore.state(in: configMap) == state)
        let empty = ConnectionStateStore.configMap(connection: "c", namespace: "ns", connectionUID: nil, state: nil, sync: "s")
        #expect(try ConnectionStateStore.state(in: empty) == JSONValue?.none)
        #expect(try ConnectionStateStore.state(in: ["data": ["state.json": "null"]]) == JSONValue?.none)
        #expect(throws: StateStoreError.self) { try ConnectionStateStore.state(in: ["data": ["state.json": "{"]]) }
    }

    @Test func longConnectionNamesStillMakeValidNames() {
        let long = String(repeating: "a", count: 253)
        let name = ConnectionStateStore.configMapName(connection: long)
        #expect(name.count == 253 && name.hasSuffix("-state"))
        let configMap = ConnectionStateStore.configMap(connection: String(repeating: "b", count: 62) + "-c", namespace: "n", connectionUID: nil, state: nil, sync: "s")
        #expect(configMap["metadata"]["labels"]["ferry.dev/connection"].stringValue?.count == 62)
    }

    @Test func statsAddUpOverAttemptsStreamByStream() {
        let first = SyncStats(recordsEmitted: 50, bytesEmitted: 500, recordsCommitted: 40, stateMessagesCommitted: 4,
                              streams: [StreamStats(name: "users", recordsEmitted: 30, recordsCommitted: 20),
                                        StreamStats(name: "orders", namespace: "shop", recordsEmitted: 20, recordsCommitted: 20)])
        let second = SyncStats(recordsEmitted: 10, recordsCommitted: 10,
                               streams: [StreamStats(name: "orders", namespace: "shop", recordsEmitted: 10, recordsCommitted: 10),
                                         StreamStats(name: "orders", recordsEmitted: 1)])
        let total = SyncStats.total([first, second, SyncStats()])
        #expect(total == SyncStats(recordsEmitted: 60, bytesEmitted: 500, recordsCommitted: 50, stateMessagesCommitted: 4, streams: [
            StreamStats(name: "users", recordsEmitted: 30, recordsCommitted: 20),
            StreamStats(name: "orders", namespace: "shop", recordsEmitted: 30, recordsCommitted: 30),
            StreamStats(name: "orders", recordsEmitted: 1),
        ]))
        #expect(SyncStats.total([]) == nil)
        #expect(SyncStats.total([SyncStats(recordsCommitted: 3)]) == SyncStats(recordsCommitted: 3))
    }
}
