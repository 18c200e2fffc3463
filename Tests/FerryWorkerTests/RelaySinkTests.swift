/// Periodic flushes to the caller's sink, and CONTROL / STREAM_STATUS surfacing.
import Testing
import Foundation
import Synchronization
import KubeCore
import AirbyteProtocol
@testable import FerryWorker

/// A sink that keeps every snapshot it is given.
final class CollectingSink: RelayStateSink {
    let snapshots = Mutex<[RelaySnapshot]>([])
    func flush(_ snapshot: RelaySnapshot) async throws { snapshots.withLock { $0.append(snapshot) } }
}

@Suite(.timeLimit(.minutes(1))) struct RelaySinkTests {
    @Test func committedStateIsFlushedWhileTheSyncRunsAndAtTheEnd() async throws {
        let s = try Scratch()
        defer { s.remove() }
        // The second state arrives only after the destination has echoed the first
        // (the source waits for the echo file), so a mid-run flush must see state 1.
        let script = try s.write("source.sh", """
            echo '\(record("users", 1))'
            echo '\(state("users", 1))'
            i=0
            while ! grep -q cursor '\(s.path("echoed"))' 2>/dev/null; do i=$((i+1)); [ $i -gt 500 ] && exit 9; sleep 0.01; done
            sleep 0.3
            echo '\(record("users", 2))'
            echo '\(state("users", 2))'
            """)
        let sink = CollectingSink()
        var c = RelayConfiguration(source: .command("sh '\(script)'"),
                                   destination: .command("{ grep --line-buffered -F STATE; true; } | tee '\(s.path("echoed"))'"), catalog: usersCatalog)
        c.passThroughStderr = false
        c.flushInterval = .milliseconds(50)
        let r = try await Relay(configuration: c, sink: sink).run()
        #expect(r.succeeded, "\(r.summary.serialized())")
        let snapshots = sink.snapshots.withLock { $0 }
        #expect(snapshots.last?.isFinal == true)
        #expect(snapshots.last?.committedState?.arrayValue?.first?["stream"]["stream_state"]["cursor"] == 2)
        let midRun = snapshots.dropLast().compactMap { $0.committedState?.arrayValue?.first?["stream"]["stream_state"]["cursor"] }
        #expect(midRun.contains(1))
        #expect(snapshots.dropLast().allSatisfy { !$0.isFinal })
    }

    @Test func controlMessagesAndStreamStatusesAreSurfaced() async throws {
        let s = try Scratch()
        defer { s.remove() }
        let lines = [
            #"{"type":"CONTROL","control":{"type":"CONNECTOR_CONFIG","emitted_at":1,"connectorConfig":{"config":{"token":"rotated"}}}}"#,
            #"{"type":"TRACE","trace":{"type":"STREAM_STATUS","emitted_at":1,"stream_status":{"stream_descriptor":{"name":"users"},"status":"COMPLETE"}}}"#,
            #"{"type":"LOG","log":{"level":"WARN","message":"slow"}}"#,
            record("users", 1),
        ]
        let src = try s.write("source.txt", lines.joined(separator: "\n") + "\n")
        let r = try await relay(source: "cat '\(src)'", destination: echoingDestination(s))
        #expect(r.succeeded)
        #expect(r.progress.configUpdates[.source] == ["token": "rotated"])
        #expect(r.progress.streamStatuses[StreamDescriptor(name: "users")] == "COMPLETE")
        #expect(r.summary["controlMessages"] == 1 && r.summary["logMessages"]["WARN"] == 1)
        // The new configuration may hold secrets: never in the summary.
        #expect(!r.summary.serialized().contains("rotated"))
        #expect(!s.read("received").contains("CONTROL"))
    }
}
