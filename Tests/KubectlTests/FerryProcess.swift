/// The real `ferry` binary as a separate process (`ferry dev`, `ferry apiserver`, `ferry
/// node`, `ferry operator`), its output in a log file, and a temporary directory per test
/// that every process of the test runs in and that is removed at the end.
import Foundation
import KubeTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// One `ferry` subcommand running in the background. `stop()` always ends it: SIGTERM
/// (which makes ferry stop every process it started), then SIGKILL if it hangs.
final class FerryProcess {
    let process = Process()
    let logPath: String
    let name: String

    /// Starts `ferry arguments…` in `directory`, stdout and stderr into `<directory>/<name>.log`.
    init(_ name: String, _ arguments: [String], in directory: String, environment: [String: String] = [:]) throws {
        self.name = name
        logPath = "\(directory)/\(name).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: ExternalResources.ferryBinary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
    var isRunning: Bool { process.isRunning }
    var pid: Int32 { process.processIdentifier }

    /// Waits for the line containing `ready` (ferry dev, ferry apiserver); throws with the
    /// log when the process exits first or the wait times out.
    func waitReady(timeout: Duration = .seconds(45)) async throws {
        do {
            try await waitUntil(timeout: timeout) { log.contains("ready") || !process.isRunning }
        } catch {
            throw FerryProcessError("\(name) did not print ready within \(timeout):\n\(log)")
        }
        guard process.isRunning else { throw FerryProcessError("\(name) exited with \(process.terminationStatus) before ready:\n\(log)") }
    }

    /// SIGKILL: no chance to clean up (a crashed operator).
    func kill() {
        if process.isRunning { _ = Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// SIGTERM, then SIGKILL after `grace`; returns once the process is reaped.
    func stop(grace: TimeInterval = 20) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        kill()
    }
}

struct FerryProcessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A fresh temporary directory for one test; `remove()` deletes it.
struct TestDirectory {
    let path: String

    init(_ prefix: String) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// The repository's `examples/` directory.
let examplesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../examples").standardizedFileURL.path
/// The repository's `crds/` directory.
let crdsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../crds").standardizedFileURL.path

/// Live processes whose command line contains `text` (like `pgrep -f`, without pgrep's own
/// process), read from /proc so that no helper process can match itself.
func processes(matching text: String) -> [(pid: Int32, commandLine: String)] {
    let me = getpid()
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry -> (Int32, String)? in
        guard let pid = Int32(entry), pid != me,
              let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"), !data.isEmpty else { return nil }
        let commandLine = String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
        guard commandLine.contains(text) else { return nil }
        // A zombie has an empty cmdline; a process exiting between the reads is gone too.
        if let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")"), stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first == "Z" { return nil }
        return (pid, commandLine)
    }
}

/// `ferry apiserver` on a free loopback port with the Ferry CRDs applied and Established;
/// `body` gets the kubectl, the kubeconfig path and the test's directory (named after
/// `directoryPrefix`). The server and the directory are always removed.
func withFerryAPIServer<T>(directoryPrefix: String, _ body: (Kubectl, String, String) async throws -> T) async throws -> T {
    let directory = try TestDirectory(directoryPrefix)
    defer { directory.remove() }
    let kubeconfig = directory.path + "/apiserver.kubeconfig"
    let apiserver = try FerryProcess("apiserver", ["apiserver", "--port", "0", "--kubeconfig", kubeconfig], in: directory.path)
    defer { apiserver.stop() }
    try await apiserver.waitReady()
    let kubectl = try Kubectl { try FileManager.default.copyItem(atPath: kubeconfig, toPath: $0) }
    defer { kubectl.cleanUp() }
    var r = try await kubectl.run("apply", "-f", crdsDirectory)
    try #require(r.succeeded, "\(r.stderr)")
    r = try await kubectl.run("wait", "--for=condition=Established", "-f", crdsDirectory, "--timeout=30s")
    try #require(r.succeeded, "\(r.stderr)")
    return try await body(kubectl, kubeconfig, directory.path)
}
