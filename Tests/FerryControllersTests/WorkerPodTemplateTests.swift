/// Pod template fields (Connection over WorkerPool) and the security defaults with their
/// opt-outs.
import FerryAPI
import KubeCore
import Testing
@testable import FerryControllers

@Suite struct WorkerPodTemplateTests {
    typealias F = WorkerPodFixtures

    static let poolTemplate = WorkerTemplate(
        nodeSelector: ["pool": "etl", "disk": "hdd"],
        tolerations: [Toleration(key: "dedicated", operator: .equal, value: "etl", effect: .noSchedule)],
        affinity: ["nodeAffinity": ["pool": "a"]],
        priorityClassName: "batch-low", serviceAccountName: "pool-sa")

    @Test func poolTemplateAlone() throws {
        let spec = try F.build(pool: F.pool(Self.poolTemplate)).pod["spec"]
        #expect(spec["nodeSelector"] == ["pool": "etl", "disk": "hdd"])
        #expect(spec["tolerations"] == [["key": "dedicated", "operator": "Equal", "value": "etl", "effect": "NoSchedule"]])
        #expect(spec["affinity"] == ["nodeAffinity": ["pool": "a"]])
        #expect(spec["priorityClassName"] == "batch-low")
        #expect(spec["serviceAccountName"] == "pool-sa")
    }

    @Test func connectionOverPool() throws {
        let c = F.connection {
            $0.podTemplate = PodTemplateOverrides(
                nodeSelector: ["disk": "ssd", "zone": "a"],
                tolerations: [Toleration(key: "gpu", operator: .exists), Toleration(key: "dedicated", operator: .equal, value: "etl", effect: .noSchedule)],
                affinity: ["podAntiAffinity": ["x": 1]], priorityClassName: "urgent", serviceAccountName: "conn-sa")
        }
        let spec = try F.build(connection: c, pool: F.pool(Self.poolTemplate)).pod["spec"]
        #expect(spec["nodeSelector"] == ["pool": "etl", "disk": "ssd", "zone": "a"])
        #expect(spec["tolerations"] == [["key": "dedicated", "operator": "Equal", "value": "etl", "effect": "NoSchedule"], ["key": "gpu", "operator": "Exists"]])
        #expect(spec["affinity"] == ["podAntiAffinity": ["x": 1]])
        #expect(spec["priorityClassName"] == "urgent")
        #expect(spec["serviceAccountName"] == "conn-sa")
    }

    @Test func nothingSetNothingEmitted() throws {
        let spec = try F.build().pod["spec"]
        for key in ["nodeSelector", "tolerations", "affinity", "priorityClassName", "serviceAccountName"] {
            #expect(!spec.has(key), "\(key)")
        }
    }

    @Test func restrictedByDefault() throws {
        let pod = try F.build().pod
        #expect(pod["spec"]["securityContext"] == ["runAsNonRoot": true, "runAsUser": 1000, "runAsGroup": 1000, "seccompProfile": ["type": "RuntimeDefault"]])
        for name in ["init", "source", "destination", "orchestrator"] {
            #expect(pod.container(name)?["securityContext"] == ["allowPrivilegeEscalation": false, "capabilities": ["drop": ["ALL"]]], "\(name)")
        }
    }

    @Test func podTemplateOptsOutForRoot() throws {
        let c = F.connection {
            $0.podTemplate = PodTemplateOverrides(securityContext: ["runAsNonRoot": false, "runAsUser": 0, "fsGroup": 0, "capabilities": ["add": ["CHOWN"]]])
        }
        let pod = try F.build(connection: c).pod
        #expect(pod["spec"]["securityContext"] == ["runAsNonRoot": false, "runAsUser": 0, "runAsGroup": 1000, "fsGroup": 0, "seccompProfile": ["type": "RuntimeDefault"]])
        #expect(pod.container("source")?["securityContext"] == ["allowPrivilegeEscalation": false, "capabilities": ["add": ["CHOWN"]]])
    }

    @Test func operatorFlagTurnsDefaultsOff() throws {
        var defaults = F.defaults
        defaults.restrictedSecurityContext = false
        let plain = try F.build(defaults: defaults).pod
        #expect(!plain["spec"].has("securityContext"))
        #expect(plain.container("source")?.has("securityContext") == false)
        let withTemplate = try F.build(connection: F.connection { $0.podTemplate = PodTemplateOverrides(securityContext: ["runAsUser": 5000]) }, defaults: defaults).pod
        #expect(withTemplate["spec"]["securityContext"] == ["runAsUser": 5000])
    }
}
