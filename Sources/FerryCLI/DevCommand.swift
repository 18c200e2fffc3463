/// `ferry dev`: the whole system on one machine with no cluster — the embedded API server
/// with the Ferry CRDs installed, the local runtime as its one node, and the operator's
/// controllers, in one process, driven by the real `kubectl`.
import ArgumentParser
import FerryAPI
import FerryControllers
import FerryLocalRuntime
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import ServiceLifecycle

/// Serves `kubectl logs` from the log files the local runtime writes.
extension NodeAgent: PodLogProvider {}
/// Serves metrics.k8s.io (`kubectl top pod`) from the local runtime's processes.
extension NodeAgent: PodMetricsProvider {}

struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Run the API server, a local node and the operator in one process (no cluster needed).",
        discussion: "Prints one line containing 'ready' when it serves. Stop it with Ctrl-C or SIGTERM: every process it started is stopped."
    )

    @OptionGroup var serverOptions: EmbeddedServerOptions

    @Option(help: "local (containers run as processes) or simulated (scripted outcomes from ferry.dev/simulate-* annotations).")
    var runtime = "local"

    @Option(name: .customLong("image-command"), help: "IMAGE=COMMAND: what a container of IMAGE without a command runs (repeatable).")
    var imageCommands: [String] = []

    @Flag(name: .customLong("example"), help: "Also apply the built-in example (examples/01-sample-to-jsonl.yaml and a Sync of it), so a Sync runs and succeeds at once.")
    var example = false

    @Option(name: .customLong("apply"), help: "Apply these manifest files once the server is ready (repeatable; Ferry kinds, Secrets and ConfigMaps).")
    var applyFiles: [String] = []

    @Option(name: .customLong("work-dir"), help: "Directory for pod volumes and logs (default: a temporary one, removed on exit).")
    var workDir: String?

    @Option(name: .customLong("clock-speed"), help: "Run the operator's clock this many times faster than real time (schedules, backoffs, TTLs), for demos and tests.")
    var clockSpeed: Double = 1

    @OptionGroup var controllerFlags: ControllerFlags

    @Option(name: .customLong("log-format"), help: "text, or json (one object per line: time, level, logger, msg, then fields).")
    var logFormat: LogFormat = .text

    func run() async throws {
        logFormat.bootstrap()
        guard let mode = ContainerRuntimeMode(rawValue: runtime) else {
            throw ValidationError("--runtime must be local or simulated, not \(runtime)")
        }
        guard clockSpeed >= 1, clockSpeed <= 3600 else { throw ValidationError("--clock-speed must be between 1 and 3600, not \(clockSpeed)") }
        var images: [String: LocalImage] = [:]
        for entry in imageCommands {
            guard let (image, local) = LocalImage.parseMapping(entry) else { throw ValidationError("--image-command \(entry): expected IMAGE=COMMAND") }
            images[image] = local
        }
        var manifests = try applyFiles.flatMap { try Self.readManifests($0) }
        if example { manifests += try Self.parseManifests(DevExample.yaml, source: "the built-in example") }
        let settings = try controllerFlags.settings()
        var logger = Logger(label: "ferry.dev")
        logger.logLevel = .info

        let kubeconfig = serverOptions.kubeconfig
        let server = try EmbeddedAPIServer(configuration: serverOptions.configuration)
        try await server.start()
        do {
            try server.writeKubeconfig(to: kubeconfig)
            var clientConfiguration = try ClientConfiguration(kubeconfig: Kubeconfig.parse(server.kubeconfigYAML()))
            try controllerFlags.clientRateFlags.apply(to: &clientConfiguration)
            let client = try KubernetesClient(configuration: clientConfiguration)
            do {
                try await Self.installCRDs(client)
                for manifest in manifests { try await Self.apply(manifest, client) }
                // Simulated containers run, and report their times, on the operator's (possibly
                // accelerated) clock; real processes keep real time (grace periods, heartbeats).
                let clock: any RuntimeClock = clockSpeed > 1 ? AcceleratedClock(speed: clockSpeed) : SystemClock()
                let absoluteKubeconfig = URL(fileURLWithPath: kubeconfig).standardizedFileURL.path
                let agent = try NodeAgent(
                    client: client,
                    configuration: NodeAgentConfiguration(
                        nodeName: "ferry-dev", mode: mode, images: images, scheduleUnassigned: true, workDirectory: workDir,
                        extraEnvironment: [
                            "KUBECONFIG": absoluteKubeconfig,
                            // Connector commands such as `ferry connector source-sample` find this binary first.
                            "PATH": ((Self.currentExecutable() as NSString).deletingLastPathComponent) + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
                        ],
                        clock: mode == .simulated ? clock : SystemClock()),
                    logger: logger)
                server.setPodLogProvider(agent)
                server.setPodMetricsProvider(agent)
                let manager = ControllerManager(client: client, options: .init(leaderElection: nil, healthHost: nil, healthPort: 0), clock: clock, logger: logger)
                // Worker pods run here as processes: the orchestrator runs this very binary.
                let executable = Self.currentExecutable()
                let defaults = try controllerFlags.workerDefaultsFlags.defaults(orchestratorImage: "ferry:latest", ferryCommand: executable)
                ControllerFlags.register(on: manager, settings, defaults: defaults)
                print("ferry dev ready at \(server.url); kubeconfig written to \(kubeconfig)")
                fflush(nil)  // the ready line must reach a pipe at once
                try await Self.runUntilSignal(agent: agent, manager: manager, logger: logger)
                server.setPodLogProvider(nil)
                server.setPodMetricsProvider(nil)
            } catch {
                try? await client.shutdown()
                throw error
            }
            try await client.shutdown()
        } catch {
            try? await server.shutdown()
            throw error
        }
        try await server.shutdown()
    }

    /// Runs the node agent and the controllers until SIGINT/SIGTERM; the agent stops every
    /// process it started when its task is cancelled.
    static func runUntilSignal(agent: NodeAgent, manager: ControllerManager, logger: Logger) async throws {
        let group = ServiceGroup(services: [manager], gracefulShutdownSignals: [], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await agent.run() }
            tasks.addTask { try await group.run() }
            await waitForTerminationSignal()
            await group.triggerGracefulShutdown()
            tasks.cancelAll()
            while let next = await tasks.nextResult() {
                if case .failure(let error) = next, !(error is CancellationError) { throw error }
            }
        }
    }

    /// The running binary's absolute path (`/proc/self/exe`), else the name `ferry`.
    static func currentExecutable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "ferry"
    }

    /// Creates the Ferry CRDs (kept when already present, e.g. with --data-dir) and waits
    /// until the server serves them.
    static func installCRDs(_ client: KubernetesClient) async throws {
        for kind in FerryAPI.kinds {
            do {
                _ = try await client.create(kind.crd, .customResourceDefinition)
            } catch {
                if !error.isAlreadyExists { throw error }
            }
        }
        for kind in FerryAPI.kinds {
            var established = false
            for _ in 0..<100 where !established {
                let crd = try await client.get(.customResourceDefinition, name: "\(kind.resourceType.plural).\(kind.resourceType.gvk.group)")
                established = (crd["status"]["conditions"].arrayValue ?? []).contains { $0["type"] == "Established" && $0["status"] == "True" }
                if !established { try await Task.sleep(for: .milliseconds(50)) }
            }
            guard established else { throw ValidationError("the CRD of \(kind.resourceType.kind) did not become Established") }
        }
    }

    static func readManifests(_ path: String) throws -> [JSONValue] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ValidationError("--apply \(path): cannot read the file") }
        return try parseManifests(text, source: "--apply \(path)")
    }

    static func parseManifests(_ text: String, source: String) throws -> [JSONValue] {
        try YAMLDocuments.parse(text).map { document in
            switch document.result {
            case .success(let object): return object
            case .failure(let error): throw ValidationError("\(source), document \(document.index + 1): \(error.message)")
            }
        }
    }

    /// Creates one manifest in the `default` namespace unless it names another (Ferry kinds,
    /// Secrets and ConfigMaps: what the examples hold).
    static func apply(_ manifest: JSONValue, _ client: KubernetesClient) async throws {
        let kind = manifest["kind"].stringValue ?? ""
        let known: [ResourceType] = FerryAPI.kinds.map { $0.resourceType } + [.secret, .configMap]
        guard let resource = known.first(where: { $0.kind == kind }) else {
            throw ValidationError("--apply: cannot create a \(kind.isEmpty ? "manifest without a kind" : kind) (Ferry kinds, Secret and ConfigMap only)")
        }
        do {
            _ = try await client.create(manifest, resource, namespace: manifest.namespace ?? "default")
        } catch {
            if !error.isAlreadyExists { throw error }
        }
    }
}
