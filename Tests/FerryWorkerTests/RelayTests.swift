/// The relay against small shell-script connectors: the failure table of issue 5.
import Testing
import Foundation
import KubeCore
import AirbyteProtocol
@testable import FerryWorker

/// A temporary directory with helpers to write connector scripts and lines.
struct Scratch {
    let dir: URL
    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-relay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
    func write(_ name: String, _ text: String) throws -> String {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path(name)))
        return path(name)
    }
    func read(_ name: String) -> String { (try? String(contentsOfFile: path(name), encoding: .utf8)) ?? "" }
    func remove() { try? FileManager.default.removeItem(at: dir) }
}

func record(_ stream: String, _ id: Int) -> String {
    #"{"type":"RECORD","record":{"stream":"\#(stream)","data":{"id":\#(id)},"emitted_at":1}}"#
}

func state(_ stream: String, _ cursor: Int) -> String {
    #"{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"\#(stream)"},"stream_state":{"cursor":\#(cursor)}}}}"#
}

let usersCatalog = ConfiguredCatalog(streams: [ConfiguredStream(descriptor: StreamDescriptor(name: "users")),
                                               ConfiguredStream(descriptor: StreamDescriptor(name: "orders"))])

/// A destination that keeps what it received and echoes every STATE at once.
func echoingDestination(_ s: Scratch) -> String {
    "tee '\(s.path("received"))' | { grep --line-buffered -F '\"type\":\"STATE\"'; true; }"
}

func relay(source: String, destination: String, catalog: ConfiguredCatalog? = usersCatalog,
           tune: (inout RelayConfiguration) -> Void = { _ in }) async throws -> RelayResult {
    var c = RelayConfiguration(source: .command(source), destination: .command(destination), catalog: catalog)
    c.passThroughStderr = false
    tune(&c)
    return try await Relay(configuration: c).run()
}

