/// Where a worker pod may run: the Connection's `podTemplate` over the WorkerPool's
/// `template` over the operator defaults (nodeSelector and tolerations only), field by field.
import FerryAPI
import KubeCore

extension WorkerPodBuilder {
    /// - nodeSelector: merged per key, the Connection's value winning over the pool's, the
    ///   pool's over the operator's; a Connection narrows the pool's placement but cannot
    ///   drop a key the pool (or the operator) requires.
    /// - tolerations: the operator's, the pool's, then the Connection's, exact duplicates
    ///   dropped; a toleration only widens where a pod may go, and dropping the pool's
    ///   would keep its pods off the pool's dedicated (tainted) nodes.
    /// - affinity: the Connection's replaces the pool's whole; merging node and pod
    ///   affinity terms has no meaning a user could predict (required terms are ORed).
    /// - priorityClassName, serviceAccountName: the Connection's when set.
    static func scheduling(connection c: PodTemplateOverrides?, pool p: WorkerTemplate?, defaults d: OperatorDefaults) throws(WorkerPodBuildError) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        var nodeSelector = d.nodeSelector
        nodeSelector.merge(p?.nodeSelector ?? [:]) { _, pool in pool }
        nodeSelector.merge(c?.nodeSelector ?? [:]) { _, connection in connection }
        if !nodeSelector.isEmpty { out["nodeSelector"] = .object(nodeSelector.mapValues(JSONValue.string)) }

        var tolerations: [Toleration] = []
        for t in d.tolerations + (p?.tolerations ?? []) + (c?.tolerations ?? []) where !tolerations.contains(t) { tolerations.append(t) }
        if !tolerations.isEmpty { out["tolerations"] = try json(tolerations, "tolerations") }

        if let affinity = nonNull(c?.affinity) ?? nonNull(p?.affinity) { out["affinity"] = affinity }
        if let name = nonEmpty(c?.priorityClassName) ?? nonEmpty(p?.priorityClassName) { out["priorityClassName"] = .string(name) }
        if let name = nonEmpty(c?.serviceAccountName) ?? nonEmpty(p?.serviceAccountName) { out["serviceAccountName"] = .string(name) }
        return out
    }

    static func nonNull(_ v: JSONValue?) -> JSONValue? { v.flatMap { $0.isNull ? JSONValue?.none : $0 } }
    static func nonEmpty(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }
}
