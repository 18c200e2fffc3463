/// `ferry worker relay`: the orchestrator's relay between a source and a destination
/// connector, run as commands or attached to named pipes; prints a JSON summary.
import AirbyteProtocol
import ArgumentParser
import FerryConnectors
import FerryWorker
import Foundation
import KubeClient
import KubeCore
import Synchronization

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "The orchestrator of a sync attempt: relays messages between connectors.",
        subcommands: [RelayCommand.self, ProbeCommand.self, EmptySourceCommand.self, PlaceholderCommand.self]
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
    @Option(help: "The destination's configured catalog (JSON file), when it names the streams differently: the same streams in the same order as --catalog; records and states are renamed on the way.")
    var destinationCatalog: String?
    @Option(help: "The state the source was started with (JSON file); streams that commit nothing new keep it.")
    var state: String?
    @Option(help: "Write the committed state here (every flush interval and at the end).")
    var stateOut: String?
    @Option(help: "Write the stats here (every flush interval and at the end).")
    var statsOut: String?
    @Option(help: "NAMESPACE/NAME of the attempt's progress ConfigMap: committed state and stats are merged into it through the Kubernetes API (every flush interval and at the end).")
    var progressConfigmap: String?
    @Option(help: "kubeconfig for --progress-configmap (default: $KUBECONFIG, ~/.kube/config, then in-cluster).")
    var kubeconfig: String?
    @Option(help: "Seconds without a RECORD or STATE from the source before the attempt fails.")
    var sourceSilenceTimeout: Double = 3 * 3600
    @Option(help: "Lines longer than this many bytes are skipped and counted.")
    var maxLineBytes = 64 << 20
    @Option(help: "Seconds between flushes of committed state and stats.")
    var flushInterval: Double = 10
    @Option(help: "Write this file (atomically; the outcome as JSON) when the relay exits for any reason, including SIGTERM, so connector wrappers watching it stop their connectors.")
    var stopMarker: String?
    @Option(help: ArgumentHelp("How forwarded lines move: splice (from the source's pipe, where the descriptors allow it) or copy (through the relay's buffer; to compare).", visibility: .hidden))
    var forwarding = "splice"

    func validate() throws {
        if (sourceCommand == nil) == (sourceStdout == nil) { throw ValidationError("give exactly one of --source-command and --source-stdout") }
        if destinationCommand == nil && (destinationStdin == nil || destinationStdout == nil) {
            throw ValidationError("give --destination-command, or both --destination-stdin and --destination-stdout")
        }
        if destinationCommand != nil && (destinationStdin != nil || destinationStdout != nil) {
            throw ValidationError("--destination-command cannot be combined with --destination-stdin/--destination-stdout")
        }
        if sourceSilenceTimeout <= 0 || flushInterval <= 0 { throw ValidationError("timeouts and intervals must be positive") }
        if RelayForwarding(rawValue: forwarding) == nil { throw ValidationError("--forwarding is splice or copy") }
        if let progressConfigmap, ProgressConfigMapSink.parseReference(progressConfigmap) == nil {
            throw ValidationError("--progress-configmap \"\(progressConfigmap)\" is not NAMESPACE/NAME")
        }
    }

    static func openPipe(_ path: String, _ flags: Int32, what: String) throws -> Int32 {
        let fd = open(path, flags)
        guard fd >= 0 else { throw ValidationError("opening \(what) \(path): \(String(cString: strerror(errno)))") }
        return fd
    }

    func run() async throws {
        let shutdown = RelayShutdown(stopMarker: stopMarker)
        shutdown.install()
        let relay: Relay
        var client: KubernetesClient?
        do {
            client = progressClient()
            relay = try prepare(client: client)
        } catch {
            try? await client?.shutdown()
            shutdown.writeMarker(RelayFailure(origin: .relay, failureType: .systemError, message: "starting the relay: \(error)"))
            throw error
        }
        // The relay writes the stop marker itself when it ends (success, failure, a
        // connector that cannot start, cancellation by SIGTERM).
        let task = Task { try await relay.run() }
        shutdown.attach(task)
        let outcome = await task.result
        try? await client?.shutdown()
        let result = try outcome.get()
        var summary = result.summary
        if let rss = Self.peakRSS() { summary["peakRSSBytes"] = .int(Int64(rss)) }
        print(summary.serialized())
        if !result.succeeded { throw ExitCode(1) }
    }

    /// This process's peak RSS (VmHWM). Not getrusage: a spawned process's ru_maxrss
    /// starts from its parent's peak, which would charge the parent's memory to the relay.
    static func peakRSS() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kib = Int(line.dropFirst("VmHWM:".count).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") else { return nil }
        return kib * 1024
    }

    /// A client for the progress ConfigMap; nil without `--progress-configmap`. Without
    /// credentials the data still moves: like a failed report, this is logged, not fatal.
    func progressClient() -> KubernetesClient? {
        guard let progressConfigmap else { return nil }
        do {
            return try KubernetesClient(configuration: ClientConfiguration.load(kubeconfigPath: kubeconfig))
        } catch {
            FileHandle.standardError.write(Data("ferry worker relay: not reporting progress to ConfigMap \(progressConfigmap): no Kubernetes client configuration: \(error)\n".utf8))
            return nil
        }
    }

    static func readCatalog(_ path: String, flag: String) throws -> ConfiguredCatalog {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch { throw ValidationError("reading \(flag) \(path): \(error.localizedDescription)") }
        do { return try ConfiguredCatalog(json: try JSONValue.parse(data)) } catch { throw ValidationError("\(flag) \(path): \(error)") }
    }

    /// Source stream → destination stream, pairing the two catalogs stream by stream.
    static func streamRenames(source: ConfiguredCatalog, destination: ConfiguredCatalog) throws -> [StreamDescriptor: StreamDescriptor] {
        guard source.streams.count == destination.streams.count else {
            throw ValidationError("--destination-catalog has \(destination.streams.count) streams, --catalog \(source.streams.count): they must list the same streams in the same order")
        }
        var renames: [StreamDescriptor: StreamDescriptor] = [:]
        for (from, to) in zip(source.streams, destination.streams) where from.descriptor != to.descriptor {
            renames[from.descriptor] = to.descriptor
        }
        return renames
    }

    func prepare(client: KubernetesClient? = nil) throws -> Relay {
        let catalogValue = try catalog.map { try Self.readCatalog($0, flag: "--catalog") }
        var renames: [StreamDescriptor: StreamDescriptor] = [:]
        if let destinationCatalog {
            guard let source = catalogValue else { throw ValidationError("--destination-catalog needs --catalog") }
            let destination = try Self.readCatalog(destinationCatalog, flag: "--destination-catalog")
            renames = try Self.streamRenames(source: source, destination: destination)
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
        configuration.streamRenames = renames
        configuration.stopMarkerPath = stopMarker
        configuration.forwarding = RelayForwarding(rawValue: forwarding) ?? .splice
        var sinks: [any RelayStateSink] = []
        if stateOut != nil || statsOut != nil { sinks.append(FileStateSink(statePath: stateOut, statsPath: statsOut)) }
        if let client, let progressConfigmap, let reference = ProgressConfigMapSink.parseReference(progressConfigmap) {
            sinks.append(ProgressConfigMapSink(client: client, namespace: reference.namespace, name: reference.name))
        }
        let sink: (any RelayStateSink)? = sinks.isEmpty ? nil : sinks.count == 1 ? sinks[0] : CombinedStateSink(sinks: sinks)
        return Relay(configuration: configuration, sink: sink)
    }
}

