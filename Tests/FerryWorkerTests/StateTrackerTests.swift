/// The pending → committed state machine and its per-stream counts.
import Testing
import KubeCore
@testable import AirbyteProtocol

@Suite struct StateTrackerTests {
    let users = StreamDescriptor(name: "users")
    let orders = StreamDescriptor(name: "orders", namespace: "shop")

    func state(_ d: StreamDescriptor, _ cursor: Int) -> StateMessage {
        .stream(d, state: ["cursor": .int(Int64(cursor))], recordCount: cursor)
    }

    @Test func echoCommitsTheMatchingStateAndEarlierOnesOfItsStream() {
        var t = StateTracker()
        t.recordsEmitted(users, count: 3, bytes: 30)
        t.stateSent(state(users, 1))
        t.recordsEmitted(orders, count: 2, bytes: 20)
        t.stateSent(state(orders, 1))
        t.recordsEmitted(users, count: 4, bytes: 40)
        t.stateSent(state(users, 2))
        #expect(t.pendingCount == 3)
        // The destination drops stats it did not compute; the echo still matches.
        var echo = state(users, 2)
        echo.json["sourceStats"] = .null
        echo.json["destinationStats"] = ["recordCount": 7.0]
        #expect(t.echoReceived(echo) == .committed(2))
        #expect(t.pendingCount == 1)
        #expect(t.streams[users]?.recordsCommitted == 7)
        #expect(t.streams[orders]?.recordsCommitted == 0)
        #expect(t.committed[.stream(users)] == state(users, 2))
        #expect(t.echoReceived(state(orders, 1)) == .committed(1))
        #expect(t.streams[orders]?.recordsCommitted == 2)
        #expect(t.statesEmitted == 3 && t.statesCommitted == 3)
        #expect(t.recordsEmitted == 9 && t.bytesEmitted == 90 && t.recordsCommitted == 9)
    }

    @Test func outOfOrderAndUnknownEchoesAreReportedAndChangeNothing() {
        var t = StateTracker()
        t.recordsEmitted(users, bytes: 10)
        t.stateSent(state(users, 1))
        t.recordsEmitted(users, bytes: 10)
        t.stateSent(state(users, 2))
        #expect(t.echoReceived(state(users, 2)) == .committed(2))
        #expect(t.echoReceived(state(users, 1)) == .outOfOrder)
        #expect(t.echoReceived(state(users, 99)) == .unknown)
        #expect(t.committed[.stream(users)] == state(users, 2))
        #expect(t.outOfOrderEchoes == 1 && t.unknownEchoes == 1)
        #expect(t.streams[users]?.recordsCommitted == 2)
    }

    @Test func identicalStatesCommitOldestFirst() {
        var t = StateTracker()
        t.recordsEmitted(users, bytes: 1)
        t.stateSent(state(users, 1))
        t.recordsEmitted(users, bytes: 1)
        t.stateSent(state(users, 1))
        #expect(t.echoReceived(state(users, 1)) == .committed(1))
        #expect(t.streams[users]?.recordsCommitted == 1)
        #expect(t.echoReceived(state(users, 1)) == .committed(1))
        #expect(t.streams[users]?.recordsCommitted == 2)
    }

    @Test func globalAndLegacyStatesCoverEveryStream() throws {
        var t = StateTracker()
        t.recordsEmitted(users, count: 5, bytes: 50)
        t.recordsEmitted(orders, count: 2, bytes: 20)
        let legacy = StateMessage(json: ["data": ["users": 5]])
        #expect(legacy.kind == .legacy && legacy.key == .global)
        t.stateSent(legacy)
        t.recordsEmitted(users, count: 1, bytes: 10)
        // A stream state does not commit a global one.
        t.stateSent(state(users, 6))
        #expect(t.echoReceived(state(users, 6)) == .committed(1))
        #expect(t.pendingCount == 1)
        #expect(t.echoReceived(legacy) == .committed(1))
        #expect(t.streams[users]?.recordsCommitted == 6 && t.streams[orders]?.recordsCommitted == 2)
        let global = StateMessage(json: ["type": "GLOBAL", "global": ["shared_state": ["lsn": 9]]])
        t.stateSent(global)
        #expect(t.echoReceived(global) == .committed(1))
        let input = try #require(t.committedStateInput?.arrayValue)
        #expect(input.count == 2)
        #expect(input[0]["stream"]["stream_descriptor"]["name"] == "users")
        #expect(input[1]["type"] == "GLOBAL")
    }

