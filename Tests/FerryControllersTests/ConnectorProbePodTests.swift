/// The probe pod builder, the probe output parser and the next-step decision as values:
/// names, labels, owner, containers and commands, volumes, secrets kept to the Secret,
/// verdicts from connector output, when a check or discover is due.
import AirbyteProtocol
import FerryAPI
import Foundation
import KubeCore
import Testing
@testable import FerryControllers

@Suite struct ConnectorProbePodTests {
    static let defaults = OperatorDefaults(orchestratorImage: "ghcr.io/ferry/ferry:1.0")
    static let password = "s3cr3t-hunter2"

    static func meta(_ name: String = "shop-db", generation: Int64 = 3) -> ObjectMeta {
        var m = ObjectMeta(name: name, namespace: "data")
        m.uid = "uid-src"
        m.generation = generation
        return m
    }

    static func build(kind: ConnectorProbeKind = .source, name: String = "shop-db", action: ConnectorProbeAction = .check, round: Int64 = 0,
                      spec: ConnectorSpec = ConnectorSpec(image: "airbyte/source-postgres:3.6.28")) throws -> ConnectorProbeManifests {
        try ConnectorProbePod.build(kind: kind, metadata: meta(name), spec: spec, action: action, round: round,
                                    renderedConfig: ["host": "pg", "password": .string(password)], defaults: defaults)
    }

    struct NameCase: Sendable, CustomTestStringConvertible {
        var connector: String, action: ConnectorProbeAction, generation: Int64, round: Int64, expected: String
        var testDescription: String { expected }
    }

    @Test(arguments: [
        NameCase(connector: "shop-db", action: .check, generation: 3, round: 0, expected: "shop-db-check-3-0"),
        NameCase(connector: "shop-db", action: .discover, generation: 1, round: 1_796_400_000, expected: "shop-db-discover-1-1796400000"),
    ])
    func podNames(_ c: NameCase) {
        #expect(ConnectorProbePod.podName(connector: c.connector, action: c.action, generation: c.generation, round: c.round) == c.expected)
    }

    @Test func longNamesAreCutTo63WithAStableHash() {
        let long = String(repeating: "a", count: 60)
        let a = ConnectorProbePod.podName(connector: long, action: .check, generation: 12, round: 1_796_400_000)
        let b = ConnectorProbePod.podName(connector: long + "b", action: .check, generation: 12, round: 1_796_400_000)
        #expect(a.count <= 63 && b.count <= 63 && a != b)
        #expect(a.hasSuffix("-1796400000"))
        #expect(a == ConnectorProbePod.podName(connector: long, action: .check, generation: 12, round: 1_796_400_000))
    }

    @Test func labelsOwnerAndSecret() throws {
        let m = try Self.build()
        #expect(m.podName == "shop-db-check-3-0" && m.secretName == "shop-db-check-3-0-config")
        let labels: [String: String] = ["app.kubernetes.io/managed-by": "ferry", "app.kubernetes.io/name": "ferry-probe",
                                        "ferry.dev/source": "shop-db", "ferry.dev/probe": "check"]
        #expect(m.pod.labels == labels && m.secret.labels == labels)
        let owner: JSONValue = [["apiVersion": "ferry.dev/v1alpha1", "kind": "Source", "name": "shop-db", "uid": "uid-src", "controller": true, "blockOwnerDeletion": true]]
        #expect(m.pod["metadata"]["ownerReferences"] == owner && m.secret["metadata"]["ownerReferences"] == owner)
        #expect(m.secret["immutable"] == true)
        let encoded = try #require(m.secret["data"]["source.json"].stringValue)
        let config = try JSONValue.parse(Data(base64Encoded: encoded) ?? Data())
        #expect(config["password"].stringValue == Self.password)
        // The secret value lives in the Secret only.
        #expect(!m.pod.serialized().contains(Self.password))
        #expect(m.catalogConfigMap == nil, "a check reports in its termination message only")
    }

