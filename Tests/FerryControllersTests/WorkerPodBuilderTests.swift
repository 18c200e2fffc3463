/// The worker pod builder's Pod and Secret as values: names, labels, owner references,
/// containers and their commands, volumes, state, `refresh` modes, determinism, errors.
import AirbyteProtocol
import FerryAPI
import Foundation
import KubeCore
import Testing
@testable import FerryControllers

@Suite struct WorkerPodBuilderTests {
    typealias F = WorkerPodFixtures

    @Test func namesLabelsAndOwner() throws {
        let m = try F.build(attempt: 3)
        #expect(m.podName == "shop-sync-1-3")
        #expect(m.secretName == "shop-sync-1-3-config")
        #expect(m.pod["metadata"]["name"] == "shop-sync-1-3")
        #expect(m.pod["metadata"]["namespace"] == "data")
        #expect(m.pod["spec"]["restartPolicy"] == "Never")
        let expectedLabels: [String: String] = [
            "app.kubernetes.io/managed-by": "ferry", "app.kubernetes.io/name": "ferry-worker",
            "ferry.dev/connection": "shop", "ferry.dev/sync": "shop-sync-1", "ferry.dev/attempt": "3", "ferry.dev/pool": "default",
        ]
        #expect(m.pod.labels == expectedLabels)
        #expect(m.secret.labels == expectedLabels)
        let owner: JSONValue = [["apiVersion": "ferry.dev/v1alpha1", "kind": "Sync", "name": "shop-sync-1", "uid": "uid-123", "controller": true, "blockOwnerDeletion": true]]
        #expect(m.pod["metadata"]["ownerReferences"] == owner)
        #expect(m.secret["metadata"]["ownerReferences"] == owner)
        #expect(m.secret["metadata"]["name"] == "shop-sync-1-3-config")
        #expect(m.secret["metadata"]["namespace"] == "data")
        #expect(m.secret["immutable"] == true)
    }

    @Test func poolLabelFollowsTheConnection() throws {
        let m = try F.build(connection: F.connection { $0.workerPool = "etl" })
        #expect(m.pod.labels["ferry.dev/pool"] == "etl")
    }

    @Test func templateLabelsAndAnnotationsMergeOursWin() throws {
        let c = F.connection {
            $0.podTemplate = PodTemplateOverrides(labels: ["team": "data", "ferry.dev/sync": "spoofed", "app.kubernetes.io/managed-by": "helm"],
                                                  annotations: ["cost-center": "42"])
        }
        let m = try F.build(connection: c)
        #expect(m.pod.labels["team"] == "data")
        #expect(m.pod.labels["ferry.dev/sync"] == "shop-sync-1")
        #expect(m.pod.labels["app.kubernetes.io/managed-by"] == "ferry")
        #expect(m.pod.annotations == ["cost-center": "42", "kubectl.kubernetes.io/default-container": "orchestrator"])
        // Template labels are for the pod; the Secret carries only ours.
        #expect(m.secret.labels["team"] == nil)
    }

    @Test func longSyncNamesFitAndStayDistinct() throws {
        let long = String(repeating: "a", count: 70)
        let a = try F.build(sync: F.sync(long), attempt: 12)
        let b = try F.build(sync: F.sync(long + "b"), attempt: 12)
        #expect(a.podName.count <= 63)
        #expect(a.podName.hasSuffix("-12"))
        #expect(a.podName != b.podName)
        #expect(a.pod.labels["ferry.dev/sync"]?.count ?? 99 <= 63)
        #expect(a.pod.labels["ferry.dev/sync"] == WorkerPodNaming.labelValue(long))
    }

