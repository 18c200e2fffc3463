/// The operator-wide worker defaults (issue #9): their nodeSelector and tolerations as the
/// lowest placement level of worker, probe and warm-worker pods, the flag syntax they are
/// parsed from, and the `ferry operator` flags refusing bad values before connecting.
import FerryAPI
import Foundation
import KubeCore
import KubeTestSupport
import Testing
@testable import FerryControllers

/// Tolerations the cases share.
private let dedicated = Toleration(key: "dedicated", operator: .equal, value: "etl", effect: .noSchedule)
private let gpu = Toleration(key: "gpu", operator: .exists)
private let spot = Toleration(key: "spot", operator: .exists, effect: .noExecute)

@Suite struct WorkerPodDefaultsTests {
    typealias F = WorkerPodFixtures
    typealias S = OperatorDefaultsSyntax

    static func defaults(nodeSelector: [String: String], tolerations: [Toleration]) -> OperatorDefaults {
        var d = F.defaults
        d.nodeSelector = nodeSelector
        d.tolerations = tolerations
        return d
    }

    struct PlacementCase: Sendable, CustomTestStringConvertible {
        var name: String
        var operatorSelector: [String: String] = [:], operatorTolerations: [Toleration] = []
        var pool: WorkerTemplate?
        var connection: PodTemplateOverrides?
        var nodeSelector: JSONValue?, tolerations: [Toleration]?
        var testDescription: String { name }
    }

    @Test(arguments: [
        PlacementCase(name: "nothing anywhere: no placement keys"),
        PlacementCase(name: "operator alone", operatorSelector: ["ferry.dev/workers": "true"], operatorTolerations: [dedicated],
                      nodeSelector: ["ferry.dev/workers": "true"], tolerations: [dedicated]),
        PlacementCase(name: "pool overrides the operator per key, tolerations appended",
                      operatorSelector: ["disk": "hdd", "ferry.dev/workers": "true"], operatorTolerations: [dedicated],
                      pool: WorkerTemplate(nodeSelector: ["disk": "ssd"], tolerations: [gpu]),
                      nodeSelector: ["disk": "ssd", "ferry.dev/workers": "true"], tolerations: [dedicated, gpu]),
        PlacementCase(name: "connection over pool over operator, duplicates dropped",
                      operatorSelector: ["zone": "a", "disk": "hdd", "tier": "etl"], operatorTolerations: [dedicated, spot],
                      pool: WorkerTemplate(nodeSelector: ["disk": "ssd", "zone": "b"], tolerations: [gpu, dedicated]),
                      connection: PodTemplateOverrides(nodeSelector: ["zone": "c"], tolerations: [spot]),
                      nodeSelector: ["zone": "c", "disk": "ssd", "tier": "etl"], tolerations: [dedicated, spot, gpu]),
    ])
    func placementPrecedence(_ c: PlacementCase) throws {
        let d = Self.defaults(nodeSelector: c.operatorSelector, tolerations: c.operatorTolerations)
        let tolerations: JSONValue? = try c.tolerations.map { try JSONValue(encoding: $0) }
        let out = try WorkerPodBuilder.scheduling(connection: c.connection, pool: c.pool, defaults: d)
        #expect(out["nodeSelector"] == c.nodeSelector)
        #expect(out["tolerations"] == tolerations)
        // The worker pod carries exactly what the merge returns.
        let pod = try F.build(connection: F.connection { $0.podTemplate = c.connection }, pool: c.pool.map(F.pool), defaults: d).pod
        #expect(pod["spec"]["nodeSelector"] == c.nodeSelector ?? .null)
        #expect(pod["spec"]["tolerations"] == tolerations ?? .null)
    }

