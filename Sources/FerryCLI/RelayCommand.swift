/// `ferry worker relay`: the orchestrator's relay between a source and a destination
/// connector, run as commands or attached to named pipes; prints a JSON summary.
import AirbyteProtocol
import ArgumentParser
import FerryConnectors
import FerryWorker
import Foundation
import KubeCore

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "The orchestrator of a sync attempt: relays messages between connectors.",
        subcommands: [RelayCommand.self, WorkerBench.self]
    )
}

struct RelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Relay RECORD and STATE messages from a source to a destination; print a JSON summary.",
        discussion: "Give each connector as a command (run with /bin/sh -c) or as named pipes. Exits 0 when the attempt succeeded, 1 when it failed."
    )

    @Option(help: "Source command, e.g. \"ferry connector source-sample read --config c.json --catalog cat.json\".")
    var sourceCommand: String?
    @Option(help: "Destination command, reading messages on its stdin.")
    var destinationCommand: String?
    @Option(help: "Named pipe carrying the source's stdout (instead of --source-command).")
    var sourceStdout: String?
    @Option(help: "Named pipe into the destination's stdin (instead of --destination-command).")
    var destinationStdin: String?
    @Option(help: "Named pipe carrying the destination's stdout (instead of --destination-command).")
    var destinationStdout: String?
    @Option(help: "Configured catalog (JSON file); records of other streams are dropped and counted.")
    var catalog: String?
    @Option(help: "The state the source was started with (JSON file); streams that commit nothing new keep it.")
    var state: String?
    @Option(help: "Write the committed state here (every flush interval and at the end).")
    var stateOut: String?
    @Option(help: "Write the stats here (every flush interval and at the end).")
    var statsOut: String?
    @Option(help: "Seconds without a RECORD or STATE from the source before the attempt fails.")
    var sourceSilenceTimeout: Double = 3 * 3600
    @Option(help: "Lines longer than this many bytes are skipped and counted.")
    var maxLineBytes = 64 << 20
    @Option(help: "Seconds between flushes of committed state and stats.")
    var flushInterval: Double = 10

    func validate() throws {
        if (sourceCommand == nil) == (sourceStdout == nil) { throw ValidationError("give exactly one of --source-command and --source-stdout") }
        if destinationCommand == nil && (destinationStdin == nil || destinationStdout == nil) {
            throw ValidationError("give --destination-command, or both --destination-stdin and --destination-stdout")
        }
        if destinationCommand != nil && (destinationStdin != nil || destinationStdout != nil) {
            throw ValidationError("--destination-command cannot be combined with --destination-stdin/--destination-stdout")
        }
        if sourceSilenceTimeout <= 0 || flushInterval <= 0 { throw ValidationError("timeouts and intervals must be positive") }
    }

    static func openPipe(_ path: String, _ flags: Int32, what: String) throws -> Int32 {
        let fd = open(path, flags)
        guard fd >= 0 else { throw ValidationError("opening \(what) \(path): \(String(cString: strerror(errno)))") }
        return fd
    }

    func run() async throws {
        var catalogValue: ConfiguredCatalog?
        if let catalog {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: catalog)) } catch { throw ValidationError("reading --catalog \(catalog): \(error.localizedDescription)") }
            do { catalogValue = try ConfiguredCatalog(json: try JSONValue.parse(data)) } catch { throw ValidationError("--catalog \(catalog): \(error)") }
        }
        var inputState: JSONValue?
        if let state {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: state)) } catch { throw ValidationError("reading --state \(state): \(error.localizedDescription)") }
            do { inputState = try JSONValue.parse(data) } catch { throw ValidationError("--state \(state) is not valid JSON: \(error)") }
        }
        let destination: ConnectorEndpoint
        if let destinationCommand {
            destination = .command(destinationCommand)
        } else if let destinationStdin, let destinationStdout {
            // The destination opens its stdin before its stdout: open ours in that order.
            let write = try Self.openPipe(destinationStdin, O_WRONLY, what: "--destination-stdin")
            let read = try Self.openPipe(destinationStdout, O_RDONLY, what: "--destination-stdout")
            destination = .descriptors(read: read, write: write)
        } else {
            throw ValidationError("no destination given")
        }
        let source: ConnectorEndpoint
        if let sourceCommand { source = .command(sourceCommand) } else if let sourceStdout {
            source = .descriptors(read: try Self.openPipe(sourceStdout, O_RDONLY, what: "--source-stdout"), write: nil)
        } else {
            throw ValidationError("no source given")
        }
        var configuration = RelayConfiguration(source: source, destination: destination, catalog: catalogValue)
        configuration.sourceSilenceTimeout = .milliseconds(Int64(sourceSilenceTimeout * 1000))
        configuration.flushInterval = .milliseconds(Int64(flushInterval * 1000))
        configuration.maxLineBytes = maxLineBytes
        configuration.inputState = inputState
        let sink: (any RelayStateSink)? = (stateOut != nil || statsOut != nil)
            ? FileStateSink(statePath: stateOut, statsPath: statsOut) : nil
        let result = try await Relay(configuration: configuration, sink: sink).run()
        print(result.summary.serialized())
        if !result.succeeded { throw ExitCode(1) }
    }
}