    @Test func containersAndVolumes() throws {
        let pod = try F.build().pod
        #expect(pod["spec"]["initContainers"].arrayValue?.compactMap { $0["name"].stringValue } == ["init"])
        #expect(pod["spec"]["containers"].arrayValue?.compactMap { $0["name"].stringValue } == ["source", "destination", "orchestrator"])
        #expect(pod.container("source")?["image"] == "airbyte/source-postgres:3.6.28")
        #expect(pod.container("destination")?["image"] == "airbyte/destination-postgres:2.4.0")
        #expect(pod.container("orchestrator")?["image"] == "ghcr.io/ferry/ferry:1.0")
        #expect(pod.container("init")?["image"] == "ghcr.io/ferry/ferry:1.0")
        for name in ["init", "source", "destination", "orchestrator"] {
            let c = try #require(pod.container(name))
            #expect(c["command"].arrayValue?.prefix(2) == ["sh", "-c"])
            #expect(c["terminationMessagePolicy"] == "FallbackToLogsOnError")
            #expect(c["terminationMessagePath"] == "/dev/termination-log")
        }
        #expect(pod.container("init")?.script == "mkfifo -m 0666 /ferry/pipes/source-out /ferry/pipes/destination-in /ferry/pipes/destination-out")
        let volumes = pod["spec"]["volumes"].arrayValue ?? []
        let mounts = { (name: String) in pod.container(name)?["volumeMounts"].arrayValue?.compactMap { $0["name"].stringValue } ?? [] }
        #expect(mounts("init") == ["pipes"])
        #expect(mounts("source") == ["pipes", "source-config"])
        #expect(mounts("destination") == ["pipes", "destination-config"])
        // Only the orchestrator holds an API token: it reports progress to its ConfigMap.
        #expect(mounts("orchestrator") == ["pipes", "orchestrator-config", "kube-api-access"])
        #expect(pod.container("orchestrator")?["volumeMounts"].arrayValue?.last?["mountPath"] == "/var/run/secrets/kubernetes.io/serviceaccount")
        let token = volumes.first { $0["name"] == "kube-api-access" }?["projected"]["sources"].arrayValue?.first
        #expect(token?["serviceAccountToken"]["path"] == "token")
        #expect(pod.container("source")?["volumeMounts"].arrayValue?.last?["readOnly"] == true)
        #expect(volumes.first == ["name": "pipes", "emptyDir": [:]])
        let items = { (v: String) in volumes.first { $0["name"].stringValue == v }?["secret"]["items"].arrayValue?.compactMap { $0["key"].stringValue } }
        // Each container sees only its own configuration.
        #expect(items("source-config") == ["source.json", "catalog.json"])
        #expect(items("destination-config") == ["destination.json", "catalog.json"])
        #expect(items("orchestrator-config") == ["catalog.json"])
        #expect(volumes[1]["secret"]["secretName"] == "shop-sync-1-1-config")
        #expect(volumes[1]["secret"]["defaultMode"] == .int(0o444))
        #expect(pod["spec"]["automountServiceAccountToken"] == false)
        #expect(pod["spec"]["enableServiceLinks"] == false)
        // 72h attempt + 15m pod start, the kubelet's backstop.
        #expect(pod["spec"]["activeDeadlineSeconds"] == .int(72 * 3600 + 15 * 60))
    }

    @Test func connectorCommands() throws {
        let pod = try F.build().pod
        let source = try #require(pod.container("source")).script
        #expect(source.contains("exec $AIRBYTE_ENTRYPOINT read --config /ferry/config/source.json --catalog /ferry/config/catalog.json\n"))
        #expect(source.contains(">/ferry/pipes/source-out &"))
        #expect(source.contains("stop=/ferry/pipes/stop"))
        #expect(!source.contains("--state"))
        let destination = try #require(pod.container("destination")).script
        #expect(destination.contains("exec $AIRBYTE_ENTRYPOINT write --config /ferry/config/destination.json --catalog /ferry/config/catalog.json\n"))
        #expect(destination.contains(" </ferry/pipes/destination-in >/ferry/pipes/destination-out &"))
        let orchestrator = try #require(pod.container("orchestrator")).script
        #expect(orchestrator.contains("ferry worker relay --source-stdout /ferry/pipes/source-out --destination-stdin /ferry/pipes/destination-in --destination-stdout /ferry/pipes/destination-out --catalog /ferry/config/catalog.json --stop-marker /ferry/pipes/stop --source-silence-timeout 10800 --progress-configmap data/shop-sync-1-1 >\"$summary\" &"))
        #expect(orchestrator.contains(">/dev/termination-log"))
    }

