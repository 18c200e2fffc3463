/// The Resource metric's proposal over the pool's worker pods, as the HPA's replica
/// calculator computes it (replica_calculator.go `GetResourceReplicas` for
/// averageUtilization, `GetRawResourceReplicas` / `calcPlainMetricReplicas` for averageValue).
/// Values are in thousandths (cpu millicores, memory millibytes) like the metrics client's
/// `MilliValue()`.
import FerryAPI
import Foundation

/// A replica-calculator error; the text is what the HPA shows after "failed to get cpu utilization: ".
struct ReplicaCalculationError: Error, Hashable {
    var message: String
    init(_ message: String) { self.message = message }
}

enum ResourceReplicas {
    /// `groupPods`: which pods count, which are unready (left out, or 0 on scale-up), which
    /// lack a sample (filled in), which are ignored. Readiness rules apply only to cpu.
    struct PodGroups: Equatable {
        var readyCount = 0
        var unready: Set<String> = []
        var missing: Set<String> = []
        var ignored: Set<String> = []
    }

    /// `usage / request` samples by pod name, in thousandths.
    static func samples(_ pods: [WorkerPodSample], _ resource: ResourceMetricName) -> [String: Int64] {
        var out: [String: Int64] = [:]
        for pod in pods {
            if let usage = usage(pod, resource) { out[pod.name] = usage }
        }
        return out
    }

    static func usage(_ pod: WorkerPodSample, _ resource: ResourceMetricName) -> Int64? {
        switch resource {
        case .cpu: return pod.cpuUsageMillis
        case .memory: return pod.memoryUsageBytes.map(milli)
        }
    }

    static func request(_ pod: WorkerPodSample, _ resource: ResourceMetricName) -> Int64? {
        switch resource {
        case .cpu: return pod.cpuRequestMillis
        case .memory: return pod.memoryRequestBytes.map(milli)
        }
    }

    static func milli(_ value: Int64) -> Int64 {
        let (result, overflow) = value.multipliedReportingOverflow(by: 1000)
        return overflow ? (value < 0 ? .min : .max) : result
    }

    static func groupPods(_ pods: [WorkerPodSample], samples: [String: Int64], resource: ResourceMetricName, now: Date, settings: AutoscalerSettings) -> PodGroups {
        var groups = PodGroups()
        for pod in pods {
            if pod.deleting || pod.phase == .failed {
                groups.ignored.insert(pod.name)
                continue
            }
            // Pending comes before the sample check: a Pending pod without a sample is unready, not missing.
            if pod.phase == .pending {
                groups.unready.insert(pod.name)
                continue
            }
            guard samples[pod.name] != nil else {
                groups.missing.insert(pod.name)
                continue
            }
            if resource == .cpu, isUnreadyForCPU(pod, now: now, settings: settings) {
                groups.unready.insert(pod.name)
                continue
            }
            groups.readyCount += 1
        }
        return groups
    }

    /// CPU of a starting pod is misleading: inside the initialisation period a sample counts
    /// only once the pod is Ready and a full metric window has passed since; after it, only
    /// pods that never became ready are left out.
    static func isUnreadyForCPU(_ pod: WorkerPodSample, now: Date, settings: AutoscalerSettings) -> Bool {
        guard let ready = pod.ready, let start = pod.startTime else { return true }
        // A Ready condition without a transition time is Go's zero time.
        let transition = pod.readyTransitionTime ?? .distantPast
        if start.addingTimeInterval(settings.cpuInitializationPeriod) > now {
            let sampled = pod.metricTimestamp ?? now
            return !ready || sampled < transition.addingTimeInterval(pod.metricWindow ?? 0)
        }
        return !ready && start.addingTimeInterval(settings.initialReadinessDelay) > transition
    }

    /// `GetResourceReplicas`: proposal, utilization (integer percent) and raw average.
    static func utilizationReplicas(currentWorkers: Int32, targetUtilization: Int32, resource: ResourceMetricName, pods: [WorkerPodSample],
                                    now: Date, settings: AutoscalerSettings) -> Result<(workers: Int32, utilization: Int32, rawAverage: Int64), ReplicaCalculationError> {
        guard !pods.isEmpty else { return .failure(.init("no pods returned by selector while calculating replica count")) }
        var metrics = samples(pods, resource)
        let groups = groupPods(pods, samples: metrics, resource: resource, now: now, settings: settings)
        for name in groups.ignored.union(groups.unready) { metrics[name] = nil }
        guard !metrics.isEmpty else { return .failure(.init("did not receive metrics for targeted pods (pods might be unready)")) }

        var requests: [String: Int64] = [:]
        for pod in pods {
            guard let request = request(pod, resource) else {
                return .failure(.init("missing request for \(resource.rawValue) in a container of Pod \(pod.name)"))
            }
            requests[pod.name] = request
        }
        guard let (ratio, utilization, rawAverage) = utilizationRatio(metrics, requests, target: targetUtilization) else {
            return .failure(.init("no metrics returned matched known pods"))
        }

        let scaleUpWithUnready = !groups.unready.isEmpty && ratio > 1
        if !scaleUpWithUnready && groups.missing.isEmpty {
            if settings.isWithinTolerance(ratio) { return .success((currentWorkers, utilization, rawAverage)) }
            return .success((ceilInt32(ratio * Double(groups.readyCount)), utilization, rawAverage))
        }
        if !groups.missing.isEmpty {
            if ratio < 1 {
                // Scale-down: a pod without a sample is assumed at max(100%, target) of its request.
                let fallback = Int64(max(100, targetUtilization))
                for name in groups.missing { metrics[name] = (requests[name] ?? 0) * fallback / 100 }
            } else if ratio > 1 {
                // Scale-up: assumed idle. At exactly 1 the missing pods stay out.
                for name in groups.missing { metrics[name] = 0 }
            }
        }
        if scaleUpWithUnready {
            for name in groups.unready { metrics[name] = 0 }
        }
        guard let (newRatio, _, _) = utilizationRatio(metrics, requests, target: targetUtilization) else {
            return .failure(.init("no metrics returned matched known pods"))
        }
        return .success((settled(current: currentWorkers, ratio: ratio, newRatio: newRatio, count: metrics.count, settings: settings), utilization, rawAverage))
    }

