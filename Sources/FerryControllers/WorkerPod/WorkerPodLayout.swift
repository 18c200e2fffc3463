/// The fixed shape of a worker Pod: container names, mount paths, pipe and file names,
/// label keys. The Sync controller, the pod sweeper and the local runtime refer to these.
public enum WorkerPodLayout {
    public static let initContainer = "init"
    public static let sourceContainer = "source"
    public static let destinationContainer = "destination"
    public static let orchestratorContainer = "orchestrator"

    /// Distinctive mount paths: the local runtime rewrites mount paths inside commands, so
    /// they must not occur by accident in a user's connector command.
    public static let configMountPath = "/ferry/config"
    public static let pipesMountPath = "/ferry/pipes"

    public static let pipesVolume = "pipes"
    /// One Secret volume per container, each projecting only the keys that container
    /// needs: the source never sees the destination's credentials, and vice versa.
    public static let sourceConfigVolume = "source-config"
    public static let destinationConfigVolume = "destination-config"
    public static let orchestratorConfigVolume = "orchestrator-config"
    /// The orchestrator's service account token, CA and namespace, where in-cluster
    /// clients look for them.
    public static let apiAccessVolume = "kube-api-access"
    public static let serviceAccountMountPath = "/var/run/secrets/kubernetes.io/serviceaccount"

    public static let sourceConfigFile = "source.json"
    public static let destinationConfigFile = "destination.json"
    public static let catalogFile = "catalog.json"
    /// Only when the Connection renames streams: the destination's own catalog.
    public static let destinationCatalogFile = "destination-catalog.json"
    public static let stateFile = "state.json"

    public static let sourceOutPipe = "source-out"
    public static let destinationInPipe = "destination-in"
    public static let destinationOutPipe = "destination-out"
    /// Written when the orchestrator exits; the connector wrappers stop their connector.
    public static let stopMarker = "stop"
    /// The relay's JSON summary, copied to the orchestrator's termination message.
    public static let summaryFile = "summary.json"

    /// The kubelet's default; set explicitly so the wrapper script and the spec agree.
    public static let terminationMessagePath = "/dev/termination-log"

    public static func configPath(_ file: String) -> String { configMountPath + "/" + file }
    public static func pipePath(_ file: String) -> String { pipesMountPath + "/" + file }
}

/// Label keys on every object the operator creates for a sync (API.md, operator-wide).
public enum FerryLabels {
    public static let managedBy = "app.kubernetes.io/managed-by"
    public static let managedByValue = "ferry"
    public static let name = "app.kubernetes.io/name"
    public static let workerName = "ferry-worker"
    public static let connection = "ferry.dev/connection"
    public static let sync = "ferry.dev/sync"
    public static let attempt = "ferry.dev/attempt"
    public static let pool = "ferry.dev/pool"
}
