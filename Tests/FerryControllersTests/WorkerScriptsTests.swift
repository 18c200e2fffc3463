/// The container wrapper scripts run for real with /bin/sh: the stop marker stops a
/// connector, exit codes propagate, pipes and paths with spaces work, SIGTERM is forwarded.
import Foundation
import KubeTestSupport
import Testing
@testable import FerryControllers

/// A temporary directory whose name has a space, removed at the end.
private final class ScratchDir {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "ferry wrapper \(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    func read(_ name: String) -> String? { try? String(contentsOfFile: file(name), encoding: .utf8) }
    func touch(_ name: String) { _ = FileManager.default.createFile(atPath: file(name), contents: Data()) }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A running `/bin/sh -c script`, killed if the test ends early. Spawned with an empty
/// signal mask and default dispositions: Swift's worker threads block most signals and
/// a child inherits that mask, under which the shell never sees SIGCHLD (as a container
/// runtime would never start it).
private final class Shell {
    let pid: pid_t
    private var status: Int32?

    init(_ script: String, environment: [String: String] = [:]) throws {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "AIRBYTE_ENTRYPOINT")
        env.merge(environment) { _, new in new }
        let words: [String] = ["/bin/sh", "-c", script]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { (w: String) in strdup(w) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { (k: String, v: String) in strdup(k + "=" + v) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attr, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGTERM, SIGINT, SIGQUIT, SIGPIPE, SIGCHLD, SIGHUP] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, argv, envp)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO) }
        self.pid = pid
    }

    var isRunning: Bool { poll() == nil }

    /// The exit code, 128 + signal when killed by a signal; nil while running.
    private func poll() -> Int32? {
        if let status { return status }
        var st: Int32 = 0
        guard waitpid(pid, &st, WNOHANG) == pid else { return nil }
        status = (st & 0x7f) == 0 ? (st >> 8) & 0xff : 128 + (st & 0x7f)
        return status
    }

    func exitCode(within timeout: Duration = .seconds(20)) async throws -> Int32 {
        try await waitUntil(timeout: timeout) { poll() != nil }
        return poll() ?? -1
    }

    func terminate() { kill(pid, SIGTERM) }

    deinit {
        if poll() == nil {
            kill(pid, SIGKILL)
            var st: Int32 = 0
            waitpid(pid, &st, 0)
        }
    }
}

@Suite struct WorkerScriptsTests {
    fileprivate static func wrapper(_ dir: ScratchDir, _ entrypoint: WorkerScripts.Entrypoint, arguments: [String] = ["read"], stdin: String? = nil, grace: Int = 10) -> String {
        WorkerScripts.connectorScript(.init(role: "source", entrypoint: entrypoint, arguments: arguments, stdinPath: stdin.map(dir.file),
                                            stdoutPath: dir.file("source out"), stopMarkerPath: dir.file("stop"), pollSeconds: 1, graceSeconds: grace))
    }

    @Test func markerStopsALongRunningConnector() async throws {
        let dir = try ScratchDir()
        // `exec` so the connector is the process the wrapper watches, as with a real image.
        let shell = try Shell(Self.wrapper(dir, .command(["sh", "-c", "echo started; echo $$ > \"$0\"; exec sleep 1000", dir.file("pid")])))
        try await waitUntil(timeout: .seconds(10)) { dir.read("source out") == "started\n" }
        let pid = try #require(dir.read("pid").flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        #expect(shell.isRunning)
        dir.touch("stop")
        #expect(try await shell.exitCode() == 143)
        #expect(kill(pid, 0) != 0, "the connector is gone")
    }

    @Test func connectorIgnoringTermIsKilledAfterTheGrace() async throws {
        let dir = try ScratchDir()
        let shell = try Shell(Self.wrapper(dir, .command(["sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done"]), grace: 1))
        try await waitUntil(timeout: .seconds(10)) { dir.read("source out") == "ready\n" }
        dir.touch("stop")
        #expect(try await shell.exitCode() == 137)
    }

    @Test(arguments: [0, 1, 3, 127])
    func exitCodePropagates(code: Int32) async throws {
        let dir = try ScratchDir()
        let shell = try Shell(Self.wrapper(dir, .command(["sh", "-c", "echo \"$@\"; exit \(code)", "connector"]), arguments: ["read", "--config", "a b.json"]))
        #expect(try await shell.exitCode() == code)
        #expect(dir.read("source out") == "read --config a b.json\n")
        #expect(!FileManager.default.fileExists(atPath: dir.file("stop")))
    }

