/// `ferry run -f PATH... [--connection NAME] [--state-dir DIR]`: one sync with no cluster,
/// from the manifests a cluster takes, connectors as local processes. A progress line on a
/// terminal, JSON lines otherwise; exit 0 on success, 1 on a failed sync, 2 on bad input.
import ArgumentParser
import Dispatch
import FerryWorker
import Foundation
import KubeCore

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one sync of a Connection locally, from manifest files, with connectors as local processes.",
        discussion: """
            Reads Source, Destination, Connection and v1 Secret manifests. Secret values come from Secret \
            manifests, then --secrets-dir DIR/<secret>/<key>, then FERRY_SECRET_<SECRET>_<KEY> variables. \
            Committed state is kept in <state-dir>/<namespace>/<connection>/state.json, so the next run is \
            incremental. Exits 0 when the sync succeeded, 1 when it failed, 2 on bad input.
            """
    )

    @Option(name: [.customShort("f"), .customLong("filename")], parsing: .upToNextOption,
            help: "Manifest files or directories (their .yaml, .yml and .json files).")
    var filenames: [String] = []
    @Option(help: "The Connection to run (NAME or NAMESPACE/NAME); optional when the manifests define one.")
    var connection: String?
    @Option(help: "Directory of committed state, one <namespace>/<connection>/state.json per Connection.")
    var stateDir = ".ferry/state"
    @Option(help: "Directory of secret values as files <secret>/<key>.")
    var secretsDir: String?
    @Option(help: "IMAGE=COMMAND: run connectors of this image, when they have no spec.command, with this shell command.")
    var imageCommand: [String] = []
    @Flag(help: "Ignore the committed state and re-read everything.")
    var fullRefresh = false
    @Flag(help: "JSON lines on stdout even on a terminal.")
    var json = false
    @Option(help: "Seconds between progress updates.")
    var progressInterval: Double = 1

    func validate() throws {
        if filenames.isEmpty { throw ValidationError("give the manifests with -f PATH") }
        if progressInterval <= 0 { throw ValidationError("--progress-interval must be positive") }
    }

    func run() async throws {
        var options = LocalRunOptions(paths: filenames)
        options.connection = connection
        options.stateDirectory = stateDir
        options.secretsDirectory = secretsDir
        options.fullRefresh = fullRefresh
        options.progressInterval = .milliseconds(Int64(progressInterval * 1000))
        let terminal = !json && isatty(STDOUT_FILENO) == 1
        options.onProgress = { report in
            if report.finished { return }  // The summary follows.
            RunOutput.write(terminal ? "\r\u{1B}[K" + RunOutput.progressLine(report) : RunOutput.progressJSON(report).serialized() + "\n")
        }
        do {
            options.imageCommands = try LocalConnectorCommand.imageCommands(imageCommand)
            let result = try await Self.runCancellingOnSignal(options)
            if terminal {
                RunOutput.write("\r\u{1B}[K" + RunOutput.summaryLine(result) + "\n")
            } else {
                var summary = result.summary
                summary["event"] = "summary"
                RunOutput.write(summary.serialized() + "\n")
            }
            if !result.succeeded { throw ExitCode(1) }
        } catch let error as LocalRunError {
            if terminal { RunOutput.write("\r\u{1B}[K") }
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode(error.exitCode)
        }
    }
}

extension RunCommand {
    /// Runs the sync; SIGINT or SIGTERM cancels it, which stops both connectors and still
    /// flushes the committed state (the relay's cancellation), so the next run resumes.
    static func runCancellingOnSignal(_ options: LocalRunOptions) async throws -> RelayResult {
        let sync = Task { try await LocalRun.run(options) }
        let sources = [SIGINT, SIGTERM].map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { sync.cancel() }
            source.resume()
            return source
        }
        defer { for source in sources { source.cancel() } }
        return try await sync.value
    }
}

/// Formatting of `ferry run`'s progress and summary.
enum RunOutput {
    static func write(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }

    static func rate(_ bytes: Int, _ elapsed: Duration) -> Double {
        let s = seconds(elapsed)
        return s > 0 ? Double(bytes) / s : 0
    }

    /// One terminal line: totals, throughput, then records per stream.
    static func progressLine(_ r: RelayProgressReport) -> String {
        var line = "\(r.recordsEmitted) records  \(megabytes(r.bytesEmitted))  " + String(format: "%.1f MB/s", rate(r.bytesEmitted, r.elapsed) / 1e6)
        line += "  \(r.recordsCommitted) committed  " + String(format: "%.0fs", seconds(r.elapsed))
        let streams = r.streams.map { s in "\(s.descriptor) \(s.recordsEmitted)" + (s.estimatedRecords.map { "/\($0)" } ?? "") }
        if !streams.isEmpty { line += "  |  " + streams.joined(separator: "  ") }
        return line
    }

    static func progressJSON(_ r: RelayProgressReport) -> JSONValue {
        var o = r.json
        o["event"] = "progress"
        o["bytesPerSecond"] = .double(rate(r.bytesEmitted, r.elapsed).rounded())
        return o
    }

    static func summaryLine(_ result: RelayResult) -> String {
        let t = result.progress.tracker
        let head = result.succeeded ? "Succeeded" : "Failed"
        var line = "\(head): \(t.recordsEmitted) records read, \(t.recordsCommitted) committed, \(megabytes(t.bytesEmitted)) in "
            + String(format: "%.1fs (%.1f MB/s)", seconds(result.duration), rate(t.bytesEmitted, result.duration) / 1e6)
        if let failure = result.failure { line += "\n\(failure.origin.rawValue) \(failure.failureType.rawValue): \(failure.message)" }
        return line
    }
}