    /// `GetRawResourceReplicas` / `calcPlainMetricReplicas`: the average usage against a
    /// per-pod target; missing pods are at the target on scale-down, idle otherwise.
    static func averageValueReplicas(currentWorkers: Int32, targetMillis: Int64, resource: ResourceMetricName, pods: [WorkerPodSample],
                                     now: Date, settings: AutoscalerSettings) -> Result<(workers: Int32, average: Int64), ReplicaCalculationError> {
        guard !pods.isEmpty else { return .failure(.init("no pods returned by selector while calculating replica count")) }
        var metrics = samples(pods, resource)
        let groups = groupPods(pods, samples: metrics, resource: resource, now: now, settings: settings)
        for name in groups.ignored.union(groups.unready) { metrics[name] = nil }
        guard !metrics.isEmpty else { return .failure(.init("did not receive metrics for targeted pods (pods might be unready)")) }

        let (ratio, average) = usageRatio(metrics, target: targetMillis)
        let scaleUpWithUnready = !groups.unready.isEmpty && ratio > 1
        if !scaleUpWithUnready && groups.missing.isEmpty {
            if settings.isWithinTolerance(ratio) { return .success((currentWorkers, average)) }
            return .success((ceilInt32(ratio * Double(groups.readyCount)), average))
        }
        // Unlike utilization, a ratio of exactly 1 fills missing pods with 0.
        for name in groups.missing { metrics[name] = ratio < 1 ? targetMillis : 0 }
        if scaleUpWithUnready {
            for name in groups.unready { metrics[name] = 0 }
        }
        let (newRatio, _) = usageRatio(metrics, target: targetMillis)
        return .success((settled(current: currentWorkers, ratio: ratio, newRatio: newRatio, count: metrics.count, settings: settings), average))
    }

    /// After filling in samples: keep current when the new ratio is within tolerance or the
    /// direction flipped, or when the rounded count would move against the new ratio.
    static func settled(current: Int32, ratio: Double, newRatio: Double, count: Int, settings: AutoscalerSettings) -> Int32 {
        if settings.isWithinTolerance(newRatio) || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1) { return current }
        let proposal = ceilInt32(newRatio * Double(count))
        if (newRatio < 1 && proposal > current) || (newRatio > 1 && proposal < current) { return current }
        return proposal
    }

    /// `metrics.GetResourceUtilizationRatio`: integer percent of the summed requests of pods
    /// that have both a sample and a request; nil when none has.
    static func utilizationRatio(_ metrics: [String: Int64], _ requests: [String: Int64], target: Int32) -> (ratio: Double, utilization: Int32, rawAverage: Int64)? {
        var usageTotal: Int64 = 0, requestTotal: Int64 = 0, entries: Int64 = 0
        for (name, usage) in metrics {
            guard let request = requests[name] else { continue }
            usageTotal &+= usage
            requestTotal &+= request
            entries += 1
        }
        guard requestTotal != 0 else { return nil }
        let utilization = Int32(clamping: usageTotal.multipliedReportingOverflow(by: 100).partialValue / requestTotal)
        return (Double(utilization) / Double(target), utilization, usageTotal / entries)
    }

    /// `metrics.GetMetricUsageRatio`: the integer average against the target.
    static func usageRatio(_ metrics: [String: Int64], target: Int64) -> (ratio: Double, average: Int64) {
        let total = metrics.values.reduce(Int64(0), &+)
        let average = metrics.isEmpty ? 0 : total / Int64(metrics.count)
        return (Double(average) / Double(target), average)
    }
}

/// `int32(math.Ceil(x))`, saturating instead of wrapping.
func ceilInt32(_ x: Double) -> Int32 {
    let c = x.rounded(.up)
    if c.isNaN { return 0 }
    if c >= Double(Int32.max) { return .max }
    if c <= Double(Int32.min) { return .min }
    return Int32(c)
}
