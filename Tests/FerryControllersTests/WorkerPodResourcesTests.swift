/// Resources per container: each level of the precedence Connection > Source/Destination
/// > WorkerPool template > operator defaults, the per-name merge, and request/limit conflicts.
import FerryAPI
import KubeCore
import Testing
@testable import FerryControllers

@Suite struct WorkerPodResourcesTests {
    typealias F = WorkerPodFixtures

    struct Case: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var connection: WorkerResources? = nil
        var source: ResourceRequirements? = nil
        var destination: ResourceRequirements? = nil
        var pool: WorkerResources? = nil
        var defaults: WorkerResources = OperatorDefaults.airbyteResources
        var container: String
        var expected: JSONValue?
    }

    static let cases: [Case] = [
        Case(testDescription: "operator defaults, source", container: "source",
             expected: ["requests": ["cpu": "500m", "memory": "1Gi"], "limits": ["cpu": "1", "memory": "2Gi"]]),
        Case(testDescription: "operator defaults, orchestrator", container: "orchestrator",
             expected: ["requests": ["cpu": "100m", "memory": "128Mi"], "limits": ["cpu": "1", "memory": "512Mi"]]),
        Case(testDescription: "operator defaults, init uses the orchestrator's", container: "init",
             expected: ["requests": ["cpu": "100m", "memory": "128Mi"], "limits": ["cpu": "1", "memory": "512Mi"]]),
        Case(testDescription: "no defaults at all", defaults: WorkerResources(), container: "destination", expected: nil),
        Case(testDescription: "pool over defaults, per name", pool: WorkerResources(source: ResourceRequirements(requests: ["cpu": "800m"])),
             container: "source", expected: ["requests": ["cpu": "800m", "memory": "1Gi"], "limits": ["cpu": "1", "memory": "2Gi"]]),
        Case(testDescription: "pool request above default limit raises it", pool: WorkerResources(source: ResourceRequirements(requests: ["cpu": "2"])),
             container: "source", expected: ["requests": ["cpu": "2", "memory": "1Gi"], "limits": ["cpu": "2", "memory": "2Gi"]]),
        Case(testDescription: "source over pool", source: ResourceRequirements(requests: ["cpu": "750m"]),
             pool: WorkerResources(source: ResourceRequirements(requests: ["cpu": "2"])),
             container: "source", expected: ["requests": ["cpu": "750m", "memory": "1Gi"], "limits": ["cpu": "1", "memory": "2Gi"]]),
        Case(testDescription: "connection over source", connection: WorkerResources(source: ResourceRequirements(limits: ["cpu": "3"])),
             source: ResourceRequirements(limits: ["cpu": "2"], requests: ["cpu": "750m"]),
             container: "source", expected: ["requests": ["cpu": "750m", "memory": "1Gi"], "limits": ["cpu": "3", "memory": "2Gi"]]),
        Case(testDescription: "destination level does not touch the source", destination: ResourceRequirements(requests: ["memory": "3Gi"]),
             container: "source", expected: ["requests": ["cpu": "500m", "memory": "1Gi"], "limits": ["cpu": "1", "memory": "2Gi"]]),
        Case(testDescription: "destination level, request above default limit raises it",
             destination: ResourceRequirements(requests: ["memory": "3Gi"]),
             container: "destination", expected: ["requests": ["cpu": "500m", "memory": "3Gi"], "limits": ["cpu": "1", "memory": "3Gi"]]),
        Case(testDescription: "connection limit below default request caps it",
             connection: WorkerResources(destination: ResourceRequirements(limits: ["memory": "512Mi", "cpu": "250m"])),
             container: "destination", expected: ["requests": ["cpu": "250m", "memory": "512Mi"], "limits": ["cpu": "250m", "memory": "512Mi"]]),
        Case(testDescription: "connection orchestrator over pool orchestrator",
             connection: WorkerResources(orchestrator: ResourceRequirements(requests: ["memory": "256Mi"])),
             pool: WorkerResources(orchestrator: ResourceRequirements(requests: ["cpu": "200m", "memory": "64Mi"])),
             container: "orchestrator", expected: ["requests": ["cpu": "200m", "memory": "256Mi"], "limits": ["cpu": "1", "memory": "512Mi"]]),
        Case(testDescription: "extended resources pass through", pool: WorkerResources(source: ResourceRequirements(limits: ["ephemeral-storage": "10Gi"])),
             container: "source", expected: ["requests": ["cpu": "500m", "memory": "1Gi"], "limits": ["cpu": "1", "memory": "2Gi", "ephemeral-storage": "10Gi"]]),
        Case(testDescription: "integer quantities kept as written", connection: WorkerResources(source: ResourceRequirements(limits: ["cpu": 2])),
             container: "source", expected: ["requests": ["cpu": "500m", "memory": "1Gi"], "limits": ["cpu": 2, "memory": "2Gi"]]),
    ]

    @Test(arguments: cases)
    func precedence(_ c: Case) throws {
        var defaults = F.defaults
        defaults.resources = c.defaults
        let m = try F.build(
            connection: F.connection { $0.resources = c.connection },
            source: F.source(resources: c.source), destination: F.destination(resources: c.destination),
            pool: F.pool(WorkerTemplate(resources: c.pool)), defaults: defaults)
        let container = try #require(m.pod.container(c.container))
        #expect(container["resources"] == (c.expected ?? .null))
    }

    @Test(arguments: [("500m", 0.5), ("1", 1), ("1Gi", 1_073_741_824), ("512Mi", 536_870_912), ("2k", 2000), ("1e3", 1000), ("1.5G", 1.5e9), ("100k", 1e5)])
    func quantities(text: String, value: Double) {
        #expect(ResourceQuantity(text)?.doubleValue == value)
    }

    @Test(arguments: ["", "Gi", "abc", "1Zi"])
    func notQuantities(text: String) {
        #expect(ResourceQuantity(text) == nil)
    }

    @Test func inconsistentLevelIsLeftForTheAPIServer() {
        let merged = ResourceMerge.merge([ResourceRequirements(limits: ["cpu": "1"], requests: ["cpu": "2"])])
        #expect(merged == ResourceRequirements(limits: ["cpu": "1"], requests: ["cpu": "2"]))
    }
}
