/// `ferry run`: one sync with no cluster. Reads the manifests, resolves the Connection's
/// Source, Destination and Secrets, discovers the source's catalog, then relays `read` into
/// `write` with the committed state kept in a local directory for the next run.
import AirbyteProtocol
import FerryAPI
import Foundation
import KubeCore
import Logging

/// Everything a local run needs, resolved from the manifests before any connector starts.
public struct LocalRunPlan: Sendable {
    public var connectionKey: ManifestKey
    public var connection: Connection
    /// Shell commands without the Airbyte arguments.
    public var sourceCommand: String
    public var destinationCommand: String
    /// Rendered configs: they hold secret values, so they only ever go to 0600 files.
    var sourceConfig: JSONValue
    var destinationConfig: JSONValue
    public var statePath: String

    /// Loads and resolves; every failure is bad input (exit 2).
    public static func prepare(_ options: LocalRunOptions) throws(LocalRunError) -> LocalRunPlan {
        let manifests = try LocalManifests.load(paths: options.paths)
        let (key, connection) = try manifests.connection(named: options.connection)
        let sourceKey = ManifestKey(namespace: key.namespace, name: connection.spec.sourceRef.name)
        let destinationKey = ManifestKey(namespace: key.namespace, name: connection.spec.destinationRef.name)
        guard let source = manifests.sources[sourceKey] else {
            throw .badInput("Connection \(key): spec.sourceRef: Source \(sourceKey) is not in the manifests")
        }
        guard let destination = manifests.destinations[destinationKey] else {
            throw .badInput("Connection \(key): spec.destinationRef: Destination \(destinationKey) is not in the manifests")
        }
        let secrets = LocalSecrets(manifests: manifests.secrets, directory: options.secretsDirectory, environment: options.environment)
        func render(_ spec: ConnectorSpec, _ what: String) throws(LocalRunError) -> JSONValue {
            do {
                return try ConnectorConfigRendering.render(spec) { secrets.lookup(namespace: key.namespace, secret: $0, key: $1) }
            } catch {
                throw .badInput("\(what): \(error.message)")
            }
        }
        let sourceWhat = "Source \(sourceKey)", destinationWhat = "Destination \(destinationKey)"
        return LocalRunPlan(
            connectionKey: key, connection: connection,
            sourceCommand: try LocalConnectorCommand.command(for: source.spec, what: sourceWhat, imageCommands: options.imageCommands, ferryExecutable: options.ferryExecutable),
            destinationCommand: try LocalConnectorCommand.command(for: destination.spec, what: destinationWhat, imageCommands: options.imageCommands, ferryExecutable: options.ferryExecutable),
            sourceConfig: try render(source.spec, sourceWhat), destinationConfig: try render(destination.spec, destinationWhat),
            statePath: options.statePath(for: key))
    }
}

public enum LocalRun {
    /// Prepares and runs one sync. Throws for bad input and failed discovery; a sync that
    /// ran and failed is a result with `succeeded == false`.
    public static func run(_ options: LocalRunOptions) async throws(LocalRunError) -> RelayResult {
        let plan = try LocalRunPlan.prepare(options)
        let workDirectory = try PrivateDirectory()
        defer { workDirectory.remove() }
        let q = LocalConnectorCommand.shellQuoted
        let sourceConfigPath = try workDirectory.write("source-config.json", plan.sourceConfig.serialized())
        let destinationConfigPath = try workDirectory.write("destination-config.json", plan.destinationConfig.serialized())

        let sourceWhat = "Source \(plan.connectionKey.namespace)/\(plan.connection.spec.sourceRef.name)"
        let discovered = try await LocalDiscover.catalog(command: "\(plan.sourceCommand) discover --config \(q(sourceConfigPath))", what: sourceWhat)
        let catalogs: SyncCatalogs
        do { catalogs = try ConfiguredCatalogBuilding.build(connection: plan.connection.spec, discoveredCatalog: discovered) } catch {
            throw .badInput("Connection \(plan.connectionKey): spec.streams: \(error.description)")
        }
        let sourceCatalogPath = try workDirectory.write("source-catalog.json", catalogs.source.json.serialized())
        let destinationCatalogPath = try workDirectory.write("destination-catalog.json", catalogs.destination.json.serialized())

        let inputState = options.fullRefresh ? nil : try readState(plan.statePath)
        var sourceRead = "\(plan.sourceCommand) read --config \(q(sourceConfigPath)) --catalog \(q(sourceCatalogPath))"
        if let inputState { sourceRead += " --state \(q(try workDirectory.write("state.json", inputState.serialized())))" }
        let destinationWrite = "\(plan.destinationCommand) write --config \(q(destinationConfigPath)) --catalog \(q(destinationCatalogPath))"

        let stateDirectory = (plan.statePath as NSString).deletingLastPathComponent
        do { try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true) } catch {
            throw .badInput("creating the state directory \(stateDirectory): \(error.localizedDescription)")
        }
        var configuration = RelayConfiguration(source: .command(sourceRead), destination: .command(destinationWrite), catalog: catalogs.source)
        configuration.inputState = inputState
        // The destination's catalog names streams as the Connection renames them; the relay
        // rewrites records, stream states and statuses to match.
        configuration.streamRenames = catalogs.destinationNames
        if let silence = plan.connection.spec.effectiveTimeouts.sourceSilence.flatMap(DurationSyntax.seconds), silence > 0 {
            configuration.sourceSilenceTimeout = .milliseconds(Int64(silence * 1000))
        }
        configuration.progressInterval = options.progressInterval
        configuration.onProgress = options.onProgress
        // Our stdout carries the progress lines and the summary; logs go to stderr.
        configuration.logger = Logger(label: "ferry.run") { StreamLogHandler.standardError(label: $0) }
        let result: RelayResult
        do { result = try await Relay(configuration: configuration, sink: FileStateSink(statePath: plan.statePath)).run() } catch {
            throw .failed("starting the connectors: \(error.description)")
        }
        if options.fullRefresh, result.succeeded, result.committedState == nil {
            // A full refresh that committed no state leaves no cursor: the next run starts over.
            try? FileManager.default.removeItem(atPath: plan.statePath)
        }
        return result
    }

    static func readState(_ path: String) throws(LocalRunError) -> JSONValue? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do { return try JSONValue.parse(data) } catch {
            throw .badInput("the committed state \(path) is not valid JSON (\(error)); remove it or run with --full-refresh")
        }
    }
}
