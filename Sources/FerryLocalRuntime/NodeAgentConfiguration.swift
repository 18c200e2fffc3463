/// Settings of the local node agent: its node, how it runs containers, where pods live.
import Foundation
import KubeRuntime

/// How the agent runs containers.
public enum ContainerRuntimeMode: String, Sendable, Hashable, CaseIterable {
    /// Each container is a local process.
    case local
    /// No processes: containers "run" for a scripted time and exit with a scripted code
    /// (pod annotations `ferry.dev/simulate-*`), for control-plane tests at scale.
    case simulated
}

/// What a container image means locally: its ENTRYPOINT and the environment it sets.
public struct LocalImage: Sendable, Hashable {
    public var entrypoint: [String]
    public var environment: [String: String]

    public init(entrypoint: [String], environment: [String: String] = [:]) {
        self.entrypoint = entrypoint
        self.environment = environment
    }

    /// Parses `IMAGE=COMMAND` (COMMAND split on spaces). Airbyte connector images set
    /// `AIRBYTE_ENTRYPOINT` to their entrypoint, and worker pods rely on it, so the mapped
    /// image sets it too.
    public static func parseMapping(_ text: String) -> (image: String, local: LocalImage)? {
        guard let eq = text.firstIndex(of: "=") else { return nil }
        let image = String(text[..<eq]).trimmingCharacters(in: .whitespaces)
        let command = text[text.index(after: eq)...].split(separator: " ").map(String.init)
        guard !image.isEmpty, !command.isEmpty else { return nil }
        return (image, LocalImage(entrypoint: command, environment: ["AIRBYTE_ENTRYPOINT": command.joined(separator: " ")]))
    }
}

public struct NodeAgentConfiguration: Sendable {
    /// The Node object's name; the agent runs the pods whose `spec.nodeName` is this.
    public var nodeName: String
    public var mode: ContainerRuntimeMode
    /// Image → local entrypoint. Looked up by the full reference, then without tag/digest.
    public var images: [String: LocalImage]
    /// Bind pods that have no node and the default scheduler to this node (no scheduler in `ferry dev`).
    public var scheduleUnassigned: Bool
    /// Where per-pod directories (volumes, logs) are created; nil makes a temporary one
    /// that the agent removes when it stops.
    public var workDirectory: String?
    /// The executable that `ferry` as argv[0] means (default: the running executable).
    public var ferryExecutable: String?
    /// Added to every container's environment before the pod's own (e.g. KUBECONFIG in `ferry dev`).
    public var extraEnvironment: [String: String]
    /// Node capacity reported in `status.capacity` / `allocatable`.
    public var capacity: [String: String]
    /// How often the node Lease is renewed.
    public var heartbeatInterval: Duration
    /// How often a pod whose Secret/ConfigMap is missing is retried.
    public var configRetryInterval: Duration
    /// Grace given to processes when the agent itself stops, before SIGKILL.
    public var shutdownGracePeriod: Duration
    /// How often local pods' processes are read for metrics.k8s.io; also the window the
    /// usage covers (simulated pods report it as theirs).
    public var metricsInterval: Duration
    public var clock: any RuntimeClock

    public init(
        nodeName: String, mode: ContainerRuntimeMode = .local, images: [String: LocalImage] = [:], scheduleUnassigned: Bool = false,
        workDirectory: String? = nil, ferryExecutable: String? = nil, extraEnvironment: [String: String] = [:],
        capacity: [String: String] = ["cpu": "8", "memory": "16Gi", "pods": "110"], heartbeatInterval: Duration = .seconds(10),
        configRetryInterval: Duration = .seconds(2), shutdownGracePeriod: Duration = .seconds(2), metricsInterval: Duration = .seconds(5),
        clock: any RuntimeClock = SystemClock()
    ) {
        self.nodeName = nodeName
        self.mode = mode
        self.images = images
        self.scheduleUnassigned = scheduleUnassigned
        self.workDirectory = workDirectory
        self.ferryExecutable = ferryExecutable
        self.extraEnvironment = extraEnvironment
        self.capacity = capacity
        self.heartbeatInterval = heartbeatInterval
        self.configRetryInterval = configRetryInterval
        self.shutdownGracePeriod = shutdownGracePeriod
        self.metricsInterval = metricsInterval
        self.clock = clock
    }

    /// The local meaning of `image`: exact match, then the repository without tag or digest.
    func localImage(_ image: String) -> LocalImage? {
        if let exact = images[image] { return exact }
        var repository = image
        if let at = repository.firstIndex(of: "@") { repository = String(repository[..<at]) }
        if let colon = repository.lastIndex(of: ":"), !repository[colon...].contains("/") {
            repository = String(repository[..<colon])
        }
        return images[repository]
    }
}

/// Annotations that script a simulated container.
public enum SimulationAnnotations {
    public static let exitCode = "ferry.dev/simulate-exit-code"
    public static let durationSeconds = "ferry.dev/simulate-duration-seconds"
    public static let terminationMessage = "ferry.dev/simulate-termination-message"
    /// CPU a running simulated container reports to metrics.k8s.io, a quantity (`250m`).
    public static let cpu = "ferry.dev/simulate-cpu"
    /// Memory a running simulated container reports to metrics.k8s.io, a quantity (`128Mi`).
    public static let memory = "ferry.dev/simulate-memory"
}

/// Reasons the local runtime reports beyond the kubelet's own.
public enum LocalRuntimeReasons {
    /// A container without `command` whose image has no `--image-command` mapping; like
    /// ErrImagePull, the container never starts.
    public static let imageNotMapped = "ImageNotMapped"
}
