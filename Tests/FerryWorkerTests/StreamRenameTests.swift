/// Renaming streams for the destination: RECORD byte splicing, STATE and STREAM_STATUS
/// rewrites, and echoes of renamed states committing in the source's terms.
import Testing
import KubeCore
@testable import AirbyteProtocol

@Suite struct StreamRenameTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var line: String
        var target: StreamDescriptor
        var expected: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "prefix", line: #"{"type":"RECORD","record":{"stream":"users","data":{"id":1},"emitted_at":1}}"#,
             target: StreamDescriptor(name: "faker_users"),
             expected: #"{"type":"RECORD","record":{"stream":"faker_users","data":{"id":1},"emitted_at":1}}"#),
        Case(name: "namespace added", line: #"{"type":"RECORD","record":{"stream":"users","data":{"stream":"x"}}}"#,
             target: StreamDescriptor(name: "users", namespace: "dest"),
             expected: #"{"type":"RECORD","record":{"stream":"users","namespace":"dest","data":{"stream":"x"}}}"#),
        Case(name: "namespace replaced, escaped", line: #"{"type":"RECORD","record":{"stream":"users","namespace":"public","data":{}}}"#,
             target: StreamDescriptor(name: "a\"b", namespace: "n\\s"),
             expected: #"{"type":"RECORD","record":{"stream":"a\"b","namespace":"n\\s","data":{}}}"#),
        Case(name: "null namespace replaced", line: #"{"type":"RECORD","record":{"stream":"u","namespace":null,"data":{}}}"#,
             target: StreamDescriptor(name: "u2", namespace: "n"),
             expected: #"{"type":"RECORD","record":{"stream":"u2","namespace":"n","data":{}}}"#),
        Case(name: "namespace removed after stream", line: #"{"type":"RECORD","record":{"stream":"u","namespace":"p","data":{}}}"#,
             target: StreamDescriptor(name: "u2"),
             expected: #"{"type":"RECORD","record":{"stream":"u2","data":{}}}"#),
        Case(name: "first member namespace removed, spaced", line: #"{"type": "RECORD", "record": {"namespace": "public", "stream": "users", "data": {}}}"#,
             target: StreamDescriptor(name: "p_users"),
             expected: #"{"type": "RECORD", "record": {"stream": "p_users", "data": {}}}"#),
        Case(name: "record before type, escaped source name", line: #"{"record":{"data":{"a":[1,{"b":"}"}]},"stream":"us\u0065rs"},"type":"RECORD"}"#,
             target: StreamDescriptor(name: "ü"),
             expected: #"{"record":{"data":{"a":[1,{"b":"}"}]},"stream":"ü"},"type":"RECORD"}"#),
    ]

    @Test(arguments: cases)
    func rewritesRecordLines(_ c: Case) throws {
        let out = try #require(RecordRename(to: c.target).rewrite(Array(c.line.utf8)))
        #expect(String(decoding: out, as: UTF8.self) == c.expected)
        guard case .record(let r) = try AirbyteMessage.decode(out) else { Issue.record("not a record"); return }
        #expect(r.stream == c.target)
        #expect(LineClassifier.stream(LineClassifier.classify(out), in: out) == c.target)
    }

    @Test(arguments: [#"{"type":"LOG","log":{"level":"INFO","message":"x"}}"#,
                      #"{"type":"RECORD","record":{"stream":7,"data":{}}}"#,
                      #"{"type":"RECORD","record":{"stream":"u","data":{"#, "not json"])
    func leavesNonRecordsAlone(_ line: String) {
        #expect(RecordRename(to: StreamDescriptor(name: "x")).rewrite(Array(line.utf8)) == nil)
    }

    @Test func renamesStreamStatesAndStatusesOnly() throws {
        let users = StreamDescriptor(name: "users"), target = StreamDescriptor(name: "users", namespace: "dest")
        let state = StateMessage.stream(users, state: ["cursor": 3], recordCount: 2)
        #expect(state.renamed(to: target).key == .stream(target))
        #expect(state.renamed(to: target).json["stream"]["stream_state"] == ["cursor": 3])
        let global = StateMessage(json: ["type": "GLOBAL", "global": ["shared_state": ["lsn": 1]]])
        #expect(global.renamed(to: target) == global)
        let status = TraceMessage(json: ["type": "STREAM_STATUS", "emitted_at": 1,
                                         "stream_status": ["stream_descriptor": ["name": "users"], "status": "COMPLETE"]])
        #expect(status.renamed(to: target).stream == target)
        #expect(status.renamed(to: target).streamStatus == "COMPLETE")
        let error = TraceMessage.error("boom", failureType: .systemError)
        #expect(error.renamed(to: target) == error)
    }

    @Test func echoOfARenamedStateCommitsTheSourceState() {
        let users = StreamDescriptor(name: "users"), target = StreamDescriptor(name: "faker_users")
        var t = StateTracker()
        t.recordsEmitted(users, count: 3, bytes: 30)
        let state = StateMessage.stream(users, state: ["cursor": 3])
        t.stateSent(state, forwardedAs: state.renamed(to: target))
        // The source's own descriptor is not what the destination got.
        #expect(t.echoReceived(state) == .unknown)
        var echo = state.renamed(to: target)
        echo.json["destinationStats"] = ["recordCount": 3.0]
        #expect(t.echoReceived(echo) == .committed(1))
        #expect(t.committed[.stream(users)] == state)
        #expect(t.committed[.stream(target)] == nil)
        #expect(t.streams[users]?.recordsCommitted == 3)
        #expect(t.echoReceived(echo) == .outOfOrder)
        #expect(t.committedStateInput == [state.json])
    }
}
