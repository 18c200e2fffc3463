/// `ferry worker probe`: the orchestrator of a Source's or Destination's probe pod. Reads
/// the connector's `check` or `discover` output from its pipe, prints the verdict as JSON
/// (the wrapper copies it to the termination message) and, for `discover`, merges the
/// summarized streams into the probe's ConfigMap.
import ArgumentParser
import FerryControllers
import Foundation
import KubeClient
import KubeCore

struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Read a connector's check or discover output; print the verdict as JSON.",
        discussion: "Exits 0 when the connector gave a verdict (even a failed check), 1 when it gave none or the catalog could not be reported."
    )

    @Option(help: "check or discover.")
    var action: String
    @Option(help: "File or named pipe carrying the connector's stdout.")
    var connectorStdout: String
    @Option(help: "NAMESPACE/NAME of the ConfigMap the discovered streams are merged into (discover).")
    var catalogConfigmap: String?
    @Option(help: "kubeconfig for --catalog-configmap (default: $KUBECONFIG, ~/.kube/config, then in-cluster).")
    var kubeconfig: String?

    func validate() throws {
        guard let action = ConnectorProbeAction(rawValue: action) else { throw ValidationError("--action must be check or discover, not \"\(self.action)\"") }
        if action == .discover, catalogConfigmap == nil { throw ValidationError("--action discover needs --catalog-configmap") }
        if let catalogConfigmap, ProgressConfigMapSink.parseReference(catalogConfigmap) == nil {
            throw ValidationError("--catalog-configmap \"\(catalogConfigmap)\" is not NAMESPACE/NAME")
        }
    }

    func run() async throws {
        let action = ConnectorProbeAction(rawValue: action) ?? .check
        var output = ConnectorProbeOutput(action: action)
        guard let handle = FileHandle(forReadingAtPath: connectorStdout) else {
            throw ValidationError("opening --connector-stdout \(connectorStdout): \(String(cString: strerror(errno)))")
        }
        // check and discover print a few lines; a catalog of thousands of tables is a few MB.
        let data = (try? handle.readToEnd()) ?? Data()
        for line in data.split(separator: UInt8(ascii: "\n")) { output.consume(line: line) }
        var (report, streams) = output.result()
        if let streams, let catalogConfigmap, let reference = ProgressConfigMapSink.parseReference(catalogConfigmap) {
            do {
                let client = try KubernetesClient(configuration: ClientConfiguration.load(kubeconfigPath: kubeconfig))
                do {
                    _ = try await client.patch(.configMap, name: reference.name, namespace: reference.namespace,
                                               patch: try ConnectorProbeCatalogConfigMap.patch(streams: streams), type: .merge)
                } catch {
                    try? await client.shutdown()
                    throw error
                }
                try? await client.shutdown()
            } catch {
                report = ConnectorProbeReport(action: action, succeeded: false, message: "reporting the catalog to ConfigMap \(catalogConfigmap): \(error)")
            }
        }
        print(report.json.serialized())
        let gaveVerdict = action == .check ? output.connectionStatus != nil : report.succeeded
        if !gaveVerdict { throw ExitCode(1) }
    }
}