    @Test func renamedStreamsGiveTheDestinationItsOwnCatalog() throws {
        var inputs = F.inputs()
        let renamed: JSONValue = ["streams": [["stream": ["name": "shop_users", "json_schema": [:], "supported_sync_modes": ["full_refresh"]],
                                               "sync_mode": "full_refresh", "destination_sync_mode": "append"]]]
        inputs.destinationCatalog = renamed
        let m = try F.build(inputs: inputs)
        #expect(try #require(m.pod.container("destination")).script.contains("--catalog /ferry/config/destination-catalog.json"))
        #expect(try #require(m.pod.container("orchestrator")).script.contains("--catalog /ferry/config/catalog.json --destination-catalog /ferry/config/destination-catalog.json"))
        #expect(try #require(m.pod.container("source")).script.contains("--catalog /ferry/config/catalog.json"))
        let volumes = m.pod["spec"]["volumes"].arrayValue ?? []
        let items = { (v: String) in volumes.first { $0["name"].stringValue == v }?["secret"]["items"].arrayValue?.compactMap { $0["key"].stringValue } }
        #expect(items("destination-config") == ["destination.json", "destination-catalog.json"])
        #expect(items("orchestrator-config") == ["catalog.json", "destination-catalog.json"])
        #expect(items("source-config") == ["source.json", "catalog.json"])
        #expect(m.secret["data"]["destination-catalog.json"].stringValue != nil)
        // Without renames nothing of it appears.
        let plain = try F.build()
        #expect(!(try #require(plain.pod.container("orchestrator")).script.contains("destination-catalog")))
        #expect(plain.secret["data"]["destination-catalog.json"].isNull)
    }

    @Test func inputsFromCatalogsCarryADestinationCatalogOnlyWhenStreamsAreRenamed() throws {
        let users = DiscoveredAirbyteStream(descriptor: StreamDescriptor(name: "users"), supportedSyncModes: [.fullRefresh])
        var spec = F.connection().spec
        let same = try ConfiguredCatalogBuilding.build(connection: spec, discovered: [users])
        #expect(RenderedInputs(renderedSourceConfig: [:], renderedDestinationConfig: [:], catalogs: same).destinationCatalog == JSONValue?.none)
        spec.prefix = "shop_"
        let renamed = try ConfiguredCatalogBuilding.build(connection: spec, discovered: [users])
        #expect(RenderedInputs(renderedSourceConfig: [:], renderedDestinationConfig: [:], catalogs: renamed).destinationCatalog == renamed.destination.json)
    }

    @Test func specCommandIsShellQuoted() throws {
        let m = try F.build(source: F.source(command: ["python", "/app/main.py", "it's here"]),
                            destination: F.destination(command: ["ferry", "connector", "destination-jsonl"]))
        #expect(try #require(m.pod.container("source")).script.contains("exec python /app/main.py 'it'\\''s here' read --config /ferry/config/source.json"))
        #expect(try #require(m.pod.container("destination")).script.contains("exec ferry connector destination-jsonl write --config"))
        #expect(!(try #require(m.pod.container("source")).script.contains("AIRBYTE_ENTRYPOINT")))
    }

    @Test func sourceSilenceAndFerryCommand() throws {
        var defaults = F.defaults
        defaults.ferryCommand = "/opt/ferry dir/ferry"
        let m = try F.build(connection: F.connection { $0.timeouts = Timeouts(attempt: "1h", sourceSilence: "90s", podStart: "1m30s") }, defaults: defaults)
        let script = try #require(m.pod.container("orchestrator")).script
        #expect(script.contains("'/opt/ferry dir/ferry' worker relay "))
        #expect(script.contains("--source-silence-timeout 90 "))
        #expect(m.pod["spec"]["activeDeadlineSeconds"] == 3690)
    }

