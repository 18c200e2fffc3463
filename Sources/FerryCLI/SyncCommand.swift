/// `ferry sync CONNECTION [-n NS] [--wait]`: a manual trigger on a cluster (API.md,
/// "Command-line contract"), like `kubectl create job --from=cronjob/NAME`, with an
/// optional wait that prints the Sync's progress and exits with its outcome.
import ArgumentParser
import FerryAPI
import FerryControllers
import Foundation
import KubeClient
import KubeCore

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Create a Sync of a Connection now (a manual trigger), optionally waiting for it to finish.",
        discussion: "Exit codes: 0 created (or, with --wait, succeeded); 1 the Sync failed or was cancelled, or the Connection was not found; 2 bad arguments or no cluster configuration; 3 --timeout passed."
    )

    @Argument(help: "Name of the Connection.")
    var connection: String

    @Option(name: [.customShort("n"), .long], help: "Namespace of the Connection (default: the kubeconfig context's).")
    var namespace: String?

    @Flag(help: "Wait until the Sync finishes, printing a line whenever its progress changes.")
    var wait = false

    @Option(help: "With --wait: give up after this many seconds (0: never).")
    var timeout = 0

    @Option(help: "none (use the committed state), refresh (re-read everything) or clear (empty the streams, reset state).")
    var refresh: String?

    @Option(help: "Path to a kubeconfig (default: $KUBECONFIG, ~/.kube/config, then in-cluster).")
    var kubeconfig: String?

    @Option(help: "kubeconfig context to use.")
    var context: String?

    func validate() throws {
        if let refresh, RefreshMode(rawValue: refresh) == nil { throw ValidationError("--refresh must be none, refresh or clear, not \(refresh)") }
        guard timeout >= 0 else { throw ValidationError("--timeout must not be negative") }
    }

    func run() async throws {
        let configuration: ClientConfiguration
        do {
            configuration = try ClientConfiguration.load(kubeconfigPath: kubeconfig, context: context, namespace: namespace)
        } catch {
            throw ValidationError(error.description)
        }
        let client = try KubernetesClient(configuration: configuration)
        let code: Int32
        do {
            code = try await trigger(client, namespace: configuration.namespace)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try? await client.shutdown()
        if code != 0 { throw ExitCode(code) }
    }

    /// Creates the Sync and, with --wait, follows it. Returns the exit code.
    func trigger(_ client: KubernetesClient, namespace: String) async throws -> Int32 {
        guard let object = try await client.getIfPresent(Connection.resourceType, name: connection, namespace: namespace) else {
            printError("error: Connection \(connection) not found in namespace \(namespace)")
            return 1
        }
        let created = try await client.create(ManualSync.manifest(connection: object, refresh: refresh.flatMap(RefreshMode.init(rawValue:))),
                                              Sync.resourceType, namespace: namespace)
        let name = created.name ?? ""
        print("sync.ferry.dev/\(name) created")
        guard wait else { return 0 }
        return try await follow(client, name: name, namespace: namespace, from: created)
    }

    /// Prints a line per change until the Sync finishes (or --timeout passes), re-reading
    /// the Sync whenever a watch ends.
    func follow(_ client: KubernetesClient, name: String, namespace: String, from created: JSONValue) async throws -> Int32 {
        let deadline: ContinuousClock.Instant? = timeout > 0 ? .now + .seconds(timeout) : nil
        var last = ""
        var current = created
        while true {
            if let code = Self.report(current, last: &last) { return code }
            if let deadline, ContinuousClock.now >= deadline {
                printError("error: Sync \(name) did not finish within \(timeout) seconds")
                return 3
            }
            var options = ListOptions()
            options.fieldSelector = "metadata.name=\(name)"
            options.resourceVersion = current.resourceVersion
            // Short watches, so the deadline is checked between them.
            options.timeoutSeconds = deadline.map { max(1, min(60, Int(ContinuousClock.now.duration(to: $0).components.seconds) + 1)) } ?? 60
            do {
                for try await event in client.watch(Sync.resourceType, namespace: namespace, options: options) {
                    switch event.type {
                    case .added, .modified:
                        current = event.object
                        if let code = Self.report(current, last: &last) { return code }
                    case .deleted:
                        printError("error: Sync \(name) was deleted before it finished")
                        return 1
                    case .bookmark, .error:
                        break
                    }
                }
            } catch {
                // A broken or expired watch: read the Sync again and watch from there.
            }
            guard let sync = try await client.getIfPresent(Sync.resourceType, name: name, namespace: namespace) else {
                printError("error: Sync \(name) was deleted before it finished")
                return 1
            }
            current = sync
        }
    }

    /// Prints the Sync's progress line when it differs from `last`; the exit code once it finished.
    static func report(_ sync: JSONValue, last: inout String) -> Int32? {
        let line = ManualSync.progressLine(sync)
        if line != last { print(line); last = line }
        let outcome = ManualSync.outcome(sync)
        return outcome.finished ? (outcome.succeeded ? 0 : 1) : nil
    }

    func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
