/// The table `ferry bench controlplane` prints: one row per phase, as markdown so it can
/// go into docs/benchmarks.md as is.
import FerryAPI
import Foundation
import KubeCore

struct ControlPlaneReport {
    struct Phase {
        var label: String
        var sample: OperatorSample
        var duration: Duration?
        var reconciles: Double?
        var byController: [(String, Double)] = []
        var queueWait: (p50: String, p99: String)?
        var note: String?
    }

    var connections: Int
    var finishedSyncs: Int
    var activeSyncs: Int
    var projections: Bool
    var phases: [Phase] = []
    var firstCreateToLastPod: Duration?
    var total: Duration?

    static let reconcileTotal = "controller_runtime_reconcile_total"
    static let queueDuration = "workqueue_queue_duration_seconds"

    /// A phase ending at `sample`; rates over `duration`, from `before` to `ratesAt` (the
    /// end of the measured interval; `sample`, taken once the queues drained, by default).
    mutating func record(_ label: String, _ sample: OperatorSample, since before: OperatorSample? = nil, duration: Duration? = nil,
                         ratesAt: OperatorSample? = nil, note: String? = nil) {
        FileHandle.standardError.write(Data("[controlplane] \(label): VmRSS \(ProcessMemory.mib(sample.memory.rss))\n".utf8))
        var phase = Phase(label: label, sample: sample, duration: duration, note: note)
        if let before {
            let end = ratesAt ?? sample
            phase.reconciles = end.sum(Self.reconcileTotal) - before.sum(Self.reconcileTotal)
            let controllers = Set(end.metrics.samples.filter { $0.name == Self.reconcileTotal }.compactMap { $0.labels["controller"] })
            phase.byController = controllers.sorted().map { c in
                (c, end.sum(Self.reconcileTotal, ["controller": c]) - before.sum(Self.reconcileTotal, ["controller": c]))
            }.filter { $0.1 > 0 }
            let delta = Self.delta(end.metrics.buckets(Self.queueDuration), before.metrics.buckets(Self.queueDuration))
            if let p50 = Self.quantile(0.5, delta), let p99 = Self.quantile(0.99, delta) { phase.queueWait = (p50, p99) }
        }
        phases.append(phase)
    }

    static func delta(_ after: [(bound: Double, count: Double)], _ before: [(bound: Double, count: Double)]) -> [(bound: Double, count: Double)] {
        let old = Dictionary(before.map { ($0.bound, $0.count) }, uniquingKeysWith: +)
        return after.map { ($0.bound, $0.count - (old[$0.bound] ?? 0)) }
    }

    /// Prometheus' `histogram_quantile`: linear within the bucket the rank falls in, from
    /// the bucket's lower bound (0 for the first); "> bound" past the last finite bound.
    static func quantile(_ q: Double, _ buckets: [(bound: Double, count: Double)]) -> String? {
        guard let total = buckets.last?.count, total > 0 else { return nil }
        let rank = q * total
        var lower = 0.0, below = 0.0
        for (bound, count) in buckets {
            if count >= rank {
                guard bound.isFinite else { return "> " + seconds(lower) }
                let inBucket = count - below
                return seconds(inBucket > 0 ? lower + (bound - lower) * (rank - below) / inBucket : bound)
            }
            lower = bound
            below = count
        }
        return nil
    }

    static func seconds(_ s: Double) -> String {
        if s >= 1 { return String(format: "%.2f s", s) }
        if s >= 0.001 { return String(format: "%.1f ms", s * 1000) }
        return String(format: "%.0f µs", s * 1_000_000)
    }

    static func mib(_ bytes: Double) -> String { String(format: "%.1f MiB", bytes / 1_048_576) }

    func cache(_ sample: OperatorSample, _ plural: String, group: String) -> String {
        let resource = plural + (group.isEmpty ? "" : "." + group)
        let objects = sample.sum("ferry_informer_cache_objects", ["resource": resource])
        let bytes = sample.sum("ferry_informer_cache_bytes", ["resource": resource])
        return "\(Int(objects)) / \(Self.mib(bytes))"
    }

    func lines() -> [String] {
        var out = [
            "Control plane benchmark: \(connections) Connections, \(finishedSyncs) finished Syncs, \(activeSyncs) active Syncs",
            "(ferry operator, ferry apiserver and ferry node --runtime simulated as separate processes; cache projections \(projections ? "on" : "OFF"))",
            "",
            "| phase | took | reconciles (/s) | queue wait p50 / p99 | Connections cached (objects / JSON) | Syncs cached | Pods cached | all caches | operator VmRSS | VmHWM |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for phase in phases {
            let s = phase.sample
            let took = phase.duration.map { String(format: "%.1f s", $0.seconds) } ?? "—"
            let reconciles = phase.reconciles.map { r in
                phase.duration.map { String(format: "%.0f (%.0f/s)", r, r / max($0.seconds, 1e-9)) } ?? String(format: "%.0f", r)
            } ?? "—"
            let wait = phase.queueWait.map { "\($0.p50) / \($0.p99)" } ?? "—"
            let all = "\(Int(s.sum("ferry_informer_cache_objects"))) / \(Self.mib(s.sum("ferry_informer_cache_bytes")))"
            out.append("| \(phase.label) | \(took) | \(reconciles) | \(wait) | \(cache(s, "connections", group: FerryAPI.group)) | "
                       + "\(cache(s, "syncs", group: FerryAPI.group)) | \(cache(s, "pods", group: "")) | \(all) | "
                       + "\(ProcessMemory.mib(s.memory.rss)) | \(ProcessMemory.mib(s.memory.hwm)) |")
        }
        out.append("")
        for phase in phases where !phase.byController.isEmpty || phase.note != nil {
            let controllers = phase.byController.map { "\($0.0) \(Int($0.1))" }.joined(separator: ", ")
            out.append("- \(phase.label): \([phase.note, controllers.isEmpty ? nil : "reconciles by controller: " + controllers].compactMap { $0 }.joined(separator: "; "))")
        }
        if let d = firstCreateToLastPod {
            out.append(String(format: "- first of %d Syncs created -> %dth worker pod created: %.1f s", activeSyncs, activeSyncs, d.seconds))
        }
        out.append("- queue wait: workqueue_queue_duration_seconds (add to reconcile start) over the phase, all controllers; decade buckets, interpolated linearly")
        if let total { out.append(String(format: "- whole run: %.0f s", total.seconds)) }
        return out
    }
}

extension Duration {
    /// Seconds as a Double, for rates in the bench's report.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
