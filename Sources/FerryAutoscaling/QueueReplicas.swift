/// The Queue metric's proposal: the HPA's External metric with an AverageValue target
/// (`GetExternalPerPodMetricReplicas`), which is how KEDA scales on a queue length.
/// usage = queued + running Syncs; the ratio divides by the current worker count.
import Foundation

enum QueueReplicas {
    /// Within tolerance → current; otherwise ceil(usage / target). At zero workers the
    /// ratio is infinite (or NaN with no Syncs), so the tolerance never applies there.
    /// Values in thousandths, as the HPA's `MilliValue()` of both.
    static func replicas(currentWorkers: Int32, usageMillis: Int64, targetMillis: Int64, settings: AutoscalerSettings) -> Int32 {
        let ratio = Double(usageMillis) / (Double(targetMillis) * Double(currentWorkers))
        if settings.isWithinTolerance(ratio) { return currentWorkers }
        return ceilInt32(Double(usageMillis) / Double(targetMillis))
    }
}