    @Test func probeAndWarmWorkerPodsGetTheOperatorsPlacement() throws {
        let d = Self.defaults(nodeSelector: ["ferry.dev/workers": "true"], tolerations: [dedicated])
        let probe = try ConnectorProbePod.build(
            kind: .source, metadata: ConnectorProbePodTests.meta(),
            spec: ConnectorSpec(image: "airbyte/source-postgres:3.6.28"), action: .check, round: 0, renderedConfig: [:], defaults: d).pod
        #expect(probe["spec"]["nodeSelector"] == ["ferry.dev/workers": "true"])
        #expect(probe["spec"]["tolerations"] == [["key": "dedicated", "operator": "Equal", "value": "etl", "effect": "NoSchedule"]])
        #expect(!probe["spec"].has("priorityClassName") && !probe["spec"].has("affinity"))

        let pool = F.pool(WorkerTemplate(nodeSelector: ["disk": "ssd"], tolerations: [gpu], priorityClassName: "batch"))
        let warm = try WarmWorkerPods.pod(pool: pool, index: 0, options: WarmWorkerOptions(defaults: d))
        #expect(warm["spec"]["nodeSelector"] == ["ferry.dev/workers": "true", "disk": "ssd"])
        #expect(warm["spec"]["tolerations"] == [["key": "dedicated", "operator": "Equal", "value": "etl", "effect": "NoSchedule"], ["key": "gpu", "operator": "Exists"]])
        #expect(warm["spec"]["priorityClassName"] == "ferry-warm-worker")
        // Other operator placement, another placeholder spec: existing placeholders get replaced.
        let moved = try WarmWorkerPods.pod(pool: pool, index: 0, options: WarmWorkerOptions(defaults: Self.defaults(nodeSelector: [:], tolerations: [])))
        #expect(moved.annotations[WarmWorkerPods.specHashAnnotation] != warm.annotations[WarmWorkerPods.specHashAnnotation])
    }

    // MARK: the flags' syntax

    struct SelectorCase: Sendable, CustomTestStringConvertible {
        var text: String, expected: [String: String]?
        var testDescription: String { "\"\(text)\"" }
    }

    @Test(arguments: [
        SelectorCase(text: "", expected: [:]),
        SelectorCase(text: "pool=etl", expected: ["pool": "etl"]),
        SelectorCase(text: "pool=etl, cloud.google.com/gke-nodepool=workers ,", expected: ["pool": "etl", "cloud.google.com/gke-nodepool": "workers"]),
        SelectorCase(text: "empty=", expected: ["empty": ""]),
        SelectorCase(text: "pool", expected: nil),
        SelectorCase(text: "=etl", expected: nil),
        SelectorCase(text: "pool=etl,pool=web", expected: nil),
        SelectorCase(text: "pool=has space", expected: nil),
        SelectorCase(text: "bad key!=x", expected: nil),
    ])
    func nodeSelectorSyntax(_ c: SelectorCase) {
        #expect((try? S.nodeSelector(c.text)) == c.expected)
    }

    struct TolerationCase: Sendable, CustomTestStringConvertible {
        var text: String, expected: Toleration?
        var testDescription: String { text }
    }

