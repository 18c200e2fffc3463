/// The probe pod builder: a pure function from a Source or Destination, its rendered
/// config and the operator defaults to a short-lived Pod running the connector's `check`
/// or `discover`, built from the worker pod's parts (init container making the pipe,
/// connector wrapper, orchestrator wrapper, restricted security, resources precedence,
/// the operator's node selector and tolerations).
import FerryAPI
import Foundation
import KubeCore

/// Source or Destination: what differs between the two kinds of probed connectors.
public struct ConnectorProbeKind: Sendable, Hashable {
    public var kind: String
    public var resourceType: ResourceType
    /// The connector container's name, as in a worker pod.
    public var container: String
    public var configVolume: String
    public var configFile: String
    /// Sources are discovered after a passing check.
    public var discovers: Bool

    public static let source = ConnectorProbeKind(
        kind: "Source", resourceType: Source.resourceType, container: WorkerPodLayout.sourceContainer,
        configVolume: WorkerPodLayout.sourceConfigVolume, configFile: WorkerPodLayout.sourceConfigFile, discovers: true)
    public static let destination = ConnectorProbeKind(
        kind: "Destination", resourceType: Destination.resourceType, container: WorkerPodLayout.destinationContainer,
        configVolume: WorkerPodLayout.destinationConfigVolume, configFile: WorkerPodLayout.destinationConfigFile, discovers: false)

    /// The `ferry.dev/source` or `ferry.dev/destination` label naming the probed object.
    public var ownerLabel: String { "ferry.dev/" + kind.lowercased() }
}

/// A probe's Pod, its config Secret and (discover) its result ConfigMap, ready to create.
public struct ConnectorProbeManifests: Sendable, Hashable {
    public var podName: String
    public var secretName: String
    public var pod: JSONValue
    public var secret: JSONValue
    public var catalogConfigMap: JSONValue?
}

public enum ConnectorProbePod {
    /// `ferry.dev/probe=check|discover` on every probe object; the pod watch selects on it.
    public static let probeLabel = "ferry.dev/probe"
    public static let probeName = "ferry-probe"
    /// The connector's stdout, read by `ferry worker probe`.
    public static let outputPipe = "connector-out"
    /// The kubelet stops a probe running longer than this (a hung connector): `check` and
    /// `discover` take seconds to minutes even on large databases.
    public static let activeDeadlineSeconds: Int64 = 1800

    /// `<name>-<action>-<generation>-<round>`, cut with a stable hash to 63 characters.
    /// `round` is the Unix time of the check the probe follows (0 for the first), so each
    /// check of a generation gets its own, deterministic name.
    public static func podName(connector: String, action: ConnectorProbeAction, generation: Int64, round: Int64) -> String {
        WorkerPodNaming.podName(sync: "\(connector)-\(action.rawValue)-\(generation)", attempt: Int(round))
    }

    public static func labels(kind: ConnectorProbeKind, connector: String, action: ConnectorProbeAction) -> [String: String] {
        [
            FerryLabels.managedBy: FerryLabels.managedByValue,
            FerryLabels.name: probeName,
            kind.ownerLabel: WorkerPodNaming.labelValue(connector),
            probeLabel: action.rawValue,
        ]
    }

