/// Per-container resources with the precedence Connection > Source/Destination >
/// WorkerPool template > operator defaults, merged per resource name.
import FerryAPI

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
                  let r = ResourceQuantity.value(request.0.text), let l = ResourceQuantity.value(limit.0.text), r > l
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

/// Just enough of core/v1 `resource.Quantity` to compare two quantities: decimal and
/// binary suffixes and exponents.
public enum ResourceQuantity {
    static let suffixes: [(String, Double)] = [
        ("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776),
        ("Pi", 1_125_899_906_842_624), ("Ei", 1_152_921_504_606_846_976),
        ("n", 1e-9), ("u", 1e-6), ("m", 1e-3), ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("P", 1e15), ("E", 1e18),
    ]

    /// The quantity's value in base units, or nil when `text` is not a quantity.
    public static func value(_ text: String) -> Double? {
        var number = Substring(text)
        var scale = 1.0
        if let (suffix, factor) = suffixes.first(where: { text.hasSuffix($0.0) }) {
            number = number.dropLast(suffix.count)
            scale = factor
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isNumber || "+-.eE".contains($0) }), let v = Double(number), v >= 0 else { return nil }
        return v * scale
    }
}