    @Test func checkPodRunsTheConnectorsCheckIntoThePipe() throws {
        let m = try Self.build(spec: ConnectorSpec(image: "ferry:latest", command: ["ferry", "connector", "source-sample"]))
        let spec = m.pod["spec"]
        #expect(spec["restartPolicy"] == "Never" && spec["automountServiceAccountToken"] == false)
        #expect(spec["activeDeadlineSeconds"].intValue == ConnectorProbePod.activeDeadlineSeconds)
        #expect(spec["securityContext"] == WorkerPodSecurity.restrictedPod)
        #expect(spec["initContainers"].arrayValue?.count == 1)
        #expect(spec["containers"].arrayValue?.compactMap { $0["name"].stringValue } == ["source", "orchestrator"])
        let initScript = try #require(m.pod.container("init")?["command"].arrayValue?.last?.stringValue)
        #expect(initScript == "mkfifo -m 0666 /ferry/pipes/connector-out")
        let source = try #require(m.pod.container("source"))
        let script = try #require(source["command"].arrayValue?.last?.stringValue)
        #expect(script.contains("exec ferry connector source-sample check --config /ferry/config/source.json"))
        #expect(script.contains(">/ferry/pipes/connector-out"))
        #expect(source["securityContext"] == WorkerPodSecurity.restrictedContainer)
        #expect(source["resources"]["requests"]["memory"] == "1Gi", "the operator default for connectors")
        let orchestrator = try #require(m.pod.container("orchestrator")?["command"].arrayValue?.last?.stringValue)
        #expect(orchestrator.contains("ferry worker probe --action check --connector-stdout /ferry/pipes/connector-out >\"$summary\""))
        #expect(!orchestrator.contains("--catalog-configmap"))
        let volumes = spec["volumes"].arrayValue?.compactMap { $0["name"].stringValue }
        #expect(volumes == ["pipes", "source-config"], "no API access for a check")
        #expect(source["volumeMounts"].arrayValue?.contains { $0["name"] == "source-config" } == true)
        #expect(m.pod.container("orchestrator")?["volumeMounts"].arrayValue?.contains { $0["name"] == "source-config" } == false)
    }

    @Test func discoverPodReportsToItsConfigMap() throws {
        let m = try Self.build(action: .discover, round: 1_796_400_000)
        #expect(m.podName == "shop-db-discover-3-1796400000")
        let configMap = try #require(m.catalogConfigMap)
        #expect(configMap["metadata"]["name"].stringValue == m.podName)
        #expect(configMap["metadata"]["ownerReferences"].arrayValue?.first?["kind"] == "Source")
        let orchestrator = try #require(m.pod.container("orchestrator"))
        #expect(orchestrator["command"].arrayValue?.last?.stringValue?.contains("--action discover --connector-stdout /ferry/pipes/connector-out --catalog-configmap data/shop-db-discover-3-1796400000") == true)
        #expect(orchestrator["volumeMounts"].arrayValue?.contains { $0["mountPath"] == "/var/run/secrets/kubernetes.io/serviceaccount" } == true)
        #expect(m.pod.container("source")?["command"].arrayValue?.last?.stringValue?.contains("discover --config /ferry/config/source.json") == true)
    }

    @Test func destinationCheckAndResourcesPrecedence() throws {
        let spec = ConnectorSpec(image: "airbyte/destination-postgres:2.4.0", resources: ResourceRequirements(limits: ["memory": "512Mi"]))
        let m = try Self.build(kind: .destination, name: "warehouse", spec: spec)
        #expect(m.pod.labels["ferry.dev/destination"] == "warehouse")
        #expect(m.pod["metadata"]["ownerReferences"].arrayValue?.first?["kind"] == "Destination")
        let destination = try #require(m.pod.container("destination"))
        #expect(destination["command"].arrayValue?.last?.stringValue?.contains("AIRBYTE_ENTRYPOINT check --config /ferry/config/destination.json") == true)
        #expect(destination["resources"]["limits"]["memory"] == "512Mi")
        #expect(destination["resources"]["requests"]["memory"] == "512Mi", "the default request is capped at the Destination's limit")
        #expect(m.secret["data"]["destination.json"].stringValue != nil)
        #expect(throws: WorkerPodBuildError.self) { try Self.build(kind: .destination, action: .discover) }
    }

    @Test func sameInputsSameBytes() throws {
        #expect(try Self.build().pod.serialized() == (try Self.build().pod.serialized()))
        #expect(try Self.build().secret.serialized() == (try Self.build().secret.serialized()))
    }

    // MARK: the orchestrator's reading of connector output

    static func output(_ action: ConnectorProbeAction, _ lines: [String]) -> (report: ConnectorProbeReport, streams: [DiscoveredStream]?) {
        var o = ConnectorProbeOutput(action: action)
        for line in lines { o.consume(line: Array(line.utf8)) }
        return o.result()
    }