@Suite(.timeLimit(.minutes(1))) struct RelayTests {
    @Test func relaysRecordsAndStatesAndCommitsEchoedState() async throws {
        let s = try Scratch()
        defer { s.remove() }
        let lines = [record("users", 1), record("orders", 1), record("users", 2), state("users", 2),
                     #"{"type": "RECORD", "record": {"stream": "orders", "data": {"id": 2}}}"#, state("orders", 2),
                     #"{"type":"LOG","log":{"level":"INFO","message":"done"}}"#]
        let src = try s.write("source.txt", lines.joined(separator: "\n") + "\n")
        let sink = FileStateSink(statePath: s.path("state.json"), statsPath: s.path("stats.json"))
        var c = RelayConfiguration(source: .command("cat '\(src)'"), destination: .command(echoingDestination(s)), catalog: usersCatalog)
        c.passThroughStderr = false
        let r = try await Relay(configuration: c, sink: sink).run()
        #expect(r.succeeded, "\(r.summary.serialized())")
        #expect(r.sourceExitCode == 0 && r.destinationExitCode == 0)
        // Forwarded byte for byte: records and states only, in order.
        #expect(s.read("received") == ([lines[0], lines[1], lines[2], lines[3], lines[4], lines[5]].joined(separator: "\n") + "\n"))
        #expect(r.progress.tracker.streams[StreamDescriptor(name: "users")]?.recordsEmitted == 2)
        #expect(r.progress.tracker.streams[StreamDescriptor(name: "orders")]?.bytesEmitted == lines[1].utf8.count + lines[4].utf8.count)
        #expect(r.progress.tracker.recordsCommitted == 4 && r.progress.tracker.statesCommitted == 2)
        #expect(r.progress.logCounts["INFO"] == 1)
        let saved = try JSONValue.parse(s.read("state.json"))
        #expect(saved == r.committedState)
        #expect(saved.arrayValue?.count == 2)
        #expect(try JSONValue.parse(s.read("stats.json"))["recordsCommitted"] == 4)
    }

    @Test func sourceExitingNonZeroMidStreamFailsWithItsMessage() async throws {
        let s = try Scratch()
        defer { s.remove() }
        let script = try s.write("source.sh", """
            echo '\(record("users", 1))'
            echo '\(state("users", 1))'
            echo '\(record("users", 2))'
            echo 'connection reset by peer' >&2
            exit 3
            """)
        let r = try await relay(source: "sh '\(script)'", destination: echoingDestination(s))
        #expect(r.failure?.origin == .source)
        #expect(r.failure?.message.contains("code 3") == true && r.failure?.message.contains("connection reset") == true)
        #expect(r.sourceExitCode == 3 && r.destinationExitCode == 0)
        #expect(r.progress.tracker.recordsEmitted == 2 && r.progress.tracker.recordsCommitted == 1)
        #expect(r.committedState?.arrayValue?.first?["stream"]["stream_state"]["cursor"] == 1)
    }

    @Test func destinationExitingNonZeroCommitsOnlyWhatItEchoed() async throws {
        let s = try Scratch()
        defer { s.remove() }
        // An endless source: the relay must stop it once the destination is gone.
        let source = try s.write("source.sh", """
            i=0
            while true; do
              i=$((i+1))
              echo '{"type":"RECORD","record":{"stream":"users","data":{"id":'$i'}}}'
              if [ $((i % 100)) -eq 0 ]; then
                echo '{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"cursor":'$i'}}}}'
              fi
            done
            """)
        let destination = try s.write("destination.sh", """
            n=0
            while IFS= read -r line; do
              case "$line" in *'"STATE"'*)
                n=$((n+1))
                if [ $n -eq 2 ]; then echo 'disk full' >&2; exit 1; fi
                printf '%s\\n' "$line";;
              esac
            done
            """)
        let r = try await relay(source: "sh '\(source)'", destination: "sh '\(destination)'")
        #expect(r.failure?.origin == .destination, "\(r.summary.serialized())")
        #expect(r.failure?.message.contains("disk full") == true)
        #expect(r.destinationExitCode == 1)
        #expect(r.progress.tracker.statesCommitted == 1 && r.progress.tracker.recordsCommitted == 100)
        #expect(r.committedState?.arrayValue?.first?["stream"]["stream_state"]["cursor"] == 100)
    }

    @Test func nonJSONLinesAndUnknownStreamsAreCountedNotFatal() async throws {
        let s = try Scratch()
        defer { s.remove() }
        let src = try s.write("source.txt", [
            "Starting source...", record("users", 1), record("ghosts", 1), "{\"type\":\"RECORD\"", #"{"hello":"world"}"#,
            record("users", 2), state("users", 2),
        ].joined(separator: "\n") + "\n")
        let r = try await relay(source: "cat '\(src)'", destination: echoingDestination(s))
        #expect(r.succeeded, "\(r.summary.serialized())")
        #expect(r.progress.sourceSkipped.notJSON == 2 && r.progress.sourceSkipped.notAirbyteMessage == 1)
        #expect(r.progress.sourceSkipped.unknownStream == 1)
        #expect(r.summary["unknownStreams"] == ["ghosts"])
        #expect(!s.read("received").contains("ghosts"))
        #expect(r.progress.tracker.recordsCommitted == 2)
    }

    /// The pump searches each read for `"namespace"` once and skips the search for lines
    /// before the next hit: records that name their namespace after `data`, scattered
    /// through reads of many lines, are still told apart from those without one.
    @Test func namespacesAfterDataAreFoundAnywhereInALargeInput() async throws {
        let s = try Scratch()
        defer { s.remove() }
        var lines: [String] = []
        for id in 0..<20_000 {
            lines.append(id % 997 == 5
                ? #"{"type":"RECORD","record":{"stream":"users","data":{"id":\#(id)},"namespace":"other","emitted_at":1}}"#
                : record("users", id))
        }
        let src = try s.write("source.txt", lines.joined(separator: "\n") + "\n")
        let catalog = ConfiguredCatalog(streams: [ConfiguredStream(descriptor: StreamDescriptor(name: "users")),
                                                  ConfiguredStream(descriptor: StreamDescriptor(name: "users", namespace: "other"))])
        let r = try await relay(source: "cat '\(src)'", destination: "cat > /dev/null", catalog: catalog)
        #expect(r.succeeded, "\(r.summary.serialized())")
        let namespaced = (0..<20_000).filter { $0 % 997 == 5 }.count
        #expect(r.progress.tracker.streams[StreamDescriptor(name: "users", namespace: "other")]?.recordsEmitted == namespaced)
        #expect(r.progress.tracker.streams[StreamDescriptor(name: "users")]?.recordsEmitted == 20_000 - namespaced)
    }

    @Test func sourceWithoutStateCommitsEverythingOnSuccess() async throws {
        let s = try Scratch()
        defer { s.remove() }
        let src = try s.write("source.txt", (1...5).map { record("users", $0) }.joined(separator: "\n") + "\n")
        let r = try await relay(source: "cat '\(src)'", destination: echoingDestination(s))
        #expect(r.succeeded)
        #expect(r.committedState == nil)
        #expect(r.progress.tracker.recordsEmitted == 5 && r.progress.tracker.recordsCommitted == 5)
    }

    @Test func outOfOrderEchoesAreReportedAndTheLatestStateWins() async throws {
        let s = try Scratch()
        defer { s.remove() }
        let src = try s.write("source.txt", [record("users", 1), state("users", 1), record("users", 2), state("users", 2)].joined(separator: "\n") + "\n")
        // Echoes every state, but only at the end and in reverse order.
        let r = try await relay(source: "cat '\(src)'", destination: "grep -F STATE | tac")
        #expect(r.succeeded)
        #expect(r.progress.tracker.outOfOrderEchoes == 1)
        #expect(r.summary["outOfOrderStateEchoes"] == 1)
        #expect(r.committedState?.arrayValue?.first?["stream"]["stream_state"]["cursor"] == 2)
        #expect(r.progress.tracker.recordsCommitted == 2)
    }

    @Test func sourceSilentPastTheTimeoutFailsTheAttempt() async throws {
        let s = try Scratch()
        defer { s.remove() }
        let started = ContinuousClock.now
        let r = try await relay(source: "echo '\(record("users", 1))'; sleep 30", destination: echoingDestination(s)) {
            $0.sourceSilenceTimeout = .milliseconds(300)
        }
        #expect(r.failure?.failureType == .transientError)
        #expect(r.failure?.message.contains("no RECORD or STATE") == true)
        #expect(r.progress.tracker.recordsEmitted == 1)
        #expect(started.duration(to: .now) < .seconds(10))
    }

    @Test func tenMebibyteRecordPassesAndOversizedLinesAreSkipped() async throws {
        let s = try Scratch()
        defer { s.remove() }
        let big = #"{"type":"RECORD","record":{"stream":"users","data":{"blob":""# + String(repeating: "x", count: 10 << 20) + #""}}}"#
        let src = try s.write("source.txt", [record("users", 1), big, record("users", 2), state("users", 2)].joined(separator: "\n") + "\n")
        let r = try await relay(source: "cat '\(src)'", destination: echoingDestination(s))
        #expect(r.succeeded)
        #expect(r.progress.tracker.recordsEmitted == 3)
        #expect(r.progress.tracker.bytesEmitted > 10 << 20)
        #expect((try? FileManager.default.attributesOfItem(atPath: s.path("received"))[.size] as? Int) ?? 0 > 10 << 20)

        let capped = try await relay(source: "cat '\(src)'", destination: echoingDestination(s)) { $0.maxLineBytes = 1 << 20 }
        #expect(capped.succeeded)
        #expect(capped.progress.sourceSkipped.oversized == 1)
        #expect(capped.progress.tracker.recordsEmitted == 2 && capped.progress.tracker.recordsCommitted == 2)
    }

    @Test func traceErrorBecomesTheFailureReasonWithItsType() async throws {
        let s = try Scratch()
        defer { s.remove() }
        let trace = #"{"type":"TRACE","trace":{"type":"ERROR","emitted_at":1,"error":{"message":"password authentication failed","failure_type":"config_error"}}}"#
        let r = try await relay(source: "echo '\(trace)'; exit 1", destination: echoingDestination(s))
        #expect(r.failure == RelayFailure(origin: .source, failureType: .configError, message: "password authentication failed"))
        #expect(r.summary["failure"]["failureType"] == "config_error")
    }

    @Test func attachesToAlreadyOpenDescriptorsLikeNamedPipes() async throws {
        let s = try Scratch()
        defer { s.remove() }
        let src = try s.write("source.txt", [record("users", 1), state("users", 1)].joined(separator: "\n") + "\n")
        let fifo = s.path("source.fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        // A writer process on the other end of the named pipe, as in a worker Pod.
        let writer = try ChildProcess(command: "cat '\(src)' > '\(fifo)'")
        let readFD = open(fifo, O_RDONLY)
        #expect(readFD >= 0)
        var c = RelayConfiguration(source: .descriptors(read: readFD, write: nil), destination: .command(echoingDestination(s)), catalog: usersCatalog)
        c.passThroughStderr = false
        let r = try await Relay(configuration: c).run()
        #expect(await writer.waitForExit() == 0)
        close(writer.stdinFD); close(writer.stdoutFD); close(writer.stderrFD)
        #expect(r.succeeded && r.sourceExitCode == nil)
        #expect(r.progress.tracker.recordsCommitted == 1 && r.progress.tracker.statesCommitted == 1)
    }
}
