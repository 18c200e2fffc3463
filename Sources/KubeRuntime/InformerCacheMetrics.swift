/// The size of every informer cache as gauges, computed at scrape time: how many objects
/// each cache holds and how large they are as JSON. What a cache costs is what decides
/// the operator's memory at scale, so it is measured where an operator is watched.
import KubeCore

enum InformerCacheMetrics {
    static let objects = "ferry_informer_cache_objects"
    static let bytes = "ferry_informer_cache_bytes"

    static func describe(_ metrics: MetricsRegistry) {
        metrics.describe(objects, kind: .gauge, help: "Objects in an informer cache, by resource and namespace (empty: all namespaces)")
        metrics.describe(bytes, kind: .gauge, help: "Approximate compact-JSON size of the objects in an informer cache (after its transform), by resource and namespace")
    }

    /// Sets both gauges for `informer`. A walk over the cached values with no allocation:
    /// about a millisecond per thousand objects, so it runs at scrape time rather than on
    /// every event.
    static func collect(_ informer: Informer, namespace: String?, into metrics: MetricsRegistry) {
        let labels = ["resource": informer.resource.plural + (informer.resource.gvk.group.isEmpty ? "" : "." + informer.resource.gvk.group),
                      "namespace": namespace ?? ""]
        let cached = informer.store.list()
        metrics.set(objects, labels, to: Double(cached.count))
        metrics.set(bytes, labels, to: Double(cached.reduce(0) { $0 + jsonSize($1) }))
    }

    /// The length of `value` as compact JSON, counting string escapes as one byte (the
    /// estimate is for sizing caches, not for framing).
    static func jsonSize(_ value: JSONValue) -> Int {
        switch value {
        case .null: return 4
        case .bool(let b): return b ? 4 : 5
        case .int(let i): return digits(i)
        case .double: return 8
        case .string(let s): return s.utf8.count + 2
        case .array(let items): return items.reduce(1 + max(items.count, 1)) { $0 + jsonSize($1) }
        case .object(let members):
            return members.reduce(1 + max(members.count, 1)) { $0 + $1.key.utf8.count + 3 + jsonSize($1.value) }
        }
    }

    private static func digits(_ i: Int64) -> Int {
        var n = i == Int64.min ? Int64.max : abs(i), count = i < 0 ? 2 : 1
        while n >= 10 { n /= 10; count += 1 }
        return count
    }
}
