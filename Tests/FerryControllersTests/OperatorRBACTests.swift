/// The operator's real requests stay within the RBAC rules it ships: every controller runs
/// on one ControllerManager with leader election, as `ferry operator` runs them, through a
/// client of its own user agent against an auditing embedded API server; a scenario makes
/// each controller do its work (probes, Syncs that succeed and fail, a scheduled Sync, the
/// default pool, an autoscaled pool with a warm worker and a Resource metric, history
/// cleanup, the sweeper); then every audited request of the operator must be allowed by
/// `OperatorPermissions`, and every declared verb must have been used or be listed here as
/// not exercised, so the rules do not grow beyond what the code does.
import FerryAPI
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeRuntime
import KubeTestSupport
import Testing
@testable import FerryControllers

@Suite(.timeLimit(.minutes(3))) struct OperatorRBACTests {
    static let userAgent = "ferry-operator"
    static let namespace = "default"
    static let summary = #"{"succeeded":true,"recordsCommitted":1}"#

    /// Declared verbs this scenario does not (or not always) make, and why; anything else
    /// declared and unused fails the test as a rule broader than the code needs.
    static let notAlwaysExercised: [String: String] = [
        "patch ferry.dev connections": "auto-disable is off here; suspending is covered by ConnectionControllerTests+History",
        "patch core events": "only a repeated identical Event is patched",
        "get core pods": "only when the informer has not yet seen a just-created pod",
        "get ferry.dev sources": "the probe reconciler's live read happens on a status write conflict",
        "get ferry.dev destinations": "the probe reconciler's live read happens on a status write conflict",
        "get ferry.dev syncs": "a live read on a write conflict, or the sweeper confirming an orphan",
        "update core configmaps": "the state store is updated when a second attempt commits a different state",
    ]

    /// A client like the test's, but with the operator's user agent.
    static func operatorClient(_ server: EmbeddedAPIServer) throws -> KubernetesClient {
        var config = try ClientConfiguration(kubeconfig: Kubeconfig.parse(server.kubeconfigYAML()))
        config.qps = 0
        config.userAgent = userAgent
        return try KubernetesClient(configuration: config)
    }

    @Test func theOperatorsRequestsStayWithinItsDeclaredRules() async throws {
        try await withClient(APIServerConfiguration(bookmarkInterval: .milliseconds(200), auditRequests: true)) { server, client in
            server.setPodMetricsProvider(WorkerPoolAutoscalerTests.PodsAtTheirMemoryRequests())
            for crd in [Sync.crd, Connection.crd, Source.crd, Destination.crd, WorkerPool.crd] { _ = try await client.create(crd, .customResourceDefinition) }
            for resource in [Sync.resourceType, Connection.resourceType, Source.resourceType, Destination.resourceType, WorkerPool.resourceType] {
                try await waitUntil(timeout: .seconds(10)) { await served(resource, by: client) }
            }
            _ = try await client.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(OperatorPermissions.namespace)]], .namespace)
            let operatorClient = try Self.operatorClient(server)
            do {
                try await runScenario(client: client, operatorClient: operatorClient, server: server)
                try await operatorClient.shutdown()
            } catch {
                try? await operatorClient.shutdown()
                throw error
            }
            check(server.auditRecords())
        }
    }

    /// The operator as `ferry operator` builds it (all namespaces, leader election), with
    /// short sweeper TTLs and a fast autoscaler so everything happens within the test.
    func runScenario(client: KubernetesClient, operatorClient: KubernetesClient, server: EmbeddedAPIServer) async throws {
        let election = LeaderElectionConfiguration(leaseName: OperatorPermissions.leaseName, namespace: OperatorPermissions.namespace, identity: "rbac-test")
        let manager = ControllerManager(client: operatorClient, options: .init(leaderElection: election, healthHost: nil, healthPort: 0))
        let defaults = OperatorDefaults(orchestratorImage: "ghcr.io/ferry/ferry:1.0")
        let syncs = SyncController.register(on: manager, defaults: defaults, namespace: nil)
        _ = PodSweeper.register(on: manager, namespace: nil, options: PodSweeperOptions(succeededTTL: .seconds(3), failedTTL: .seconds(3)))
        _ = WorkerPoolController.register(on: manager, defaultPool: DefaultWorkerPoolOptions(), autoscaler: PoolAutoscalerOptions(syncPeriod: 0.5),
                                          warmWorkers: WarmWorkerOptions(defaults: defaults), namespace: nil)
        _ = ConnectionController.register(on: manager, namespace: nil,
                                          options: ConnectionControllerOptions(autoDisableConsecutiveFailures: 0, autoDisableFailingDays: 0))
        _ = ConnectorProbeController.register(on: manager, defaults: defaults, namespace: nil)
        let rig = SyncRig(client: client, clock: manager.clock, controller: syncs,
                          pods: manager.informer(for: .pod, indexers: PodSweeper.podIndexers), maxActivePods: ActivePodHighWater(), started: StartedPods())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await manager.run() }
            do {
                try await waitUntil(timeout: .seconds(30)) { manager.isLeader }
                try await scenario(rig, server: server)
                group.cancelAll()
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    func scenario(_ rig: SyncRig, server: EmbeddedAPIServer) async throws {
        let client = rig.client
        // Connectors with a Secret reference: check, discover (with its ConfigMap) and the Destination's check.
        _ = try await client.create([
            "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "shop-db", "namespace": .string(Self.namespace)],
            "data": ["password": .string(Data("hunter2".utf8).base64EncodedString())],
        ], .secret)
        try await rig.createConnectors(sourceSecret: ("shop-db", "password"))
        let check = try await probePod(client, .check, of: "shop")
        try await finishProbe(rig, check, ConnectorProbeReport(action: .check, succeeded: true, message: nil))
        let discover = try await probePod(client, .discover, of: "shop")
        _ = try await client.patch(.configMap, name: discover, namespace: Self.namespace,
                                   patch: try ConnectorProbeCatalogConfigMap.patch(streams: ConnectorProbeTests.streams), type: .merge)
        try await finishProbe(rig, discover, ConnectorProbeReport(action: .discover, succeeded: true, message: nil, streamCount: 2))
        try await finishProbe(rig, try await probePod(client, .check, of: "lake"), ConnectorProbeReport(action: .check, succeeded: true, message: nil))
        try await waitUntil(timeout: .seconds(30)) {
            let discovered = try await conditionStatus(client, Source.resourceType, "shop", "Discovered")
            let ready = try await conditionStatus(client, Destination.resourceType, "lake", "Ready")
            return discovered == "True" && ready == "True"
        }

        // An autoscaled pool with a warm worker and a Resource metric (metrics.k8s.io).
        _ = try await client.create([
            "apiVersion": .string(FerryAPI.apiVersion), "kind": "WorkerPool",
            "metadata": ["name": "autoscaled", "namespace": .string(Self.namespace)],
            "spec": ["warmWorkers": 1, "autoscaling": [
                "minWorkers": 1, "maxWorkers": 2, "metrics": [["type": "Resource", "resource": ["name": "memory", "target": ["averageUtilization": 50]]]],
            ]],
        ], WorkerPool.resourceType)
        try await rig.createConnection(pool: "autoscaled", retry: ["maxSuccessiveFailures": 1])
        _ = try await client.patch(Connection.resourceType, name: "shop-to-lake", namespace: Self.namespace,
                                   patch: ["spec": ["history": ["successful": 1, "failed": 1]]], type: .merge)
        try await waitUntil(timeout: .seconds(30)) { try await rig.exists(.pod, "autoscaled-warm-0") }

        // A Sync that succeeds (while it runs the pool reads its metrics), one that fails, one more that succeeds.
        try await runSync(rig, "ok-1", exitCode: 0) {
            try await waitUntil(timeout: .seconds(30)) {
                server.auditRecords().contains { $0.userAgent == Self.userAgent && $0.apiGroup == "metrics.k8s.io" }
            }
        }
        try await runSync(rig, "bad-1", exitCode: 1)
        try await runSync(rig, "ok-2", exitCode: 0)
        // History: only the newest successful Sync stays.
        try await waitUntil(timeout: .seconds(30)) { try await !rig.exists(Sync.resourceType, "ok-1") }

        // A scheduled Connection on the default pool, which the operator creates.
        _ = try await client.create([
            "apiVersion": .string(FerryAPI.apiVersion), "kind": "Connection",
            "metadata": ["name": "nightly", "namespace": .string(Self.namespace)],
            "spec": ["sourceRef": ["name": "shop"], "destinationRef": ["name": "lake"], "streams": [["name": "users"]], "schedule": ["every": "1s"]],
        ], Connection.resourceType)
        try await waitUntil(timeout: .seconds(30)) {
            let scheduled = try await client.listAll(Sync.resourceType, namespace: Self.namespace).items.contains { $0["spec"]["trigger"] == "schedule" }
            let defaultPool = try await rig.exists(WorkerPool.resourceType, "default")
            return scheduled && defaultPool
        }
        _ = try await client.patch(Connection.resourceType, name: "nightly", namespace: Self.namespace, patch: ["spec": ["suspend": true]], type: .merge)

        // The sweeper removes the finished worker pods and their Secrets after the TTLs.
        try await waitUntil(timeout: .seconds(30)) {
            for pod in ["ok-2-1", "bad-1-1"] {
                if try await rig.exists(.pod, pod) { return false }
                if try await rig.exists(.secret, WorkerPodNaming.secretName(podName: pod)) { return false }
            }
            return true
        }
        // The leader renews its Lease (every retryPeriod, 2 s).
        try await waitUntil(timeout: .seconds(30)) {
            server.auditRecords().contains { $0.userAgent == Self.userAgent && $0.resource == "leases" && $0.verb == "update" }
        }
    }

    /// Creates Sync `name`, runs its first pod (running `whileRunning` meanwhile) and ends it with `exitCode`.
    func runSync(_ rig: SyncRig, _ name: String, exitCode: Int64, whileRunning: () async throws -> Void = {}) async throws {
        try await rig.createSync(name)
        let pod = "\(name)-1"
        try await waitUntil(timeout: .seconds(30)) { try await rig.exists(.pod, pod) }
        try await rig.runPod(pod)
        try await rig.waitForPhase(name, .running)
        try await whileRunning()
        try await rig.finishPod(pod, exitCode: exitCode, message: exitCode == 0 ? Self.summary : nil)
        try await waitUntil(timeout: .seconds(30)) { try await rig.phase(name) == (exitCode == 0 ? SyncPhase.succeeded : .failed).rawValue }
    }

    /// The live probe pod of `connector` with `action`, once it exists.
    func probePod(_ client: KubernetesClient, _ action: ConnectorProbeAction, of connector: String) async throws -> String {
        var found: String?
        try await waitUntil(timeout: .seconds(30)) {
            found = try await client.listAll(.pod, namespace: Self.namespace).items.first {
                $0.labels[ConnectorProbePod.probeLabel] == action.rawValue && ($0.name ?? "").hasPrefix("\(connector)-") && $0.deletionTimestamp == nil
                    && !["Succeeded", "Failed"].contains($0["status"]["phase"].stringValue ?? "")
            }?.name
            return found != nil
        }
        return found ?? ""
    }

    /// Ends a probe pod as its orchestrator would: `report` as the termination message.
    func finishProbe(_ rig: SyncRig, _ pod: String, _ report: ConnectorProbeReport) async throws {
        _ = try await rig.client.patchStatus(.pod, name: pod, namespace: Self.namespace, patch: ["status": [
            "phase": "Succeeded",
            "containerStatuses": [["name": "orchestrator", "ready": false, "restartCount": 0, "image": "ghcr.io/ferry/ferry:1.0",
                                   "state": ["terminated": ["exitCode": 0, "finishedAt": .string(KubeTime.format(Date())), "message": .string(report.json.serialized())]]]],
        ]])
    }

    func conditionStatus(_ client: KubernetesClient, _ resource: ResourceType, _ name: String, _ type: String) async throws -> String? {
        let conditions = try await client.get(resource, name: name, namespace: Self.namespace)["status"]["conditions"].arrayValue ?? []
        return conditions.first { $0["type"].stringValue == type }?["status"].stringValue
    }

    /// Every operator request allowed; every declared verb used or listed as not always exercised.
    func check(_ records: [AuditRecord]) {
        let requests = records.filter { $0.userAgent == Self.userAgent }
        #expect(requests.count > 50, "the operator made only \(requests.count) requests")
        let denied = requests.filter {
            !OperatorPermissions.operatorAllows(verb: $0.verb, group: $0.apiGroup, resource: $0.resource, subresource: $0.subresource,
                                                namespace: $0.namespace, name: $0.name)
        }
        #expect(denied.isEmpty, "requests the declared rules deny (first 10 of \(denied.count)):\n\(denied.prefix(10).map(\.description).joined(separator: "\n"))")

        let used = Set(requests.map { request in
            Self.grant(request.verb, request.apiGroup, request.resource + (request.subresource.map { "/\($0)" } ?? ""))
        })
        let declared = (OperatorPermissions.clusterRules + OperatorPermissions.leaderElectionRules).flatMap { rule in
            rule.verbs.flatMap { verb in rule.apiGroups.flatMap { group in rule.resources.map { Self.grant(verb, group, $0) } } }
        }
        let unused = Set(declared).subtracting(used).subtracting(Self.notAlwaysExercised.keys).sorted()
        #expect(unused.isEmpty, "declared but never used; remove them or list them in notAlwaysExercised with why: \(unused)")
        let undeclared = Self.notAlwaysExercised.keys.filter { !declared.contains($0) }.sorted()
        #expect(undeclared.isEmpty, "notAlwaysExercised names grants that are not declared: \(undeclared)")
    }

    static func grant(_ verb: String, _ group: String, _ resource: String) -> String {
        "\(verb) \(group.isEmpty ? "core" : group) \(resource)"
    }
}
