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
        let configMap = try ConnectionStateStore.configMap(connection: "shop-to-lake", namespace: "ns", connectionUID: "u1", state: state, sync: "s1")
        #expect(configMap.name == "shop-to-lake-state" && configMap.namespace == "ns")
        #expect(configMap["metadata"]["ownerReferences"] == [["apiVersion": "ferry.dev/v1alpha1", "kind": "Connection", "name": "shop-to-lake", "uid": "u1"]])
        #expect(configMap["metadata"]["labels"]["ferry.dev/connection"] == "shop-to-lake")
        #expect(try ConnectionStateStore.state(in: configMap) == state)
        let empty = try ConnectionStateStore.configMap(connection: "c", namespace: "ns", connectionUID: nil, state: nil, sync: "s")
        #expect(try ConnectionStateStore.state(in: empty) == JSONValue?.none)
        #expect(try ConnectionStateStore.state(in: ["data": ["state.json": "null"]]) == JSONValue?.none)
        #expect(throws: StateStoreError.self) { try ConnectionStateStore.state(in: ["data": ["state.json": "{"]]) }
    }

    /// A state larger than `compressAbove` is stored gzip-compressed in binaryData (and
    /// read back the same); a small one stays plain text in data.
    @Test func largeStatesAreStoredCompressedAndReadBack() throws {
        let small: JSONValue = ["cursor": "2024-01-01"]
        let plain = try ConnectionStateStore.configMap(connection: "c", namespace: "n", connectionUID: nil, state: small, sync: "s")
        #expect(plain["data"]["state.json"] == .string(small.serialized()) && plain["binaryData"] == .emptyObject)
        #expect(ConnectionStateStore.storedBytes(in: plain) == small.serialized().utf8.count)

        // CDC-like: one entry per table, 300 KB serialized.
        let tables = (0..<3_000).map { i -> JSONValue in ["stream_descriptor": ["name": .string("table_\(i)")], "stream_state": ["lsn": .int(Int64(i) * 4096), "cursor": "2024-01-01T00:00:00Z"]] }
        let large = JSONValue.array(tables)
        #expect(large.serialized().utf8.count > ConnectionStateStore.compressAbove)
        let compressed = try ConnectionStateStore.configMap(connection: "c", namespace: "n", connectionUID: nil, state: large, sync: "s")
        #expect(compressed["data"] == .emptyObject)
        #expect(compressed["binaryData"]["state.json.gz"].stringValue != nil)
        #expect(try ConnectionStateStore.state(in: compressed) == large)
        let stored = ConnectionStateStore.storedBytes(in: compressed)
        #expect(stored > 0 && stored * 5 < large.serialized().utf8.count, "\(stored) bytes stored")
    }

    /// Random bytes do not compress: a state whose gzip form is over a ConfigMap's 1 MiB is
    /// refused with both sizes in the message.
    @Test func aStateThatCannotFitIsAClearError() throws {
        var random = SystemRandomNumberGenerator()
        let noise = (0..<3_000_000).map { _ in "0123456789abcdef".randomElement(using: &random) ?? "0" }
        let state: JSONValue = ["blob": .string(String(noise))]
        #expect {
            _ = try ConnectionStateStore.configMap(connection: "c", namespace: "n", connectionUID: nil, state: state, sync: "s")
        } throws: { error in
            let text = "\(error)"
            return text.contains("3000011 bytes") && text.contains("gzip-compressed") && text.contains("more than a ConfigMap holds")
        }
    }

    @Test func corruptCompressedStateIsAnError() {
        #expect(throws: StateStoreError.self) { try ConnectionStateStore.state(in: ["binaryData": ["state.json.gz": "not base64!"]]) }
        #expect(throws: StateStoreError.self) { try ConnectionStateStore.state(in: ["binaryData": ["state.json.gz": "H4sIAAAAAAAA"]]) }
    }

    @Test func gzipRoundTripsAndRefusesTruncatedInput() throws {
        let input = Array(String(repeating: "ferry ", count: 10_000).utf8)
        let compressed = try Gzip.compress(input)
        #expect(compressed.count < input.count / 20 && compressed.prefix(2) == [0x1F, 0x8B])
        #expect(try Gzip.decompress(compressed) == input)
        #expect(throws: Gzip.Failure.self) { try Gzip.decompress(Array(compressed.prefix(compressed.count / 2))) }
        #expect(throws: Gzip.Failure.self) { try Gzip.decompress(compressed, limit: 1_000) }
    }

    @Test func longConnectionNamesStillMakeValidNames() throws {
        let long = String(repeating: "a", count: 253)
        let name = ConnectionStateStore.configMapName(connection: long)
        #expect(name.count == 253 && name.hasSuffix("-state"))
        let configMap = try ConnectionStateStore.configMap(connection: String(repeating: "b", count: 62) + "-c", namespace: "n", connectionUID: nil, state: nil, sync: "s")
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
