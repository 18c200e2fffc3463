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

/// A collecting sink that also creates `marker` once a flush carries committed cursor 1,
/// so a test's source can wait for that flush instead of guessing a delay.
final class MarkingSink: RelayStateSink {
    let collected = CollectingSink()
    let marker: String
    init(marker: String) { self.marker = marker }
    func flush(_ snapshot: RelaySnapshot) async throws {
        try await collected.flush(snapshot)
        if snapshot.committedState?.arrayValue?.first?["stream"]["stream_state"]["cursor"] == 1 {
            FileManager.default.createFile(atPath: marker, contents: Data())
        }
    }
}

@Suite(.timeLimit(.minutes(1))) struct RelaySinkTests {
    @Test func committedStateIsFlushedWhileTheSyncRunsAndAtTheEnd() async throws {
        let s = try Scratch()
        defer { s.remove() }
        // The second state arrives only after a periodic flush has carried the first as
        // committed (the source waits for the sink's marker file), so the run must show
        // a mid-run flush with state 1 and a final one with state 2.
        let script = try s.write("source.sh", """
            echo '\(record("users", 1))'
            echo '\(state("users", 1))'
            i=0
            while [ ! -e '\(s.path("flushed-1"))' ]; do i=$((i+1)); [ $i -gt 1000 ] && exit 9; sleep 0.01; done
            echo '\(record("users", 2))'
            echo '\(state("users", 2))'
            """)
        let marking = MarkingSink(marker: s.path("flushed-1"))
        let sink = marking.collected
        var c = RelayConfiguration(source: .command("sh '\(script)'"),
                                   destination: .command("{ grep --line-buffered -F STATE; true; } | tee '\(s.path("echoed"))'"), catalog: usersCatalog)
        c.passThroughStderr = false
        c.flushInterval = .milliseconds(50)
        let r = try await Relay(configuration: c, sink: marking).run()
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

    @Test func stateWrittenToADeviceLeavesTheDeviceInPlace() async throws {
        // `--state-out /dev/null` must not rename a regular file over the device.
        try await FileStateSink(statePath: "/dev/null").flush(RelaySnapshot(committedState: ["cursor": 1], stats: [:], configUpdates: [:], isFinal: true))
        var info = stat()
        #expect(stat("/dev/null", &info) == 0)
        #expect((info.st_mode & S_IFMT) == S_IFCHR)
        #expect(!FileManager.default.fileExists(atPath: "/dev/null.tmp"))
    }
}
