/// `ferry node`: the local runtime as a node agent against any API server — registers a
/// Node and runs the pods bound to it as local processes (or simulated ones).
import ArgumentParser
import FerryLocalRuntime
import Foundation
import KubeClient
import Logging

struct NodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run pods bound to a node as local processes (a kubelet without containers).",
        discussion: """
            Containers run as local processes: argv is command + args; a container without a command needs \
            --image-command IMAGE=COMMAND. Volumes are per-pod directories, and every occurrence of a mount's \
            mountPath in argv, env values and workingDir is rewritten to that directory. Stop with Ctrl-C or \
            SIGTERM: every process the node started is stopped.
            """
    )

    @Option(help: "Path to a kubeconfig (default: $KUBECONFIG, ~/.kube/config, then in-cluster).")
    var kubeconfig: String?

    @Option(help: "kubeconfig context to use.")
    var context: String?

    @Option(help: "The Node's name; pods with this spec.nodeName run here.")
    var name: String

    @Option(name: .customLong("image-command"), help: "IMAGE=COMMAND: what a container of IMAGE without a command runs (repeatable).")
    var imageCommands: [String] = []

    @Flag(name: .customLong("schedule-unassigned"), help: "Bind pods with no node and the default scheduler to this node.")
    var scheduleUnassigned = false

    @Option(help: "local (processes) or simulated (scripted outcomes from ferry.dev/simulate-* annotations).")
    var runtime: String = "local"

    @Option(name: .customLong("work-dir"), help: "Directory for pod volumes and logs (default: a temporary one, removed on exit).")
    var workDir: String?

    @Option(help: "CPU capacity reported for the node.")
    var cpu = "8"

    @Option(help: "Memory capacity reported for the node.")
    var memory = "16Gi"

    // The kubelet's own client limit (KubeletConfiguration kubeAPIQPS/kubeAPIBurst): a
    // node binding and reporting hundreds of pods at client-go's 5 QPS took minutes.
    @Option(name: .customLong("kube-api-qps"), help: "Client-side limit of API requests per second, as the kubelet's flag; 0 or less turns it off.")
    var kubeAPIQPS: Double = 50

    @Option(name: .customLong("kube-api-burst"), help: "Requests allowed at once above --kube-api-qps, as the kubelet's flag.")
    var kubeAPIBurst: Int = 100

    @Option(name: .customLong("max-pods"), help: "Pod capacity reported for the node.")
    var maxPods = 110

    func run() async throws {
        guard let mode = ContainerRuntimeMode(rawValue: runtime) else {
            throw ValidationError("--runtime must be local or simulated, not \(runtime)")
        }
        var images: [String: LocalImage] = [:]
        for entry in imageCommands {
            guard let (image, local) = LocalImage.parseMapping(entry) else {
                throw ValidationError("--image-command \(entry): expected IMAGE=COMMAND")
            }
            images[image] = local
        }
        var clientConfiguration: ClientConfiguration
        do {
            clientConfiguration = try ClientConfiguration.load(kubeconfigPath: kubeconfig, context: context)
        } catch {
            throw ValidationError(error.description)
        }
        guard kubeAPIQPS.isFinite, kubeAPIBurst >= 1 else { throw ValidationError("--kube-api-qps must be a number and --kube-api-burst at least 1") }
        clientConfiguration.qps = kubeAPIQPS
        clientConfiguration.burst = kubeAPIBurst
        var logger = Logger(label: "ferry.node")
        logger.logLevel = .info
        let client = try KubernetesClient(configuration: clientConfiguration)
        let configuration = NodeAgentConfiguration(
            nodeName: name, mode: mode, images: images, scheduleUnassigned: scheduleUnassigned, workDirectory: workDir,
            extraEnvironment: containerEnvironment(), capacity: ["cpu": cpu, "memory": memory, "pods": String(maxPods)])
        let agent: NodeAgent
        do {
            agent = try NodeAgent(client: client, configuration: configuration, logger: logger)
        } catch {
            try? await client.shutdown()
            throw ValidationError(error.description)
        }
        logger.info("starting node", metadata: ["node": "\(name)", "runtime": "\(mode.rawValue)", "server": "\(clientConfiguration.server)"])
        let task = Task { try await agent.run() }
        let stopper = Task {
            await waitForTerminationSignal()
            task.cancel()
        }
        let result = await task.result
        stopper.cancel()
        try? await client.shutdown()
        try result.get()
    }

    /// What a container of a worker pod needs from the node, as `ferry dev` gives it: its
    /// shell scripts run `ferry worker relay` and `ferry connector …`, so this binary's
    /// directory comes first in PATH (the `ferry` of an image is the one on its PATH); and a
    /// relay reporting progress finds the API server through the node's own kubeconfig.
    func containerEnvironment() -> [String: String] {
        let inherited = ProcessInfo.processInfo.environment
        var environment = ["PATH": ((DevCommand.currentExecutable() as NSString).deletingLastPathComponent) + ":" + (inherited["PATH"] ?? "/usr/bin:/bin")]
        if let kubeconfig {
            environment["KUBECONFIG"] = URL(fileURLWithPath: kubeconfig).standardizedFileURL.path
        }
        return environment
    }
}
