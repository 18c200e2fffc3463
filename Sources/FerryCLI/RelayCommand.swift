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
        subcommands: [RelayCommand.self]
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