    @Test func airbyteEntrypointIsWordSplit() async throws {
        let dir = try ScratchDir()
        let shell = try Shell(Self.wrapper(dir, .airbyteEntrypoint, arguments: ["read", "--state", "s.json"]),
                              environment: ["AIRBYTE_ENTRYPOINT": "printf %s|"])
        #expect(try await shell.exitCode() == 0)
        #expect(dir.read("source out") == "read|--state|s.json|")
    }

    @Test func missingEntrypointExits127AndStillClosesThePipe() async throws {
        let dir = try ScratchDir()
        #expect(mkfifo(dir.file("source out"), 0o666) == 0)
        let reader = try Shell("cat \(WorkerScripts.shellQuote(dir.file("source out"))) > \(WorkerScripts.shellQuote(dir.file("got")))")
        let shell = try Shell(Self.wrapper(dir, .airbyteEntrypoint))
        #expect(try await shell.exitCode() == 127)
        // The reader saw end of input instead of blocking forever.
        #expect(try await reader.exitCode() == 0)
        #expect(dir.read("got") == "")
    }

    @Test func recordsFlowThroughNamedPipes() async throws {
        let dir = try ScratchDir()
        #expect(mkfifo(dir.file("source out"), 0o666) == 0)
        #expect(mkfifo(dir.file("dest in"), 0o666) == 0)
        let q = WorkerScripts.shellQuote
        let source = try Shell(Self.wrapper(dir, .command(["sh", "-c", "for i in 1 2 3; do echo record $i; done"])))
        let destination = try Shell(WorkerScripts.connectorScript(.init(
            role: "destination", entrypoint: .command(["sh", "-c", "tr a-z A-Z"]), arguments: ["write"],
            stdinPath: dir.file("dest in"), stdoutPath: dir.file("dest out"), stopMarkerPath: dir.file("stop"))))
        // A stand-in relay: source pipe to destination pipe.
        let relay = try Shell("cat \(q(dir.file("source out"))) > \(q(dir.file("dest in")))")
        #expect(try await relay.exitCode() == 0)
        #expect(try await source.exitCode() == 0)
        #expect(try await destination.exitCode() == 0)
        #expect(dir.read("dest out") == "RECORD 1\nRECORD 2\nRECORD 3\n")
    }

    @Test func termToTheWrapperIsForwarded() async throws {
        let dir = try ScratchDir()
        let shell = try Shell(Self.wrapper(dir, .command(["sh", "-c", "echo up; exec sleep 1000"])))
        try await waitUntil(timeout: .seconds(10)) { dir.read("source out") == "up\n" }
        shell.terminate()
        #expect(try await shell.exitCode() == 143)
    }

    @Test(arguments: [(Int32(0), "{\"succeeded\":true}"), (Int32(1), "{\"succeeded\":false}")])
    func orchestratorWritesMarkerAndSummary(code: Int32, summary: String) async throws {
        let dir = try ScratchDir()
        let script = WorkerScripts.orchestratorScript(
            relayArgv: ["sh", "-c", "printf '%s' \"$0\"; exit \(code)", summary],
            summaryPath: dir.file("summary.json"), stopMarkerPath: dir.file("stop"), terminationMessagePath: dir.file("termination log"))
        let shell = try Shell(script)
        #expect(try await shell.exitCode() == code)
        #expect(FileManager.default.fileExists(atPath: dir.file("stop")))
        #expect(dir.read("termination log") == summary)
    }

    @Test func orchestratorKilledOutrightStillStopsTheConnectors() async throws {
        let dir = try ScratchDir()
        let script = WorkerScripts.orchestratorScript(
            relayArgv: ["sh", "-c", "kill -KILL $$"], summaryPath: dir.file("summary.json"),
            stopMarkerPath: dir.file("stop"), terminationMessagePath: dir.file("no such dir/termination-log"))
        let connector = try Shell(Self.wrapper(dir, .command(["sh", "-c", "exec sleep 1000"])))
        let shell = try Shell(script)
        #expect(try await shell.exitCode() == 137)
        #expect(try await connector.exitCode() == 143)
    }

    @Test(arguments: ["plain", "with space", "it's", "", "$HOME `x` \"q\"", "a\nb", "*"])
    func shellQuoteRoundTrips(value: String) async throws {
        let dir = try ScratchDir()
        let shell = try Shell("printf %s \(WorkerScripts.shellQuote(value)) > \(WorkerScripts.shellQuote(dir.file("out")))")
        #expect(try await shell.exitCode() == 0)
        #expect(dir.read("out") == value)
    }
}