    @Test func legacyAloneIsHandedBackAsItsDataBlob() {
        var t = StateTracker()
        let legacy = StateMessage(json: ["type": "LEGACY", "data": ["cursor": "x"]])
        t.stateSent(legacy)
        _ = t.echoReceived(legacy)
        #expect(t.committedStateInput == ["cursor": "x"])
    }

    @Test func commitAllRecordsWhenTheSourceNeverSentState() {
        var t = StateTracker()
        t.recordsEmitted(users, count: 4, bytes: 4)
        #expect(t.committedStateInput == nil)
        t.commitAllRecords()
        #expect(t.recordsCommitted == 4)
    }
}

@Suite struct MessageDecodingTests {
    @Test func decodesTraceErrorsWithFailureType() throws {
        let line = #"{"type":"TRACE","trace":{"type":"ERROR","emitted_at":1,"error":{"message":"bad password","failure_type":"config_error"}}}"#
        guard case .trace(let t) = try AirbyteMessage.decode(Array(line.utf8)) else { Issue.record("not a trace"); return }
        #expect(t.kind == .error && t.errorMessage == "bad password" && t.failureType == .configError)
    }

    @Test func decodesControlAndStateAndRoundTrips() throws {
        let control = #"{"type":"CONTROL","control":{"type":"CONNECTOR_CONFIG","emitted_at":1,"connectorConfig":{"config":{"token":"new"}}}}"#
        guard case .control(let c) = try AirbyteMessage.decode(Array(control.utf8)) else { Issue.record("not control"); return }
        #expect(c.connectorConfig == ["token": "new"])
        let message = AirbyteMessage.state(.stream(StreamDescriptor(name: "u", namespace: "n"), state: ["c": 1]))
        #expect(try AirbyteMessage.decode(Array(message.line.utf8)) == message)
    }

    @Test(arguments: ["not json", #"{"type":"STATE"}"#, #"{"type":"WHAT"}"#, #"{"type":"RECORD","record":{}}"#])
    func rejectsMalformedMessages(line: String) {
        #expect(throws: AirbyteMessage.DecodingError.self) { try AirbyteMessage.decode(Array(line.utf8)) }
    }

    @Test func parsesAConfiguredCatalogAndRejectsBadModes() throws {
        let json = try JSONValue.parse(#"{"streams":[{"stream":{"name":"users","json_schema":{},"source_defined_primary_key":[["id"]]},"sync_mode":"incremental","destination_sync_mode":"append_dedup","cursor_field":["updated_at"]}]}"#)
        let catalog = try ConfiguredCatalog(json: json)
        #expect(catalog.streams[0].primaryKey == [["id"]] && catalog.streams[0].syncMode == .incremental)
        #expect(try ConfiguredCatalog(json: catalog.json) == catalog)
        var bad = json
        bad["streams"] = [["stream": ["name": "u"], "sync_mode": "sometimes"]]
        #expect(throws: ConfiguredCatalog.Problem.self) { try ConfiguredCatalog(json: bad) }
    }
}

@Suite struct InputStateTests {
    @Test func streamsWithoutNewStateKeepTheirInputState() throws {
        let users = StreamDescriptor(name: "users"), orders = StreamDescriptor(name: "orders")
        let input: JSONValue = [StateMessage.stream(users, state: ["c": 1]).json, StateMessage.stream(orders, state: ["c": 1]).json]
        var t = StateTracker(inputState: input)
        t.recordsEmitted(users, bytes: 1)
        t.stateSent(.stream(users, state: ["c": 2]))
        _ = t.echoReceived(.stream(users, state: ["c": 2]))
        let out = try #require(t.committedStateInput?.arrayValue)
        #expect(out.map { $0["stream"]["stream_state"]["c"] } == [1, 2])
        #expect(t.statesCommitted == 1)
        #expect(StateTracker(inputState: ["cursor": "x"]).committedStateInput == ["cursor": "x"])
    }
}
