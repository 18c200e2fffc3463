/// The stop marker: written when the relay ends for any reason, so wrappers of connectors
/// in other containers (here: a shell loop on the far end of named pipes) stop them.
import Testing
import Foundation
import KubeCore
import AirbyteProtocol
@testable import FerryWorker

@Suite(.timeLimit(.minutes(1))) struct RelayStopMarkerTests {
    /// A destination wrapper as in a worker Pod: holds the destination's named pipes open
    /// (as a connector that never finishes would) and exits only once the marker appears.
    func wrapper(_ s: Scratch, stdin: String, stdout: String, marker: String) throws -> ChildProcess {
        try ChildProcess(command: """
            exec 3<'\(stdin)' 4>'\(stdout)'
            i=0
            while [ ! -e '\(marker)' ]; do i=$((i+1)); [ $i -gt 2000 ] && exit 7; sleep 0.01; done
            exit 0
            """)
    }

    @Test func peerWatchingTheMarkerExitsWhenTheRelayFails() async throws {
        let s = try Scratch()
        defer { s.remove() }
        let stdinFifo = s.path("destination.stdin"), stdoutFifo = s.path("destination.stdout"), marker = s.path("stop")
        #expect(mkfifo(stdinFifo, 0o600) == 0 && mkfifo(stdoutFifo, 0o600) == 0)
        let peer = try wrapper(s, stdin: stdinFifo, stdout: stdoutFifo, marker: marker)
        defer { close(peer.stdinFD); close(peer.stdoutFD); close(peer.stderrFD) }
        // Same order as `ferry worker relay`: the destination's stdin first, then its stdout.
        let write = open(stdinFifo, O_WRONLY), read = open(stdoutFifo, O_RDONLY)
        #expect(write >= 0 && read >= 0)
        var c = RelayConfiguration(source: .command("echo '\(record("users", 1))'; exit 3"),
                                   destination: .descriptors(read: read, write: write), catalog: usersCatalog)
        c.passThroughStderr = false
        c.stopMarkerPath = marker
        // The peer never closes its end: the drain timeout ends the attempt.
        c.destinationDrainTimeout = .milliseconds(200)
        let r = try await Relay(configuration: c).run()
        #expect(!r.succeeded)
        #expect(await peer.waitForExit() == 0, "the peer saw the marker and stopped")
        let content = try JSONValue.parse(s.read("stop"))
        #expect(content["succeeded"] == false)
        #expect(content["failure"] == r.failure?.json)
        #expect(content["failure"]["message"].stringValue?.contains("exited with code 3") == true)
        #expect(!FileManager.default.fileExists(atPath: marker + ".tmp"))
    }

    @Test func successWritesSucceededTrue() async throws {
        let s = try Scratch()
        defer { s.remove() }
        let src = try s.write("source.txt", record("users", 1) + "\n")
        let r = try await relay(source: "cat '\(src)'", destination: echoingDestination(s)) { $0.stopMarkerPath = s.path("stop") }
        #expect(r.succeeded)
        #expect(try JSONValue.parse(s.read("stop")) == ["succeeded": true])
    }

    @Test func connectorThatCannotStartStillWritesTheMarker() async throws {
        let s = try Scratch()
        defer { s.remove() }
        var c = RelayConfiguration(source: .command("true"), destination: .descriptors(read: -1, write: nil))
        c.passThroughStderr = false
        c.stopMarkerPath = s.path("stop")
        await #expect(throws: ChildProcessError.self) { try await Relay(configuration: c).run() }
        let content = try JSONValue.parse(s.read("stop"))
        #expect(content["succeeded"] == false && content["failure"]["origin"] == "relay")
        #expect(content["failure"]["message"].stringValue?.contains("needs a descriptor") == true)
    }

    @Test func cancellingTheRelayStopsTheConnectorsAndWritesTheMarker() async throws {
        let s = try Scratch()
        defer { s.remove() }
        // A source that would run for a minute after its first record.
        let script = try s.write("source.sh", "echo '\(record("users", 1))'\nsleep 60\n")
        var c = RelayConfiguration(source: .command("sh '\(script)'"), destination: .command(echoingDestination(s)), catalog: usersCatalog)
        c.passThroughStderr = false
        c.stopMarkerPath = s.path("stop")
        let started = ContinuousClock.now
        let task = Task { try await Relay(configuration: c).run() }
        let deadline = ContinuousClock.now + .seconds(20)
        while !s.read("received").contains("users"), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        task.cancel()
        let r = try await task.value
        #expect(started.duration(to: .now) < .seconds(30))
        #expect(r.failure?.origin == .relay && r.failure?.message.contains("stopped") == true)
        #expect(try JSONValue.parse(s.read("stop"))["succeeded"] == false)
    }
}