    @Test(arguments: [RefreshMode.none, .refresh, .clear])
    func stateOnlyWithoutRefresh(mode: RefreshMode) throws {
        let state: JSONValue = [["type": "STREAM", "stream": ["stream_descriptor": ["name": "users"], "stream_state": ["cursor": "2024"]]]]
        let m = try F.build(sync: F.sync(refresh: mode), inputs: F.inputs(state: state))
        let files = m.secret.secretFiles
        let orchestrator = try #require(m.pod.container("orchestrator")).script
        if mode == .none {
            #expect(files["state.json"] == state.serialized())
            #expect(try #require(m.pod.container("source")).script.contains("--catalog /ferry/config/catalog.json --state /ferry/config/state.json\n"))
            #expect(orchestrator.contains("--catalog /ferry/config/catalog.json --state /ferry/config/state.json --stop-marker"))
            let items = m.pod["spec"]["volumes"].arrayValue?.first { $0["name"] == "orchestrator-config" }?["secret"]["items"]
            #expect(items?.arrayValue?.count == 2)
        } else {
            #expect(files["state.json"] == nil)
            #expect(!orchestrator.contains("--state"))
        }
    }

    @Test func clearIsDestinationOnly() throws {
        let m = try F.build(sync: F.sync(refresh: .clear))
        #expect(m.pod["spec"]["containers"].arrayValue?.compactMap { $0["name"].stringValue } == ["destination", "orchestrator"])
        #expect(m.pod.container("init")?.script == "mkfifo -m 0666 /ferry/pipes/destination-in /ferry/pipes/destination-out")
        // The source is `ferry worker empty-source` over the same catalog: only COMPLETE statuses.
        let script = try #require(m.pod.container("orchestrator")).script
        #expect(script.contains("--source-command") && script.contains("empty-source") && !script.contains("--source-stdout"), "\(script)")
        #expect(m.pod["spec"]["volumes"].arrayValue?.contains { $0["name"] == "source-config" } == false)
        #expect(Set(m.secret.secretFiles.keys) == ["destination.json", "catalog.json"])
    }

    @Test func secretHoldsTheInputsAndNothingElseDoes() throws {
        let m = try F.build(inputs: F.inputs(state: ["cursor": 1]))
        let files = m.secret.secretFiles
        #expect(Set(files.keys) == ["source.json", "destination.json", "catalog.json", "state.json"])
        #expect(try JSONValue.parse(try #require(files["source.json"])) == F.inputs().renderedSourceConfig)
        #expect(try JSONValue.parse(try #require(files["destination.json"])) == F.inputs().renderedDestinationConfig)
        #expect(try JSONValue.parse(try #require(files["catalog.json"])) == F.inputs().configuredCatalog)
        #expect(m.secret["type"] == "Opaque")
        let pod = m.pod.serialized()
        #expect(!pod.contains(F.secretPassword))
        #expect(!pod.contains("dest-key-42"))
        #expect(!m.secret.serialized().contains(F.secretPassword)) // base64 only
    }

    @Test func deterministic() throws {
        let pool = F.pool(WorkerTemplate(nodeSelector: ["a": "1", "b": "2"], tolerations: [Toleration(key: "k", operator: .exists)]))
        let c = F.connection { $0.podTemplate = PodTemplateOverrides(labels: ["x": "1", "y": "2"], nodeSelector: ["c": "3"]) }
        let first = try F.build(connection: c, pool: pool, inputs: F.inputs(state: ["s": 1]))
        for _ in 0..<5 {
            let again = try F.build(connection: c, pool: pool, inputs: F.inputs(state: ["s": 1]))
            #expect(again.pod.serialized() == first.pod.serialized())
            #expect(again.secret.serialized() == first.secret.serialized())
        }
    }

    @Test func errorsSayWhatIsMissing() throws {
        #expect(throws: WorkerPodBuildError("Sync data/shop-sync-1 has no metadata.uid, which the owner reference needs")) { try F.build(sync: F.sync(uid: nil)) }
        #expect(throws: WorkerPodBuildError("attempt numbers start at 1, got 0")) { try F.build(attempt: 0) }
        #expect(throws: WorkerPodBuildError.self) { try F.build(connection: F.connection { $0.timeouts = Timeouts(sourceSilence: "soon") }) }
        #expect(throws: WorkerPodBuildError.self) { try F.build(connection: F.connection { $0.podTemplate = PodTemplateOverrides(securityContext: "root") }) }
        #expect(throws: WorkerPodBuildError("the Source has no spec.image")) {
            try F.build(source: Source(metadata: ObjectMeta(name: "s"), spec: ConnectorSpec(image: "")))
        }
    }
}
