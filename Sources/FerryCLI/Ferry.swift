/// The `ferry` executable: one binary, one subcommand per role (see API.md,
/// "Command-line contract").
import ArgumentParser

@main
struct Ferry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ferry",
        abstract: "Run Airbyte-protocol data syncs as Kubernetes resources.",
        subcommands: [OperatorCommand.self, APIServerCommand.self, BenchCommand.self, CRDsCommand.self, RBACCommand.self, ValidateCommand.self, ConnectorCommand.self, WorkerCommand.self, NodeCommand.self, RunCommand.self, DevCommand.self, ScheduleCommand.self, SyncCommand.self, WorkerPoolCommand.self]
    )
}