/// The built `ferry` executable next to the test bundle, when this build produced one.
let ferryExecutable: String? = {
    let dir = Bundle.main.bundleURL.deletingLastPathComponent()
    let candidates = [dir.appendingPathComponent("ferry").path,
                      URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ferry").path]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
}()

/// Whether /proc says the process handles SIGTERM: its `SigCgt` mask has bit 15 (the
/// signal source installs a handler; the default action would kill it).
func handlesSIGTERM(_ pid: pid_t) -> Bool {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigCgt:") }),
          let mask = UInt64(line.dropFirst("SigCgt:".count).trimmingCharacters(in: .whitespaces), radix: 16) else { return false }
    return mask & (1 << (UInt64(SIGTERM) - 1)) != 0
}

@Suite(.timeLimit(.minutes(1)), .enabled(if: ferryExecutable != nil)) struct RelayCommandStopMarkerTests {
    @Test func sigtermStopsTheRelayAndWritesTheMarker() async throws {
        let s = try Scratch()
        defer { s.remove() }
        let ferry = try #require(ferryExecutable)
        let script = try s.write("source.sh", "echo '\(record("users", 1))'\nsleep 60\n")
        let p = try ChildProcess(command: "exec '\(ferry)' worker relay --source-command \"sh '\(script)'\" --destination-command \"cat > '\(s.path("received"))'\" --stop-marker '\(s.path("stop"))'")
        defer { close(p.stdinFD); close(p.stdoutFD); close(p.stderrFD) }
        let deadline = ContinuousClock.now + .seconds(20)
        while !s.read("received").contains("users"), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        kill(p.pid, SIGTERM)
        #expect(await p.waitForExit() == 1)
        let content = try JSONValue.parse(s.read("stop"))
        #expect(content["succeeded"] == false && content["failure"]["origin"] == "relay")
        #expect(content["failure"]["message"].stringValue?.contains("stopped before the connectors finished") == true)
    }

    @Test func sigtermWhileWaitingForANamedPipeStillWritesTheMarker() async throws {
        let s = try Scratch()
        defer { s.remove() }
        let ferry = try #require(ferryExecutable)
        let fifo = s.path("source.stdout")
        #expect(mkfifo(fifo, 0o600) == 0)
        // Nobody ever opens the other end: the relay blocks opening it.
        let p = try ChildProcess(command: "exec '\(ferry)' worker relay --source-stdout '\(fifo)' --destination-command 'cat > /dev/null' --stop-marker '\(s.path("stop"))'")
        defer { close(p.stdinFD); close(p.stdoutFD); close(p.stderrFD) }
        // A SIGTERM before the handler is installed would kill it without a marker: wait
        // until the process handles SIGTERM (installed, before opening pipes).
        let deadline = ContinuousClock.now + .seconds(20)
        while !handlesSIGTERM(p.pid), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(handlesSIGTERM(p.pid))
        kill(p.pid, SIGTERM)
        #expect(await p.waitForExit() == 128 + SIGTERM)
        let content = try JSONValue.parse(s.read("stop"))
        #expect(content["succeeded"] == false)
        #expect(content["failure"]["message"].stringValue?.contains("signal \(SIGTERM)") == true)
    }
}
