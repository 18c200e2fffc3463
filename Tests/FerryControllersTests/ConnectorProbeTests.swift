/// The Source and Destination controllers against the embedded API server, with a
/// stand-in kubelet that finishes probe pods as their orchestrator would (termination
/// message, and the discover ConfigMap): a missing Secret, a failed check, a passing
/// check with discover, a re-check on a spec change, and a Destination's check.
import FerryAPI
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeRuntime
import KubeTestSupport
import Testing
@testable import FerryControllers

@Suite(.timeLimit(.minutes(1))) struct ConnectorProbeTests {
    struct Rig {
        let client: KubernetesClient
        let clock: any RuntimeClock
        let pods: Informer
        let namespace = "default"

        func createSource(_ name: String = "shop", secret: (name: String, key: String)? = nil, config: JSONValue = ["count": 10], check: JSONValue? = nil) async throws {
            try await createConnector(kind: "Source", name: name, resource: Source.resourceType, secret: secret, config: config, check: check)
        }

        func createConnector(kind: String, name: String, resource: ResourceType, secret: (name: String, key: String)?, config: JSONValue, check: JSONValue? = nil) async throws {
            var spec: JSONValue = ["image": "ghcr.io/ferry/connector:1", "config": config]
            if let check { spec["check"] = check }
            if let secret {
                spec["secretRefs"] = [["path": "/password", "secretKeyRef": ["name": .string(secret.name), "key": .string(secret.key)]]]
            }
            _ = try await client.create([
                "apiVersion": .string(FerryAPI.apiVersion), "kind": .string(kind),
                "metadata": ["name": .string(name), "namespace": .string(namespace)], "spec": spec,
            ], resource)
        }

        func createSecret(_ name: String, _ data: [String: String]) async throws {
            _ = try await client.create([
                "apiVersion": "v1", "kind": "Secret", "metadata": ["name": .string(name), "namespace": .string(namespace)],
                "data": .object(data.mapValues { .string(Data($0.utf8).base64EncodedString()) }),
            ], .secret)
        }

        func object(_ resource: ResourceType = Source.resourceType, _ name: String = "shop") async throws -> JSONValue {
            try await client.get(resource, name: name, namespace: namespace)
        }

        func condition(_ type: String, _ resource: ResourceType = Source.resourceType, _ name: String = "shop") async throws -> Condition? {
            let conditions = try await object(resource, name)["status"]["conditions"]
            return conditions.isNull ? nil : try conditions.decode([Condition].self)[type: type]
        }

        /// The one live probe pod with `action`, once it exists.
        func probePod(_ action: ConnectorProbeAction) async throws -> String {
            var found: String?
            try await waitUntil(timeout: .seconds(10)) {
                found = try await client.listAll(.pod, namespace: namespace).items.first {
                    $0.labels[ConnectorProbePod.probeLabel] == action.rawValue && $0.deletionTimestamp == nil && !["Succeeded", "Failed"].contains($0["status"]["phase"].stringValue ?? "")
                }?.name
                return found != nil
            }
            return found ?? ""
        }

        func exists(_ resource: ResourceType, _ name: String) async throws -> Bool {
            do {
                _ = try await client.get(resource, name: name, namespace: namespace)
                return true
            } catch where error.isNotFound {
                return false
            }
        }

        /// Finishes a probe pod: the orchestrator exits with `report` as its termination message.
        func finish(_ pod: String, report: ConnectorProbeReport?, exitCode: Int64 = 0) async throws {
            var terminated: JSONValue = ["exitCode": .int(exitCode), "finishedAt": .string(KubeTime.format(clock.wallTime))]
            if let report { terminated["message"] = .string(report.json.serialized()) }
            _ = try await client.patchStatus(.pod, name: pod, namespace: namespace, patch: ["status": [
                "phase": exitCode == 0 ? "Succeeded" : "Failed",
                "containerStatuses": [["name": "orchestrator", "ready": false, "restartCount": 0, "image": "ghcr.io/ferry/ferry:1.0",
                                       "state": ["terminated": terminated]]],
            ]])
        }

        /// Names of probe pods that exist and are not being deleted.
        func livePods() async throws -> [String] {
            try await client.listAll(.pod, namespace: namespace).items.filter { $0.deletionTimestamp == nil }.compactMap(\.name).sorted()
        }

        func warningReasons(_ name: String = "shop") async throws -> Set<String> {
            Set(try await client.listAll(.event, namespace: namespace).items
                .filter { $0["involvedObject"]["name"].stringValue == name && $0["type"] == "Warning" }.compactMap { $0["reason"].stringValue })
        }
    }

    static let streams = [
        DiscoveredStream(name: "users", supportedSyncModes: [.fullRefresh, .incremental], sourceDefinedCursor: true,
                         defaultCursorField: ["updated_at"], sourceDefinedPrimaryKey: [["id"]]),
        DiscoveredStream(name: "products", supportedSyncModes: [.fullRefresh]),
    ]

    func withProbeControllers(clock: any RuntimeClock = SystemClock(), _ body: (Rig) async throws -> Void) async throws {
        try await withClient(APIServerConfiguration(bookmarkInterval: .milliseconds(200))) { _, client in
            for crd in [Source.crd, Destination.crd] { _ = try await client.create(crd, .customResourceDefinition) }
            for resource in [Source.resourceType, Destination.resourceType] {
                try await waitUntil(timeout: .seconds(10)) { await served(resource, by: client) }
            }
            let pods = Informer(client: client, resource: .pod, namespace: "default")
            let events = EventRecorder(client: client, component: "ferry-probe-test", clock: clock)
            let defaults = OperatorDefaults(orchestratorImage: "ghcr.io/ferry/ferry:1.0")
            var informers = [pods]
            var controllers: [Controller] = []
            for kind in [ConnectorProbeKind.source, .destination] {
                let connectors = Informer(client: client, resource: kind.resourceType, namespace: "default")
                informers.append(connectors)
                controllers.append(ConnectorProbeController.make(kind: kind, client: client, caches: ConnectorProbeCaches(connectors: connectors, pods: pods),
                                                                 events: events, defaults: defaults, clock: clock))
            }
            let rig = Rig(client: client, clock: clock, pods: pods)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for informer in informers { group.addTask { await informer.run() } }
                group.addTask { await events.run() }
                for controller in controllers { group.addTask { await controller.run() } }
                do {
                    try await waitUntil(timeout: .seconds(10)) { controllers.allSatisfy(\.hasSynced) }
                    try await body(rig)
                    group.cancelAll()
                } catch {
                    group.cancelAll()
                    throw error
                }
            }
        }
    }

    @Test func missingSecretIsReportedWithoutAPod() async throws {
        try await withProbeControllers { rig in
            try await rig.createSource(secret: (name: "shop-db", key: "password"))
            try await waitUntil(timeout: .seconds(10)) { try await rig.condition("Ready")?.reason == "SecretNotFound" }
            let ready = try #require(try await rig.condition("Ready"))
            #expect(ready.status == .false && ready.message.contains("Secret \"shop-db\" not found"))
            #expect(try await rig.condition("Checked")?.reason == "SecretNotFound")
            #expect(try await rig.object()["status"]["observedGeneration"].intValue == 1)
            #expect(try await rig.client.listAll(.pod, namespace: rig.namespace).items.isEmpty)
            try await waitUntil(timeout: .seconds(10)) { try await rig.warningReasons().contains("SecretNotFound") }
        }
    }

    @Test func failedCheckGivesCheckFailedWithTheConnectorsMessage() async throws {
        try await withProbeControllers { rig in
            try await rig.createSecret("shop-db", ["password": "hunter2-secret"])
            try await rig.createSource(secret: (name: "shop-db", key: "password"))
            let pod = try await rig.probePod(.check)
            #expect(pod == "shop-check-1-0")
            #expect(try await rig.exists(.secret, "shop-check-1-0-config"))
            #expect(try await rig.condition("Ready")?.status == .unknown)
            // The connector echoes the password: the status must not.
            try await rig.finish(pod, report: ConnectorProbeReport(action: .check, succeeded: false,
                                                                   message: "password authentication failed for hunter2-secret"))
            try await waitUntil(timeout: .seconds(10)) { try await rig.condition("Ready")?.reason == "CheckFailed" }
            let ready = try #require(try await rig.condition("Ready"))
            #expect(ready.status == .false && ready.message == "password authentication failed for ***")
            #expect(try await rig.condition("Checked")?.status == .false)
            #expect(try await rig.condition("Discovered") == nil, "no discover after a failed check")
            let status = try await rig.object()["status"]
            #expect(status["lastCheckTime"].stringValue != nil && status["catalog"].isNull)
            try await waitUntil(timeout: .seconds(10)) { try await !rig.exists(.pod, pod) }
            #expect(try await !rig.exists(.secret, "shop-check-1-0-config"))
            try await waitUntil(timeout: .seconds(10)) { try await rig.warningReasons().contains("CheckFailed") }
        }
    }

    @Test func passingCheckThenDiscoverGivesReadyAndACatalog() async throws {
        try await withProbeControllers { rig in
            try await rig.createSource()
            let check = try await rig.probePod(.check)
            try await rig.finish(check, report: ConnectorProbeReport(action: .check, succeeded: true, message: nil))
            let discover = try await rig.probePod(.discover)
            #expect(discover.hasPrefix("shop-discover-1-"))
            #expect(try await rig.condition("Ready")?.status == .true)
            // The orchestrator fills the ConfigMap the controller created with the pod.
            #expect(try await rig.exists(.configMap, discover))
            _ = try await rig.client.patch(.configMap, name: discover, namespace: rig.namespace,
                                           patch: try ConnectorProbeCatalogConfigMap.patch(streams: Self.streams), type: .merge)
            try await rig.finish(discover, report: ConnectorProbeReport(action: .discover, succeeded: true, message: nil, streamCount: 2))
            try await waitUntil(timeout: .seconds(10)) { try await rig.condition("Discovered")?.status == .true }
            let status = try await rig.object()["status"].decode(SourceStatus.self)
            #expect(status.catalog?.streams == Self.streams)
            #expect(status.catalog?.discoveredAt != nil && status.lastCheckTime != nil && status.observedGeneration == 1)
            #expect(status.conditions?[type: "Ready"]?.reason == "CheckSucceeded")
            #expect(status.conditions?[type: "Discovered"]?.message == "2 streams discovered")
            try await waitUntil(timeout: .seconds(10)) {
                let pod = try await rig.exists(.pod, discover)
                let configMap = try await rig.exists(.configMap, discover)
                return !pod && !configMap
            }
        }
    }

    @Test func specChangeRunsANewCheck() async throws {
        try await withProbeControllers { rig in
            try await rig.createSource()
            try await rig.finish(try await rig.probePod(.check), report: ConnectorProbeReport(action: .check, succeeded: true, message: nil))
            let discover = try await rig.probePod(.discover)
            try await rig.finish(discover, report: ConnectorProbeReport(action: .discover, succeeded: false, message: "no schema access"))
            try await waitUntil(timeout: .seconds(10)) { try await rig.condition("Discovered")?.reason == "DiscoverFailed" }
            #expect(try await rig.condition("Discovered")?.message == "no schema access")
            #expect(try await rig.condition("Ready")?.status == .true, "Ready follows the check")

            var source = try await rig.object()
            source["spec"]["config"] = ["count": 20]
            _ = try await rig.client.update(source, Source.resourceType, namespace: rig.namespace)
            let recheck = try await rig.probePod(.check)
            #expect(recheck.hasPrefix("shop-check-2-"))
            try await rig.finish(recheck, report: ConnectorProbeReport(action: .check, succeeded: false, message: "count too large"))
            try await waitUntil(timeout: .seconds(10)) { try await rig.condition("Ready")?.reason == "CheckFailed" }
            let ready = try #require(try await rig.condition("Ready"))
            #expect(ready.observedGeneration == 2 && ready.message == "count too large")
        }
    }

    @Test func destinationIsCheckedNotDiscovered() async throws {
        try await withProbeControllers { rig in
            try await rig.createConnector(kind: "Destination", name: "lake", resource: Destination.resourceType, secret: nil, config: ["path": "/tmp"])
            let pod = try await rig.probePod(.check)
            #expect(pod == "lake-check-1-0")
            #expect(try await rig.client.get(.pod, name: pod, namespace: rig.namespace).labels["ferry.dev/destination"] == "lake")
            // An orchestrator killed before its report: the pod's own failure.
            try await rig.finish(pod, report: nil, exitCode: 137)
            try await waitUntil(timeout: .seconds(10)) { try await rig.condition("Ready", Destination.resourceType, "lake")?.reason == "ProbeFailed" }
            #expect(try await rig.condition("Ready", Destination.resourceType, "lake")?.message.contains("exited with code 137") == true)
            #expect(try await rig.condition("Discovered", Destination.resourceType, "lake") == nil)
        }
    }

    @Test func checkRunsAgainEveryInterval() async throws {
        let clock = ManualClock(wallOrigin: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)))
        try await withProbeControllers(clock: clock) { rig in
            try await rig.createSource(check: ["interval": "10m"])
            let first = try await rig.probePod(.check)
            #expect(first == "shop-check-1-0")
            try await rig.finish(first, report: ConnectorProbeReport(action: .check, succeeded: true, message: nil))
            let discover = try await rig.probePod(.discover)
            _ = try await rig.client.patch(.configMap, name: discover, namespace: rig.namespace,
                                           patch: try ConnectorProbeCatalogConfigMap.patch(streams: Self.streams), type: .merge)
            try await rig.finish(discover, report: ConnectorProbeReport(action: .discover, succeeded: true, message: nil, streamCount: 2))
            try await waitUntil(timeout: .seconds(10)) { try await rig.condition("Discovered")?.status == .true }
            try await waitUntil(timeout: .seconds(10)) { try await rig.livePods().isEmpty }
            let checkedAt = try #require(try await rig.object()["status"]["lastCheckTime"].stringValue.flatMap(KubeTime.parse))

            clock.advance(by: .seconds(599))
            try await waitUntil(timeout: .seconds(10)) { clock.nextDeadline.map { $0 > clock.now } ?? false }
            #expect(try await rig.livePods().isEmpty, "no check before the interval has passed")
            clock.advance(by: .seconds(1))
            let second = try await rig.probePod(.check)
            #expect(second == "shop-check-1-\(Int64(checkedAt.timeIntervalSince1970))")
            try await rig.finish(second, report: ConnectorProbeReport(action: .check, succeeded: false, message: "the database is gone"))
            try await waitUntil(timeout: .seconds(10)) { try await rig.condition("Ready")?.reason == "CheckFailed" }
            let status = try await rig.object()["status"].decode(SourceStatus.self)
            #expect(status.catalog?.streams == Self.streams, "the last catalog stays")
            #expect(status.lastCheckTime.flatMap(KubeTime.parse).map { $0 > checkedAt } == true)
        }
    }

    @Test func aConnectorImageThatCannotStartFailsTheProbe() async throws {
        try await withProbeControllers { rig in
            try await rig.createSource()
            let pod = try await rig.probePod(.check)
            // The orchestrator runs (waiting on the pipe); the connector's image name is invalid.
            _ = try await rig.client.patchStatus(.pod, name: pod, namespace: rig.namespace, patch: ["status": [
                "phase": "Running",
                "containerStatuses": [
                    ["name": "source", "ready": false, "restartCount": 0, "image": "ghcr.io/ferry/connector:1",
                     "state": ["waiting": ["reason": "InvalidImageName", "message": "couldn't parse image name"]]],
                    ["name": "orchestrator", "ready": true, "restartCount": 0, "image": "ghcr.io/ferry/ferry:1.0",
                     "state": ["running": ["startedAt": .string(KubeTime.format(rig.clock.wallTime))]]],
                ],
            ]])
            try await waitUntil(timeout: .seconds(10)) { try await rig.condition("Ready")?.reason == "ProbeFailed" }
            #expect(try await rig.condition("Ready")?.message.contains("InvalidImageName") == true)
            try await waitUntil(timeout: .seconds(10)) { try await !rig.exists(.pod, pod) }
        }
    }
}