    @Test(arguments: [
        TolerationCase(text: "dedicated=etl:NoSchedule", expected: dedicated),
        TolerationCase(text: "gpu", expected: gpu),
        TolerationCase(text: "spot:NoExecute", expected: spot),
        TolerationCase(text: "pool=etl", expected: Toleration(key: "pool", operator: .equal, value: "etl")),
        TolerationCase(text: ":NoSchedule", expected: Toleration(operator: .exists, effect: .noSchedule)),
        TolerationCase(text: #"{"key":"spot","operator":"Exists","effect":"NoExecute","tolerationSeconds":60}"#,
                       expected: Toleration(key: "spot", operator: .exists, effect: .noExecute, tolerationSeconds: 60)),
        TolerationCase(text: #"{"key":"dedicated","operator":"Equal","value":"etl","effect":"NoSchedule"}"#, expected: dedicated),
        TolerationCase(text: "", expected: nil),
        TolerationCase(text: "dedicated=etl:NoSchedul", expected: nil),
        TolerationCase(text: "=etl:NoSchedule", expected: nil),
        TolerationCase(text: "dedicated=not valid", expected: nil),
        TolerationCase(text: #"{"key":"a","efect":"NoSchedule"}"#, expected: nil),
        TolerationCase(text: #"{"key":"a","operator":"Exists","value":"x"}"#, expected: nil),
        TolerationCase(text: #"{"key":"a","operator":"Exists","effect":"NoSchedule","tolerationSeconds":5}"#, expected: nil),
        TolerationCase(text: #"{"key":"a","operator":"Maybe"}"#, expected: nil),
        TolerationCase(text: #"["a"]"#, expected: nil),
        TolerationCase(text: "{not json", expected: nil),
    ])
    func tolerationSyntax(_ c: TolerationCase) {
        #expect((try? S.toleration(c.text)) == c.expected)
    }

    @Test func resourceFlags() throws {
        let airbyte = try S.requirements(prefix: "worker", cpuRequest: "500m", cpuLimit: "1", memoryRequest: "1Gi", memoryLimit: "2Gi")
        #expect(airbyte == OperatorDefaults.airbyteResources.source)
        // Empty sets none: no CPU limit at all, as with an empty JOB_MAIN_CONTAINER_CPU_LIMIT.
        #expect(try S.requirements(prefix: "worker", cpuRequest: "250m", cpuLimit: "", memoryRequest: "", memoryLimit: "")
                == ResourceRequirements(requests: ["cpu": "250m"]))
        #expect(try S.requirements(prefix: "worker", cpuRequest: "", cpuLimit: "", memoryRequest: "", memoryLimit: "") == nil)
        #expect(throws: S.Problem("--orchestrator-memory-request 1Gi is above --orchestrator-memory-limit 512Mi")) {
            try S.requirements(prefix: "orchestrator", cpuRequest: "", cpuLimit: "", memoryRequest: "1Gi", memoryLimit: "512Mi")
        }
        for bad in ["lots", "1.5.0", "-1", "2GB"] {
            #expect(throws: S.Problem.self, "\(bad)") { try S.requirements(prefix: "worker", cpuRequest: bad, cpuLimit: "", memoryRequest: "", memoryLimit: "") }
        }
    }

    // MARK: the real binary

    @Test func operatorRefusesBadValuesBeforeConnecting() async throws {
        let dir = FileManager.default.temporaryDirectory.path
        let help = try await runFerryCommand(["operator", "--help"], in: dir)
        for flag in ["--worker-cpu-request", "--worker-memory-limit", "--orchestrator-cpu-limit", "--worker-node-selector", "--worker-toleration"] {
            #expect(help.stdout.contains(flag), "\(flag)")
        }
        // No reachable cluster is needed: the flags are refused while parsing.
        let cases: [([String], String)] = [
            (["--worker-cpu-request", "lots"], "--worker-cpu-request: quantity \"lots\""),
            (["--worker-memory-request", "4Gi"], "--worker-memory-request 4Gi is above --worker-memory-limit 2Gi"),
            (["--worker-node-selector", "pool"], "--worker-node-selector: \"pool\" is not key=value"),
            (["--worker-toleration", "dedicated=etl:Never"], "--worker-toleration: toleration dedicated=etl:Never: effect \"Never\""),
        ]
        for (args, message) in cases {
            let run = try await runFerryCommand(["operator", "--kubeconfig", "/nonexistent/kubeconfig"] + args, in: dir)
            #expect(run.code != 0 && run.stderr.contains(message), "\(args): \(run.stderr)")
        }
        // Valid values (an empty one sets none, as the chart passes it) get past parsing to the
        // missing kubeconfig.
        let valid = try await runFerryCommand([
            "operator", "--kubeconfig", "/nonexistent/kubeconfig", "--worker-cpu-limit", "", "--worker-node-selector", "pool=etl",
            "--worker-toleration", #"{"effect":"NoSchedule","key":"dedicated","operator":"Equal","value":"etl"}"#, "--worker-toleration", "gpu",
        ], in: dir)
        #expect(valid.code != 0 && valid.stderr.contains("/nonexistent/kubeconfig") && !valid.stderr.contains("--worker"), "\(valid.stderr)")
    }
}