    @Test func checkVerdicts() {
        let ok = Self.output(.check, [#"{"type":"LOG","log":{"level":"INFO","message":"hi"}}"#, #"{"type":"CONNECTION_STATUS","connectionStatus":{"status":"SUCCEEDED"}}"#])
        #expect(ok.report.succeeded && ok.report.message == nil)
        let failed = Self.output(.check, ["not json", #"{"type":"CONNECTION_STATUS","connectionStatus":{"status":"FAILED","message":"password authentication failed"}}"#])
        #expect(!failed.report.succeeded && failed.report.message == "password authentication failed")
        let trace = Self.output(.check, [#"{"type":"TRACE","trace":{"type":"ERROR","emitted_at":1,"error":{"message":"cannot parse config","failure_type":"config_error"}}}"#])
        #expect(!trace.report.succeeded && trace.report.message == "cannot parse config")
        let silent = Self.output(.check, [])
        #expect(!silent.report.succeeded && silent.report.message?.contains("without a CONNECTION_STATUS") == true)
        let long = Self.output(.check, [#"{"type":"CONNECTION_STATUS","connectionStatus":{"status":"FAILED","message":"\#(String(repeating: "x", count: 5000))"}}"#])
        #expect((long.report.message?.count ?? 0) == ConnectorProbeReport.maxMessageCharacters)
        #expect(long.report.json.serialized().utf8.count < 4096)
    }

    @Test func discoverSummarizesTheCatalog() throws {
        let catalog = AirbyteMessage.catalog(["streams": [
            ["name": "users", "namespace": "public", "json_schema": ["type": "object"], "supported_sync_modes": ["full_refresh", "incremental"],
             "source_defined_cursor": true, "default_cursor_field": ["updated_at"], "source_defined_primary_key": [["id"]]],
            ["name": "events", "json_schema": ["type": "object"]],
        ]]).line
        let result = Self.output(.discover, [catalog])
        #expect(result.report.succeeded && result.report.streamCount == 2)
        let streams = try #require(result.streams)
        #expect(streams[0] == DiscoveredStream(name: "users", namespace: "public", supportedSyncModes: [.fullRefresh, .incremental],
                                               sourceDefinedCursor: true, defaultCursorField: ["updated_at"], sourceDefinedPrimaryKey: [["id"]]))
        #expect(streams[1].supportedSyncModes == [.fullRefresh])
        // Round trip through the ConfigMap patch.
        let patch = try ConnectorProbeCatalogConfigMap.patch(streams: streams)
        #expect(ConnectorProbeCatalogConfigMap.read(patch) == streams)
        let report = try #require(ConnectorProbeReport(terminationMessage: result.report.json.serialized()))
        #expect(report == result.report)
        #expect(!Self.output(.discover, [#"{"type":"CATALOG","catalog":{"streams":[{"json_schema":{}}]}}"#]).report.succeeded)
        #expect(Self.output(.discover, []).streams == nil)
    }

    @Test func redactsSecretValues() {
        #expect(ReferencedSecrets.redact("login s3cr3t failed for s3cr3t", secrets: ["s3cr3t", "ab"]) == "login *** failed for ***")
    }

    // MARK: what comes next

    static let t0 = Date(timeIntervalSince1970: 1_796_400_000)

    static func status(checked: (Condition.Status, String, Int64)?, discovered: (Condition.Status, String, Int64)? = nil, last: Date? = t0) -> SourceStatus {
        var conditions: [Condition] = []
        if let (s, r, g) = checked { conditions.append(Condition(type: "Checked", status: s, reason: r, observedGeneration: g)) }
        if let (s, r, g) = discovered { conditions.append(Condition(type: "Discovered", status: s, reason: r, observedGeneration: g)) }
        return SourceStatus(conditions: conditions, lastCheckTime: last.map(KubeTime.format))
    }

    struct StepCase: Sendable, CustomTestStringConvertible {
        var name: String
        var status: SourceStatus
        var discovers = true
        var now: Date = ConnectorProbePodTests.t0.addingTimeInterval(60)
        var expected: ConnectorProbeStep
        var testDescription: String { name }
    }

    @Test(arguments: [
        StepCase(name: "never checked", status: SourceStatus(), expected: .probe(.check, round: 0)),
        StepCase(name: "secret missing", status: status(checked: (.false, "SecretNotFound", 2), last: nil), expected: .probe(.check, round: 0)),
        StepCase(name: "spec changed", status: status(checked: (.true, "CheckSucceeded", 1), discovered: (.true, "Discovered", 1)),
                 expected: .probe(.check, round: 1_796_400_000)),
        StepCase(name: "check passed, discover next", status: status(checked: (.true, "CheckSucceeded", 2), discovered: (.unknown, "Discovering", 2)),
                 expected: .probe(.discover, round: 1_796_400_000)),
        StepCase(name: "destination does not discover", status: status(checked: (.true, "CheckSucceeded", 2)), discovers: false,
                 expected: .idle(until: t0.addingTimeInterval(3600))),
        StepCase(name: "check failed: no discover", status: status(checked: (.false, "CheckFailed", 2)), expected: .idle(until: t0.addingTimeInterval(3600))),
        StepCase(name: "discovered, wait", status: status(checked: (.true, "CheckSucceeded", 2), discovered: (.true, "Discovered", 2)),
                 expected: .idle(until: t0.addingTimeInterval(3600))),
        StepCase(name: "discover failed, wait", status: status(checked: (.true, "CheckSucceeded", 2), discovered: (.false, "DiscoverFailed", 2)),
                 expected: .idle(until: t0.addingTimeInterval(3600))),
        StepCase(name: "interval passed", status: status(checked: (.true, "CheckSucceeded", 2), discovered: (.true, "Discovered", 2)),
                 now: t0.addingTimeInterval(3600), expected: .probe(.check, round: 1_796_400_000)),
    ])
    func nextStep(_ c: StepCase) {
        #expect(ConnectorProbeStep.next(status: c.status, generation: 2, discovers: c.discovers, interval: 3600, now: c.now) == c.expected)
    }
}
