/// The operator-wide defaults of worker pods — resources, node selector, tolerations —
/// as Airbyte sets them with JOB_MAIN_CONTAINER_{CPU,MEMORY}_{REQUEST,LIMIT},
/// JOB_KUBE_NODE_SELECTORS and JOB_KUBE_TOLERATIONS; shared by `ferry operator` and
/// `ferry dev` so both spell and default them alike. They are the lowest level: a
/// WorkerPool's template, a connector and a Connection override them.
import ArgumentParser
import FerryAPI
import FerryControllers

struct WorkerDefaultsFlags: ParsableArguments {
    @Option(name: .customLong("worker-cpu-request"),
            help: "CPU request of the source and destination containers (JOB_MAIN_CONTAINER_CPU_REQUEST); empty: none.")
    var cpuRequest = Self.airbyte(\.source, \.requests, "cpu")

    @Option(name: .customLong("worker-cpu-limit"),
            help: "CPU limit of the source and destination containers (JOB_MAIN_CONTAINER_CPU_LIMIT); empty: none.")
    var cpuLimit = Self.airbyte(\.source, \.limits, "cpu")

    @Option(name: .customLong("worker-memory-request"),
            help: "Memory request of the source and destination containers (JOB_MAIN_CONTAINER_MEMORY_REQUEST); empty: none.")
    var memoryRequest = Self.airbyte(\.source, \.requests, "memory")

    @Option(name: .customLong("worker-memory-limit"),
            help: "Memory limit of the source and destination containers (JOB_MAIN_CONTAINER_MEMORY_LIMIT); empty: none.")
    var memoryLimit = Self.airbyte(\.source, \.limits, "memory")

    @Option(name: .customLong("orchestrator-cpu-request"), help: "CPU request of the worker pods' orchestrator (and init) container; empty: none.")
    var orchestratorCPURequest = Self.airbyte(\.orchestrator, \.requests, "cpu")

    @Option(name: .customLong("orchestrator-cpu-limit"), help: "CPU limit of the orchestrator container; empty: none.")
    var orchestratorCPULimit = Self.airbyte(\.orchestrator, \.limits, "cpu")

    @Option(name: .customLong("orchestrator-memory-request"), help: "Memory request of the orchestrator container; empty: none.")
    var orchestratorMemoryRequest = Self.airbyte(\.orchestrator, \.requests, "memory")

    @Option(name: .customLong("orchestrator-memory-limit"), help: "Memory limit of the orchestrator container; empty: none.")
    var orchestratorMemoryLimit = Self.airbyte(\.orchestrator, \.limits, "memory")

    @Option(name: .customLong("worker-node-selector"),
            help: "nodeSelector of worker, probe and warm-worker pods, key=value,key2=value2 (JOB_KUBE_NODE_SELECTORS); a WorkerPool or Connection overrides it key by key.")
    var nodeSelector = ""

    @Option(name: .customLong("worker-toleration"),
            help: "A toleration of worker, probe and warm-worker pods; repeat for several. key=value:Effect (operator Equal), key:Effect or key (Exists), :Effect (every taint of that effect), or a core/v1 Toleration as JSON.")
    var tolerations: [String] = []

    /// Refuses bad values while parsing, before anything connects.
    func validate() throws {
        _ = try defaults(orchestratorImage: "")
    }

    /// The operator defaults with these flags' resources and placement.
    func defaults(orchestratorImage: String, ferryCommand: String = "ferry", restrictedSecurityContext: Bool = true) throws -> OperatorDefaults {
        typealias S = OperatorDefaultsSyntax
        do {
            let connector = try S.requirements(prefix: "worker", cpuRequest: cpuRequest, cpuLimit: cpuLimit, memoryRequest: memoryRequest, memoryLimit: memoryLimit)
            let orchestrator = try S.requirements(prefix: "orchestrator", cpuRequest: orchestratorCPURequest, cpuLimit: orchestratorCPULimit,
                                                  memoryRequest: orchestratorMemoryRequest, memoryLimit: orchestratorMemoryLimit)
            let selector: [String: String]
            do { selector = try S.nodeSelector(nodeSelector) } catch { throw S.Problem("--worker-node-selector: \(error)") }
            var parsed: [Toleration] = []
            for text in tolerations {
                do { parsed.append(try S.toleration(text)) } catch { throw S.Problem("--worker-toleration: \(error)") }
            }
            return OperatorDefaults(
                orchestratorImage: orchestratorImage, ferryCommand: ferryCommand,
                resources: WorkerResources(orchestrator: orchestrator, source: connector, destination: connector),
                nodeSelector: selector, tolerations: parsed, restrictedSecurityContext: restrictedSecurityContext)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// A flag's default: the quantity in `OperatorDefaults.airbyteResources`, so the flags
    /// and the library default cannot drift apart.
    static func airbyte(_ container: KeyPath<WorkerResources, ResourceRequirements?>,
                        _ half: KeyPath<ResourceRequirements, [String: Quantity]?>, _ resource: String) -> String {
        OperatorDefaults.airbyteResources[keyPath: container]?[keyPath: half]?[resource]?.text ?? ""
    }
}
