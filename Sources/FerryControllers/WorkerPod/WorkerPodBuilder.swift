/// The worker pod builder: a pure function from a Sync, its Connection, Source,
/// Destination, WorkerPool and the operator defaults to the attempt's Pod and per-sync
/// Secret (DESIGN.md, "The worker Pod").
import FerryAPI
import KubeCore

public enum WorkerPodBuilder {
    /// Builds attempt `attempt` (1-based) of `sync`. Same inputs, byte-identical output.
    ///
    /// `refresh: refresh` and `refresh: clear` ignore `inputs.inputState`; `clear` builds a
    /// destination-only pod whose orchestrator feeds the destination an empty input.
    public static func build(
        sync: Sync, connection: Connection, source: Source, destination: Destination,
        pool: WorkerPool?, defaults: OperatorDefaults, attempt: Int, inputs: RenderedInputs
    ) throws(WorkerPodBuildError) -> WorkerPodManifests {
        guard let syncName = sync.metadata.name, !syncName.isEmpty else { throw WorkerPodBuildError("the Sync has no metadata.name") }
        guard let namespace = sync.metadata.namespace, !namespace.isEmpty else { throw WorkerPodBuildError("Sync \(syncName) has no metadata.namespace") }
        guard let uid = sync.metadata.uid, !uid.isEmpty else {
            throw WorkerPodBuildError("Sync \(namespace)/\(syncName) has no metadata.uid, which the owner reference needs")
        }
        guard attempt >= 1 else { throw WorkerPodBuildError("attempt numbers start at 1, got \(attempt)") }
        let refresh = sync.spec.effectiveRefresh
        let clear = refresh == .clear
        let state = refresh == .none ? inputs.inputState.flatMap { $0.isNull ? JSONValue?.none : $0 } : nil

        let podName = WorkerPodNaming.podName(sync: syncName, attempt: attempt)
        let secretName = WorkerPodNaming.secretName(podName: podName)
        let labels = self.labels(sync: syncName, connection: connection, attempt: attempt)
        let owner: JSONValue = [[
            "apiVersion": .string(sync.apiVersion), "kind": .string(sync.kind), "name": .string(syncName),
            "uid": .string(uid), "controller": true, "blockOwnerDeletion": true,
        ]]
        let template = connection.spec.podTemplate
        let security = try WorkerPodSecurity.contexts(restricted: defaults.restrictedSecurityContext, override: template?.securityContext)
        let resources = try self.resources(connection: connection, source: source, destination: destination, pool: pool, defaults: defaults)

        var podLabels = template?.labels ?? [:]
        podLabels.merge(labels) { _, ours in ours }
        var annotations = template?.annotations ?? [:]
        annotations["kubectl.kubernetes.io/default-container"] = WorkerPodLayout.orchestratorContainer

        let progressName = AttemptProgressConfigMap.name(podName: podName)
        let parts = ContainerParts(defaults: defaults, securityContext: security.container, clear: clear, hasState: state != nil,
                                   renamesStreams: inputs.destinationCatalog != nil,
                                   progressConfigMap: "\(namespace)/\(progressName)")
        var containers: [JSONValue] = []
        if !clear {
            containers.append(try parts.connector(role: WorkerPodLayout.sourceContainer, spec: source.spec, resources: resources.source))
        }
        containers.append(try parts.connector(role: WorkerPodLayout.destinationContainer, spec: destination.spec, resources: resources.destination))
        containers.append(try parts.orchestrator(connection: connection, resources: resources.orchestrator))

        var spec: [String: JSONValue] = [
            "restartPolicy": "Never",
            "initContainers": [parts.initContainer(resources: resources.orchestrator)],
            "containers": .array(containers),
            "volumes": .array(volumes(secretName: secretName, clear: clear, hasState: state != nil,
                                              renamesStreams: inputs.destinationCatalog != nil)),
            // Connectors have no business with the Kubernetes API, and hundreds of
            // service links would only pollute their environment. The orchestrator alone
            // mounts a token (WorkerPodLayout.apiAccessVolume) to report its progress.
            "automountServiceAccountToken": false,
            "enableServiceLinks": false,
            "activeDeadlineSeconds": .int(try activeDeadlineSeconds(connection)),
        ]
        if let pod = security.pod { spec["securityContext"] = pod }
        spec.merge(try scheduling(connection: template, pool: pool?.spec.template, defaults: defaults)) { _, new in new }

        let pod: JSONValue = [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": [
                "name": .string(podName), "namespace": .string(namespace),
                "labels": .object(podLabels.mapValues(JSONValue.string)),
                "annotations": .object(annotations.mapValues(JSONValue.string)),
                "ownerReferences": owner,
            ],
            "spec": .object(spec),
        ]
        let secret = WorkerSecret.secret(name: secretName, namespace: namespace, labels: labels, owner: owner, inputs: inputs, clear: clear, state: state)
        let progress = AttemptProgressConfigMap.initial(name: progressName, namespace: namespace, labels: labels, ownerReferences: owner)
        return WorkerPodManifests(podName: podName, secretName: secretName, pod: pod, secret: secret, progressConfigMap: progress)
    }

    /// The operator-wide labels (API.md), every value shortened to fit a label value.
    public static func labels(sync: String, connection: Connection, attempt: Int) -> [String: String] {
        [
            FerryLabels.managedBy: FerryLabels.managedByValue,
            FerryLabels.name: FerryLabels.workerName,
            FerryLabels.connection: WorkerPodNaming.labelValue(connection.metadata.name ?? ""),
            FerryLabels.sync: WorkerPodNaming.labelValue(sync),
            FerryLabels.attempt: String(attempt),
            FerryLabels.pool: WorkerPodNaming.labelValue(connection.spec.effectiveWorkerPool),
        ]
    }

    /// Resources per container: Connection > Source/Destination > WorkerPool template >
    /// operator defaults (the orchestrator has no connector level).
    static func resources(connection: Connection, source: Source, destination: Destination, pool: WorkerPool?, defaults: OperatorDefaults) throws(WorkerPodBuildError) -> (source: JSONValue?, destination: JSONValue?, orchestrator: JSONValue?) {
        let c = connection.spec.resources, p = pool?.spec.template?.resources, d = defaults.resources
        return (
            try json(ResourceMerge.merge([c?.source, source.spec.resources, p?.source, d.source]), "source resources"),
            try json(ResourceMerge.merge([c?.destination, destination.spec.resources, p?.destination, d.destination]), "destination resources"),
            try json(ResourceMerge.merge([c?.orchestrator, p?.orchestrator, d.orchestrator]), "orchestrator resources")
        )
    }

    /// A backstop for the kubelet when the operator cannot enforce its own timeouts (it is
    /// down): the pod-start timeout plus the attempt timeout, counted by the kubelet from
    /// the pod's start.
    static func activeDeadlineSeconds(_ connection: Connection) throws(WorkerPodBuildError) -> Int64 {
        let t = connection.spec.effectiveTimeouts
        guard let attempt = DurationSyntax.seconds(t.effectiveAttempt), let start = DurationSyntax.seconds(t.effectivePodStart) else {
            throw WorkerPodBuildError("Connection spec.timeouts.attempt \"\(t.effectiveAttempt)\" or podStart \"\(t.effectivePodStart)\" is not a duration such as 72h or 15m")
        }
        return Int64((attempt + start).rounded(.up))
    }

    static func json(_ value: some Encodable, _ what: String) throws(WorkerPodBuildError) -> JSONValue {
        do { return try JSONValue(encoding: value) } catch { throw WorkerPodBuildError("encoding \(what): \(error)") }
    }

    static func json(_ value: (some Encodable)?, _ what: String) throws(WorkerPodBuildError) -> JSONValue? {
        guard let value else { return nil }
        let encoded: JSONValue = try json(value, what)
        return encoded
    }
}
