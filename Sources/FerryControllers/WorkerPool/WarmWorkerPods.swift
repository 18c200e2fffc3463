/// `warmWorkers`: placeholder pods that hold the room of one worker pod each, at a priority
/// below every real pod, so a cluster autoscaler adds nodes before a burst of syncs needs
/// them and the scheduler preempts a placeholder the moment a real worker needs its room
/// (the cluster-proportional "overprovisioning" pattern).
///
/// A placeholder requests what one worker pod of the pool requests — the sum of its
/// orchestrator, source and destination containers with the pool template over the
/// operator defaults — and uses the pool's placement (nodeSelector, tolerations,
/// affinity, over the operator's nodeSelector and tolerations), so it reserves room on
/// the nodes the pool's workers would use. It runs `ferry worker placeholder` from the
/// operator's own image (it only waits for SIGTERM), carries no `ferry.dev/pool` or
/// `ferry.dev/sync` label, and so is neither counted as a worker nor taken for an
/// orphaned worker by the sweeper. Pure: building and planning are functions of values;
/// the WorkerPool reconciler applies the plan.
import FerryAPI
import Foundation
import KubeCore

public struct WarmWorkerOptions: Sendable, Hashable {
    public enum Flag {
        public static let priorityClass = "--warm-worker-priority-class"
    }

    /// A PriorityClass with a negative value (the manifests ship `ferry-warm-worker`, -10),
    /// so any real pod preempts a placeholder.
    public var priorityClassName: String
    /// Image, command and the last level of the resources precedence.
    public var defaults: OperatorDefaults

    public init(priorityClassName: String = "ferry-warm-worker", defaults: OperatorDefaults = OperatorDefaults(orchestratorImage: "ferry:latest")) {
        self.priorityClassName = priorityClassName
        self.defaults = defaults
    }
}

enum WarmWorkerPods {
    /// Marks a placeholder and names its pool (a label value).
    static let poolLabel = "ferry.dev/warm-pool"
    /// The desired spec's hash: a placeholder whose pool template changed is replaced.
    static let specHashAnnotation = "ferry.dev/spec-hash"
    static let container = "placeholder"

    /// `<pool>-warm-<index>`, shortened like worker pod names when the pool's name is long.
    static func name(pool: String, index: Int) -> String {
        let suffix = "-warm-\(index)"
        if pool.count + suffix.count <= WorkerPodNaming.maxLength { return pool + suffix }
        return WorkerPodNaming.shortened(pool, room: WorkerPodNaming.maxLength - suffix.count) + suffix
    }

    /// The placeholder pod `index` of `pool`, owned by the pool.
    static func pod(pool: WorkerPool, index: Int, options: WarmWorkerOptions) throws(WorkerPodBuildError) -> JSONValue {
        let poolName = pool.metadata.name ?? ""
        let template = pool.spec.template
        let d = options.defaults, p = template?.resources
        let requirements = [
            ResourceMerge.merge([p?.orchestrator, d.resources.orchestrator]),
            ResourceMerge.merge([p?.source, d.resources.source]),
            ResourceMerge.merge([p?.destination, d.resources.destination]),
        ]
        var container: JSONValue = [
            "name": .string(container), "image": .string(d.orchestratorImage),
            "command": [.string(d.ferryCommand), "worker", "placeholder"],
            "resources": resources(summing: requirements),
        ]
        var spec: JSONValue = ["restartPolicy": "Never", "terminationGracePeriodSeconds": 1, "priorityClassName": .string(options.priorityClassName)]
        // Placement from the pool's template over the operator's; the pool's own priority class is for real workers.
        for (key, value) in try WorkerPodBuilder.scheduling(connection: nil, pool: template, defaults: d) where key != "priorityClassName" && key != "serviceAccountName" {
            spec[key] = value
        }
        let security = try WorkerPodSecurity.contexts(restricted: d.restrictedSecurityContext, override: nil)
        if let podContext = security.pod { spec["securityContext"] = podContext }
        if let containerContext = security.container { container["securityContext"] = containerContext }
        spec["containers"] = [container]
        let hash = WorkerPodNaming.stableHash(spec.serialized())
        return [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": [
                "name": .string(name(pool: poolName, index: index)), "namespace": .string(pool.metadata.namespace ?? ""),
                "labels": [FerryLabels.managedBy: .string(FerryLabels.managedByValue), poolLabel: .string(WorkerPodNaming.labelValue(poolName))],
                "annotations": [specHashAnnotation: .string(hash)],
                "ownerReferences": [[
                    "apiVersion": .string(FerryAPI.apiVersion), "kind": "WorkerPool", "name": .string(poolName),
                    "uid": .string(pool.metadata.uid ?? ""), "controller": true, "blockOwnerDeletion": true,
                ]],
            ],
            "spec": spec,
        ]
    }

    /// What to change so that exactly `warmWorkers` current placeholders exist: delete those
    /// beyond the count, finished (preempted, evicted, failed) or built from an older
    /// template; create the missing ones.
    static func plan(desired: [JSONValue], existing: [JSONValue]) -> (create: [JSONValue], delete: [String]) {
        let wanted = Dictionary(desired.compactMap { pod in pod.name.map { ($0, pod) } }, uniquingKeysWith: { first, _ in first })
        var delete: [String] = []
        var kept = Set<String>()
        for pod in existing where pod.deletionTimestamp == nil {
            guard let name = pod.name else { continue }
            let phase = pod["status"]["phase"].stringValue
            let current = wanted[name].map { pod.annotations[specHashAnnotation] == $0.annotations[specHashAnnotation] } ?? false
            if current, phase != "Succeeded", phase != "Failed" { kept.insert(name) } else { delete.append(name) }
        }
        let terminating = Set(existing.filter { $0.deletionTimestamp != nil }.compactMap(\.name))
        // A deleted placeholder is recreated once it is gone (its name is still taken).
        let create = desired.filter { pod in pod.name.map { !kept.contains($0) && !terminating.contains($0) && !delete.contains($0) } ?? false }
        return (create, delete.sorted())
    }

    /// One container's worth of the sum of `requirements`: CPU in millicores, the rest in
    /// whole base units (bytes for memory).
    static func resources(summing requirements: [ResourceRequirements?]) -> JSONValue {
        func sum(_ pick: (ResourceRequirements) -> [String: Quantity]?) -> JSONValue {
            var millis: [String: Int64] = [:]
            for level in requirements.compactMap({ $0 }) {
                for (name, quantity) in pick(level) ?? [:] { millis[name, default: 0] += ResourceQuantity(quantity.text)?.milliValue ?? 0 }
            }
            return .object(Dictionary(uniqueKeysWithValues: millis.map { name, milli in
                (name, .string(name == "cpu" ? "\(milli)m" : String((milli + 999) / 1000)))
            }))
        }
        var out: JSONValue = [:]
        let requests = sum(\.requests), limits = sum(\.limits)
        if requests.objectValue?.isEmpty == false { out["requests"] = requests }
        if limits.objectValue?.isEmpty == false { out["limits"] = limits }
        return out
    }
}
