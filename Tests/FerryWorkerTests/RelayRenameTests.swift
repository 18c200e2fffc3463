/// The relay forwarding TRACE STREAM_STATUS to the destination, and renaming streams on
/// the way there while stats and committed state stay in the source's terms.
import Testing
import Foundation
import KubeCore
import AirbyteProtocol
@testable import FerryWorker

@Suite(.timeLimit(.minutes(1))) struct RelayRenameTests {
    @Test func forwardsStreamStatusesButNotOtherTraces() async throws {
        let s = try Scratch()
        defer { s.remove() }
        let lines = [record("users", 1), streamStatus("users", "COMPLETE"),
                     #"{"type":"TRACE","trace":{"type":"ESTIMATE","emitted_at":1,"estimate":{"type":"STREAM","name":"users","row_estimate":5}}}"#,
                     #"{"type":"LOG","log":{"level":"INFO","message":"hi"}}"#,
                     streamStatus("ghosts", "COMPLETE"),
                     #"{"type":"TRACE","trace":{"type":"ERROR","emitted_at":1,"error":{"message":"boom","failure_type":"config_error"}}}"#]
        let src = try s.write("source.txt", lines.joined(separator: "\n") + "\n")
        let r = try await relay(source: "cat '\(src)'", destination: "cat > '\(s.path("received"))'")
        #expect(s.read("received") == lines[0] + "\n" + lines[1] + "\n")
        #expect(r.progress.streamStatuses[StreamDescriptor(name: "users")] == "COMPLETE")
        #expect(r.failure == RelayFailure(origin: .source, failureType: .configError, message: "boom"))
    }

    @Test func renamesRecordsStatesAndStatusesAndCommitsInSourceTerms() async throws {
        let s = try Scratch()
        defer { s.remove() }
        let users = StreamDescriptor(name: "users"), orders = StreamDescriptor(name: "orders")
        let lines = [record("users", 1), record("users", 2), record("orders", 1), state("users", 2),
                     streamStatus("users", "COMPLETE"), record("orders", 2), state("orders", 2)]
        let src = try s.write("source.txt", lines.joined(separator: "\n") + "\n")
        let sink = FileStateSink(statePath: s.path("state.json"))
        var c = RelayConfiguration(source: .command("cat '\(src)'"), destination: .command(echoingDestination(s)), catalog: usersCatalog)
        c.passThroughStderr = false
        c.streamRenames = [users: StreamDescriptor(name: "faker_users"), orders: StreamDescriptor(name: "orders", namespace: "shop")]
        let r = try await Relay(configuration: c, sink: sink).run()
        #expect(r.succeeded, "\(r.summary.serialized())")

        let received = try s.read("received").split(separator: "\n").map { try AirbyteMessage.decode(Array($0.utf8)) }
        try #require(received.count == 7)
        let fakerUsers = StreamDescriptor(name: "faker_users"), shopOrders = StreamDescriptor(name: "orders", namespace: "shop")
        let streams = received.map { m -> StreamDescriptor? in
            switch m {
            case .record(let r): return r.stream
            case .state(let s): if case .stream(let d) = s.key { return d }; return nil
            case .trace(let t): return t.stream
            default: return nil
            }
        }
        #expect(streams == [fakerUsers, fakerUsers, shopOrders, fakerUsers, fakerUsers, shopOrders, shopOrders])
        if case .record(let r) = received[1] { #expect(r.data == ["id": 2]) } else { Issue.record("not a record: \(received[1])") }
        if case .state(let st) = received[3] { #expect(st.json["stream"]["stream_state"] == ["cursor": 2]) }

        // Echoes of the renamed states committed the source's states.
        #expect(r.progress.tracker.statesCommitted == 2 && r.progress.tracker.unknownEchoes == 0)
        #expect(r.progress.tracker.streams[users]?.recordsCommitted == 2)
        #expect(r.progress.tracker.streams[orders]?.recordsEmitted == 2)
        #expect(r.progress.tracker.streams[fakerUsers] == nil)
        #expect(r.progress.streamStatuses[users] == "COMPLETE")
        let saved = try JSONValue.parse(s.read("state.json"))
        #expect(saved == .array([try JSONValue.parse(Array(state("orders", 2).utf8))["state"],
                                 try JSONValue.parse(Array(state("users", 2).utf8))["state"]]))
    }

    @Test func unrenamedStreamsPassByteForByteBesideRenamedOnes() async throws {
        let s = try Scratch()
        defer { s.remove() }
        let lines = [record("orders", 1), record("users", 1), record("orders", 2), state("orders", 2)]
        let src = try s.write("source.txt", lines.joined(separator: "\n") + "\n")
        let r = try await relay(source: "cat '\(src)'", destination: echoingDestination(s)) {
            $0.streamRenames = [StreamDescriptor(name: "users"): StreamDescriptor(name: "p_users"),
                                StreamDescriptor(name: "orders"): StreamDescriptor(name: "orders")]
        }
        #expect(r.succeeded)
        #expect(s.read("received") == [lines[0], record("p_users", 1), lines[2], lines[3]].joined(separator: "\n") + "\n")
        #expect(r.progress.tracker.statesCommitted == 1)
    }
}
