/// The containers and volumes of a worker pod: init (named pipes), source, destination
/// and orchestrator, each a `sh -c` wrapper from WorkerScripts.
import FerryAPI
import KubeCore

struct ContainerParts {
    typealias L = WorkerPodLayout
    var defaults: OperatorDefaults
    var securityContext: JSONValue?
    /// `refresh: clear`: no source container, the relay reads an empty input.
    var clear: Bool
    var hasState: Bool
    /// The destination reads its own catalog, and the relay renames records and states.
    var renamesStreams: Bool
    /// `NAMESPACE/NAME` of the attempt's progress ConfigMap.
    var progressConfigMap: String

    func initContainer(resources: JSONValue?) -> JSONValue {
        let pipes = (clear ? [] : [L.sourceOutPipe]) + [L.destinationInPipe, L.destinationOutPipe]
        return container(name: L.initContainer, image: defaults.orchestratorImage,
                         script: WorkerScripts.initScript(pipes: pipes.map(L.pipePath)), configVolume: nil, resources: resources)
    }

    func connector(role: String, spec: ConnectorSpec, resources: JSONValue?) throws(WorkerPodBuildError) -> JSONValue {
        let isSource = role == L.sourceContainer
        guard !spec.image.isEmpty else {
            throw WorkerPodBuildError("the \(isSource ? "Source" : "Destination") has no spec.image")
        }
        var arguments: [String]
        if isSource {
            arguments = ["read", "--config", L.configPath(L.sourceConfigFile), "--catalog", L.configPath(L.catalogFile)]
            if hasState { arguments += ["--state", L.configPath(L.stateFile)] }
        } else {
            arguments = ["write", "--config", L.configPath(L.destinationConfigFile),
                         "--catalog", L.configPath(renamesStreams ? L.destinationCatalogFile : L.catalogFile)]
        }
        let command = spec.command ?? []
        let wrapper = WorkerScripts.ConnectorWrapper(
            role: role,
            entrypoint: command.isEmpty ? .airbyteEntrypoint : .command(command),
            arguments: arguments,
            stdinPath: isSource ? nil : L.pipePath(L.destinationInPipe),
            stdoutPath: L.pipePath(isSource ? L.sourceOutPipe : L.destinationOutPipe),
            stopMarkerPath: L.pipePath(L.stopMarker),
            pollSeconds: defaults.stopMarkerPollSeconds,
            graceSeconds: defaults.connectorStopGraceSeconds
        )
        return container(name: role, image: spec.image, script: WorkerScripts.connectorScript(wrapper),
                         configVolume: isSource ? L.sourceConfigVolume : L.destinationConfigVolume, resources: resources)
    }

    func orchestrator(connection: Connection, resources: JSONValue?) throws(WorkerPodBuildError) -> JSONValue {
        let silence = connection.spec.effectiveTimeouts.effectiveSourceSilence
        guard let seconds = DurationSyntax.seconds(silence), seconds > 0 else {
            throw WorkerPodBuildError("Connection spec.timeouts.sourceSilence \"\(silence)\" is not a positive duration such as 3h")
        }
        // `clear`: an empty source, only each stream's COMPLETE status, so the destination
        // (every stream in overwrite mode) replaces each stream with nothing.
        let source = clear
            ? ["--source-command", [defaults.ferryCommand, "worker", "empty-source", "--catalog", L.configPath(L.catalogFile)]
                .map(WorkerScripts.shellQuote).joined(separator: " ")]
            : ["--source-stdout", L.pipePath(L.sourceOutPipe)]
        var relay = [defaults.ferryCommand, "worker", "relay"] + source + [
            "--destination-stdin", L.pipePath(L.destinationInPipe),
            "--destination-stdout", L.pipePath(L.destinationOutPipe),
            "--catalog", L.configPath(L.catalogFile),
        ]
        if renamesStreams { relay += ["--destination-catalog", L.configPath(L.destinationCatalogFile)] }
        if hasState { relay += ["--state", L.configPath(L.stateFile)] }
        relay += ["--stop-marker", L.pipePath(L.stopMarker), "--source-silence-timeout", Self.seconds(seconds),
                  "--progress-configmap", progressConfigMap]
        let script = WorkerScripts.orchestratorScript(
            relayArgv: relay, summaryPath: L.pipePath(L.summaryFile),
            stopMarkerPath: L.pipePath(L.stopMarker), terminationMessagePath: L.terminationMessagePath)
        var orchestrator = container(name: L.orchestratorContainer, image: defaults.orchestratorImage, script: script,
                                     configVolume: L.orchestratorConfigVolume, resources: resources)
        orchestrator["volumeMounts"] = .array((orchestrator["volumeMounts"].arrayValue ?? []) + [[
            "name": .string(L.apiAccessVolume), "mountPath": .string(L.serviceAccountMountPath), "readOnly": true,
        ]])
        return orchestrator
    }