/// `ferry worker bench relay`; also meant for `ferry bench relay`.
struct WorkerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Worker benchmarks that print numbers.",
                                                    subcommands: [RelayBench.self])
}

struct RelayBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Relay throughput (MB/s, messages/s) on source-sample data, beside cat | cat and a Python json relay."
    )

    @Option(help: "Records per stream of source-sample input (three streams).")
    var records = 300_000

    func run() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-relay-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("config.json").path
        let catalog = dir.appendingPathComponent("catalog.json").path
        let input = dir.appendingPathComponent("input.jsonl").path
        try Data(#"{"count":\#(records),"seed":1,"state_every":10000}"#.utf8).write(to: URL(fileURLWithPath: config))
        let streams = ["users", "products", "purchases"].map { #"{"stream":{"name":"\#($0)","json_schema":{}},"sync_mode":"full_refresh","destination_sync_mode":"append"}"# }
        try Data(#"{"streams":[\#(streams.joined(separator: ","))]}"#.utf8).write(to: URL(fileURLWithPath: catalog))
        let fd = open(input, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw ValidationError("creating \(input): \(String(cString: strerror(errno)))") }
        let code = BuiltinConnectors.run(name: "source-sample", action: "read", configPath: config, catalogPath: catalog, statePath: nil, output: fd)
        close(fd)
        guard code == 0 else { throw ValidationError("generating the input with source-sample failed") }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: input))
        let messages = bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        emit("input: \(messages) messages, \(String(format: "%.1f", Double(bytes.count) / 1e6)) MB of source-sample JSON lines")
        var rows = [RelayBenchmark.classifier(Array(bytes))]
        rows.append(try await RelayBenchmark.shell("cat | cat", "cat '\(input)' | cat > /dev/null", bytes: bytes.count, messages: messages))
        let (relayRow, result) = try await RelayBenchmark.relay(file: input, bytes: bytes.count, messages: messages)
        rows.append(relayRow)
        let python = "import sys, json\nfor line in sys.stdin:\n    json.loads(line)\n    sys.stdout.write(line)\n"
        let script = dir.appendingPathComponent("relay.py").path
        try Data(python.utf8).write(to: URL(fileURLWithPath: script))
        if let row = try? await RelayBenchmark.shell("cat | python json.loads relay | cat", "cat '\(input)' | python3 '\(script)' | cat > /dev/null", bytes: bytes.count, messages: messages) {
            rows.append(row)
        }
        emit(String(format: "%-40@ %10@ %14@ %8@", "pipeline" as NSString, "MB/s" as NSString, "messages/s" as NSString, "seconds" as NSString))
        for r in rows {
            emit(String(format: "%-40@ %10.0f %14.0f %8.2f", r.name as NSString, r.megabytesPerSecond, r.messagesPerSecond, r.seconds))
        }
        emit("relay: \(result.progress.tracker.recordsEmitted) records relayed, succeeded: \(result.succeeded)")
        emit("worker peak RSS (whole process, input held in memory for the classifier run): \(RelayBenchmark.peakRSS() / (1 << 20)) MiB")
    }
}