    /// Builds the probe of `metadata`/`spec` (a `kind`) for `action`. Same inputs,
    /// byte-identical output.
    public static func build(
        kind: ConnectorProbeKind, metadata: ObjectMeta, spec: ConnectorSpec, action: ConnectorProbeAction,
        round: Int64, renderedConfig: JSONValue, defaults: OperatorDefaults
    ) throws(WorkerPodBuildError) -> ConnectorProbeManifests {
        typealias L = WorkerPodLayout
        guard let name = metadata.name, !name.isEmpty else { throw WorkerPodBuildError("the \(kind.kind) has no metadata.name") }
        guard let namespace = metadata.namespace, !namespace.isEmpty else { throw WorkerPodBuildError("\(kind.kind) \(name) has no metadata.namespace") }
        guard let uid = metadata.uid, !uid.isEmpty else { throw WorkerPodBuildError("\(kind.kind) \(namespace)/\(name) has no metadata.uid") }
        guard action == .check || kind.discovers else { throw WorkerPodBuildError("a \(kind.kind) has no discover") }
        guard !spec.image.isEmpty else { throw WorkerPodBuildError("the \(kind.kind) has no spec.image") }

        let podName = self.podName(connector: name, action: action, generation: metadata.generation ?? 0, round: round)
        let secretName = WorkerPodNaming.secretName(podName: podName)
        let labels = self.labels(kind: kind, connector: name, action: action)
        let owner: JSONValue = [[
            "apiVersion": .string(FerryAPI.apiVersion), "kind": .string(kind.kind), "name": .string(name),
            "uid": .string(uid), "controller": true, "blockOwnerDeletion": true,
        ]]
        // No Connection, so no podTemplate: the operator's security default as is.
        let security = try WorkerPodSecurity.contexts(restricted: defaults.restrictedSecurityContext, override: nil)
        let d = defaults.resources
        let connectorResources = try WorkerPodBuilder.json(ResourceMerge.merge([spec.resources, kind.discovers ? d.source : d.destination]), "\(kind.container) resources")
        let orchestratorResources = try WorkerPodBuilder.json(ResourceMerge.merge([d.orchestrator]), "orchestrator resources")
        // Only the generic container shape of the worker pod's parts is used here.
        let parts = ContainerParts(defaults: defaults, securityContext: security.container, clear: false, hasState: false,
                                   renamesStreams: false, progressConfigMap: "")
        let pipe = L.pipePath(outputPipe)
        let command = spec.command ?? []
        let wrapper = WorkerScripts.ConnectorWrapper(
            role: kind.container, entrypoint: command.isEmpty ? .airbyteEntrypoint : .command(command),
            arguments: [action.rawValue, "--config", L.configPath(kind.configFile)],
            stdoutPath: pipe, stopMarkerPath: L.pipePath(L.stopMarker),
            pollSeconds: defaults.stopMarkerPollSeconds, graceSeconds: defaults.connectorStopGraceSeconds)
        let catalogName = action == .discover ? podName : nil
        var probe = [defaults.ferryCommand, "worker", "probe", "--action", action.rawValue, "--connector-stdout", pipe]
        if let catalogName { probe += ["--catalog-configmap", "\(namespace)/\(catalogName)"] }
        var orchestrator = parts.container(
            name: L.orchestratorContainer, image: defaults.orchestratorImage,
            script: WorkerScripts.orchestratorScript(relayArgv: probe, summaryPath: L.pipePath(L.summaryFile),
                                                     stopMarkerPath: L.pipePath(L.stopMarker), terminationMessagePath: L.terminationMessagePath),
            configVolume: nil, resources: orchestratorResources)
        var volumes: [JSONValue] = [
            ["name": .string(L.pipesVolume), "emptyDir": .emptyObject],
            ["name": .string(kind.configVolume), "secret": [
                "secretName": .string(secretName), "defaultMode": .int(0o444),
                "items": [["key": .string(kind.configFile), "path": .string(kind.configFile)]],
            ]],
        ]
        if catalogName != nil {
            // Only `discover` talks to the API server (to fill its ConfigMap).
            orchestrator["volumeMounts"] = .array((orchestrator["volumeMounts"].arrayValue ?? []) + [[
                "name": .string(L.apiAccessVolume), "mountPath": .string(L.serviceAccountMountPath), "readOnly": true,
            ]])
            volumes.append(WorkerPodBuilder.apiAccessVolume())
        }
        var podSpec: [String: JSONValue] = [
            "restartPolicy": "Never",
            "initContainers": [parts.container(name: L.initContainer, image: defaults.orchestratorImage,
                                               script: WorkerScripts.initScript(pipes: [pipe]), configVolume: nil, resources: orchestratorResources)],
            "containers": [
                parts.container(name: kind.container, image: spec.image, script: WorkerScripts.connectorScript(wrapper),
                                configVolume: kind.configVolume, resources: connectorResources),
                orchestrator,
            ],
            "volumes": .array(volumes),
            "automountServiceAccountToken": false,
            "enableServiceLinks": false,
            "activeDeadlineSeconds": .int(activeDeadlineSeconds),
        ]
        if let pod = security.pod { podSpec["securityContext"] = pod }
        // The operator's worker placement (no pool, no Connection): a probe must reach the
        // nodes the workers use, e.g. the only ones allowed to reach the database.
        podSpec.merge(try WorkerPodBuilder.scheduling(connection: nil, pool: nil, defaults: defaults)) { _, new in new }
        let pod: JSONValue = [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": [
                "name": .string(podName), "namespace": .string(namespace),
                "labels": .object(labels.mapValues(JSONValue.string)),
                "annotations": ["kubectl.kubernetes.io/default-container": .string(L.orchestratorContainer)],
                "ownerReferences": owner,
            ],
            "spec": .object(podSpec),
        ]
        let secret: JSONValue = [
            "apiVersion": "v1", "kind": "Secret",
            "metadata": [
                "name": .string(secretName), "namespace": .string(namespace),
                "labels": .object(labels.mapValues(JSONValue.string)), "ownerReferences": owner,
            ],
            "type": "Opaque",
            "immutable": true,
            "data": .object([kind.configFile: .string(Data(renderedConfig.serializedBytes()).base64EncodedString())]),
        ]
        let catalog = catalogName.map { ConnectorProbeCatalogConfigMap.initial(name: $0, namespace: namespace, labels: labels, ownerReferences: owner) }
        return ConnectorProbeManifests(podName: podName, secretName: secretName, pod: pod, secret: secret, catalogConfigMap: catalog)
    }
}
