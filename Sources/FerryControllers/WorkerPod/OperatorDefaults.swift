/// Operator-wide settings of worker pods (filled from the operator's flags / Helm values):
/// the orchestrator image, the last level of the resources and placement precedences, and
/// the security defaults.
import FerryAPI

public struct OperatorDefaults: Sendable, Hashable {
    /// Image of the init and orchestrator containers: the operator's own image.
    public var orchestratorImage: String
    /// How the orchestrator's shell runs Ferry; `ferry dev` may point it at its own binary.
    public var ferryCommand: String
    /// The lowest level of the resources precedence.
    public var resources: WorkerResources
    /// The lowest level of placement (Airbyte's JOB_KUBE_NODE_SELECTORS): a WorkerPool's
    /// template and a Connection's podTemplate override it key by key.
    public var nodeSelector: [String: String]
    /// The first tolerations of every worker, probe and placeholder pod (Airbyte's
    /// JOB_KUBE_TOLERATIONS); the pool's and the Connection's are appended.
    public var tolerations: [Toleration]
    /// When true (the default) every worker pod gets the restricted Pod Security profile;
    /// a Connection's `podTemplate.securityContext` still overrides it key by key.
    public var restrictedSecurityContext: Bool
    /// Seconds between the stop marker and SIGKILL for a connector that ignores SIGTERM.
    public var connectorStopGraceSeconds: Int
    /// How often the connector wrappers look for the stop marker.
    public var stopMarkerPollSeconds: Int

    public init(
        orchestratorImage: String,
        ferryCommand: String = "ferry",
        resources: WorkerResources = OperatorDefaults.airbyteResources,
        nodeSelector: [String: String] = [:],
        tolerations: [Toleration] = [],
        restrictedSecurityContext: Bool = true,
        connectorStopGraceSeconds: Int = 10,
        stopMarkerPollSeconds: Int = 1
    ) {
        self.orchestratorImage = orchestratorImage
        self.ferryCommand = ferryCommand
        self.resources = resources
        self.nodeSelector = nodeSelector
        self.tolerations = tolerations
        self.restrictedSecurityContext = restrictedSecurityContext
        self.connectorStopGraceSeconds = connectorStopGraceSeconds
        self.stopMarkerPollSeconds = stopMarkerPollSeconds
    }

    /// Airbyte's connector defaults (requests 0.5 CPU / 1Gi, limits 1 CPU / 2Gi). The
    /// orchestrator is far below Airbyte's 1 CPU / 2Gi: the relay moves ≥ 400 MB/s per
    /// core while the fastest measured source emits ~50 MB/s, so a busy relay needs about
    /// a tenth of a core (request 100m); the limit stays at 1 CPU so a fast source is not
    /// throttled. Memory: the relay streams, but one line may be up to 64 MiB
    /// (`--max-line-bytes`) and is buffered whole, hence 128Mi requested, 512Mi limit.
    public static let airbyteResources = WorkerResources(
        orchestrator: ResourceRequirements(limits: ["cpu": "1", "memory": "512Mi"], requests: ["cpu": "100m", "memory": "128Mi"]),
        source: ResourceRequirements(limits: ["cpu": "1", "memory": "2Gi"], requests: ["cpu": "500m", "memory": "1Gi"]),
        destination: ResourceRequirements(limits: ["cpu": "1", "memory": "2Gi"], requests: ["cpu": "500m", "memory": "1Gi"])
    )
}
