/// Per-container resources with the precedence Connection > Source/Destination >
/// WorkerPool template > operator defaults, merged per resource name.
import FerryAPI
import KubeCore

public enum ResourceMerge {
    /// Merges `levels`, highest precedence first. Within `requests` and `limits`, a level
    /// replaces only the resource names it sets (`limits.memory` on a Connection keeps the
    /// pool's `limits.cpu`), as a Kubernetes user expects from a per-name map.
    ///
    /// A request above its limit would be rejected by the API server; it happens when two
    /// levels set the two halves. The half from the higher level wins and the other is set
    /// equal to it: a Connection's `limits.memory: 512Mi` caps the default 1Gi request, and
    /// a Connection's `requests.memory: 4Gi` raises the default 2Gi limit. When one level
    /// sets both inconsistently, they are left for the API server to reject.
    public static func merge(_ levels: [ResourceRequirements?]) -> ResourceRequirements? {
        var requests: [String: (Quantity, Int)] = [:]
        var limits: [String: (Quantity, Int)] = [:]
        for (rank, level) in levels.enumerated().reversed() {
            for (name, q) in level?.requests ?? [:] { requests[name] = (q, rank) }
            for (name, q) in level?.limits ?? [:] { limits[name] = (q, rank) }
        }
        for (name, limit) in limits {
            guard let request = requests[name], limit.1 != request.1,
                  let r = ResourceQuantity(request.0.text)?.doubleValue, let l = ResourceQuantity(limit.0.text)?.doubleValue, r > l
            else { continue }
            if limit.1 < request.1 { requests[name] = limit } else { limits[name] = request }
        }
        if requests.isEmpty && limits.isEmpty { return nil }
        return ResourceRequirements(
            limits: limits.isEmpty ? nil : limits.mapValues(\.0),
            requests: requests.isEmpty ? nil : requests.mapValues(\.0)
        )
    }
}