    func container(name: String, image: String, script: String, configVolume: String?, resources: JSONValue?) -> JSONValue {
        var mounts: [JSONValue] = [["name": .string(L.pipesVolume), "mountPath": .string(L.pipesMountPath)]]
        if let configVolume {
            mounts.append(["name": .string(configVolume), "mountPath": .string(L.configMountPath), "readOnly": true])
        }
        var c: [String: JSONValue] = [
            "name": .string(name),
            "image": .string(image),
            "command": ["sh", "-c", .string(script)],
            "volumeMounts": .array(mounts),
            "terminationMessagePath": .string(L.terminationMessagePath),
            // A failed connector's last log lines become its termination message.
            "terminationMessagePolicy": "FallbackToLogsOnError",
        ]
        if let resources { c["resources"] = resources }
        if let securityContext { c["securityContext"] = securityContext }
        return .object(c)
    }

    /// Whole seconds without a fraction, as the relay's flag is printed.
    static func seconds(_ s: Double) -> String {
        s.rounded() == s && s < 1e15 ? String(Int64(s)) : String(s)
    }
}

extension WorkerPodBuilder {
    /// The pipes emptyDir and one Secret volume per container, each projecting only the
    /// keys its container reads. The config is mounted straight from the per-sync Secret
    /// (tmpfs on the node, like a memory-backed emptyDir, and no copy step) with mode
    /// 0444: connector images run as different non-root users, which cannot read the
    /// kubelet's root-owned 0400 files without an fsGroup a user's securityContext may
    /// drop; only this pod's containers mount the volume, each with only its own keys.
    static func volumes(secretName: String, clear: Bool, hasState: Bool, renamesStreams: Bool = false) -> [JSONValue] {
        typealias L = WorkerPodLayout
        func secretVolume(_ name: String, _ keys: [String]) -> JSONValue {
            ["name": .string(name), "secret": [
                "secretName": .string(secretName),
                "defaultMode": .int(0o444),
                "items": .array(keys.map { ["key": .string($0), "path": .string($0)] }),
            ]]
        }
        let state = hasState ? [L.stateFile] : []
        var volumes: [JSONValue] = [["name": .string(L.pipesVolume), "emptyDir": .emptyObject]]
        if !clear { volumes.append(secretVolume(L.sourceConfigVolume, [L.sourceConfigFile, L.catalogFile] + state)) }
        let destinationCatalog = renamesStreams ? [L.destinationCatalogFile] : []
        volumes.append(secretVolume(L.destinationConfigVolume, [L.destinationConfigFile] + (renamesStreams ? destinationCatalog : [L.catalogFile])))
        volumes.append(secretVolume(L.orchestratorConfigVolume, [L.catalogFile] + destinationCatalog + state))
        volumes.append(apiAccessVolume())
        return volumes
    }

    /// What `automountServiceAccountToken` would mount (a bound, expiring token, the
    /// cluster CA, the namespace), for the orchestrator only. The CA is optional so a
    /// server that does not publish `kube-root-ca.crt` still starts the pod.
    static func apiAccessVolume() -> JSONValue {
        ["name": .string(WorkerPodLayout.apiAccessVolume), "projected": [
            "defaultMode": .int(0o444),
            "sources": [
                ["serviceAccountToken": ["path": "token", "expirationSeconds": 3607]],
                ["configMap": ["name": "kube-root-ca.crt", "optional": true, "items": [["key": "ca.crt", "path": "ca.crt"]]]],
                ["downwardAPI": ["items": [["path": "namespace", "fieldRef": ["apiVersion": "v1", "fieldPath": "metadata.namespace"]]]]],
            ],
        ]]
    }
}
