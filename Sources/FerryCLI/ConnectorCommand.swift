/// `ferry connector NAME spec|check|discover|read|write [--config F] [--catalog F] [--state F]`:
/// the built-in Airbyte-protocol connectors.
import ArgumentParser
import FerryConnectors

struct ConnectorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connector",
        abstract: "Run a built-in Airbyte-protocol connector (\(BuiltinConnectors.names.joined(separator: ", ")))."
    )

    @Argument(help: "Connector name: \(BuiltinConnectors.names.joined(separator: ", ")).")
    var name: String

    @Argument(help: "Airbyte command: \(BuiltinConnectors.actions.joined(separator: ", ")).")
    var action: String

    @Option(help: "Connector configuration (JSON file).")
    var config: String?

    @Option(help: "Configured catalog (JSON file), for read and write.")
    var catalog: String?

    @Option(help: "Input state (JSON file), for incremental reads.")
    var state: String?

    func run() throws {
        let code = BuiltinConnectors.run(name: name, action: action, configPath: config, catalogPath: catalog, statePath: state)
        if code != 0 { throw ExitCode(code) }
    }
}