/// SIGTERM / SIGINT for `ferry worker relay`: cancel the running relay (it stops both
/// connectors and writes the stop marker); if it is not running yet (blocked opening a
/// named pipe whose peer never came) or does not finish within the grace period,
/// write the marker here and exit, so connector wrappers never wait forever.
final class RelayShutdown: Sendable {
    let stopMarker: String?
    let grace: Double = 10
    private let state = Mutex<(task: Task<RelayResult, any Error>?, sources: [any DispatchSourceSignal])>((nil, []))

    init(stopMarker: String?) { self.stopMarker = stopMarker }

    func install() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [self] in received(sig) }
            source.resume()
            state.withLock { $0.sources.append(source) }
        }
    }

    func attach(_ task: Task<RelayResult, any Error>) { state.withLock { $0.task = task } }

    func writeMarker(_ failure: RelayFailure) {
        guard let stopMarker else { return }
        do { try RelayStopMarker.write(to: stopMarker, succeeded: false, failure: failure) } catch {
            FileHandle.standardError.write(Data("ferry worker relay: \(error.description)\n".utf8))
        }
    }

    private func received(_ sig: Int32) {
        let failure = RelayFailure(origin: .relay, failureType: .transientError,
                                   message: "the relay received signal \(sig) before the connectors finished")
        guard let task = state.withLock({ $0.task }) else {
            writeMarker(failure)
            exit(128 + sig)
        }
        task.cancel()
        DispatchQueue.global().asyncAfter(deadline: .now() + grace) { [self] in
            writeMarker(failure)
            exit(128 + sig)
        }
    }
}

