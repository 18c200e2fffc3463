/// Builders that restate the fixtures of the Kubernetes HPA controller's unit tests
/// (pkg/controller/podautoscaler/replica_calculator_test.go and horizontal_test.go) in
/// the autoscaler's terms, so each table row reads like the upstream case it mirrors.
@testable import FerryAutoscaling
import FerryAPI
import Foundation

enum Upstream {
    /// A fixed "now"; upstream uses time.Now().
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// `defaultTestingTolerance`, `defaultTestingCPUInitializationPeriod` (2m),
    /// `defaultTestingDelayOfInitialReadinessStatus` (10s).
    static let settings = AutoscalerSettings(tolerance: 0.1, downscaleStabilization: 300, cpuInitializationPeriod: 120, initialReadinessDelay: 10)

    /// Upstream pods have 2 containers, each with the case's request and usage level.
    static let containersPerPod: Int64 = 2

    /// The pods of a `replicaCalcTestCase`: `max(currentReplicas, len(podPhase))` pods named
    /// test-pod-N; pod N has a sample when `levels` has an Nth entry. `hot` pods started
    /// now (inside the CPU-initialisation period) and, like upstream's zero metric
    /// timestamps, have no sample taken a full window after their Ready transition.
    static func pods(count: Int, requests: [Int64], levels: [Int64], ready: [Bool]? = nil, hot: [Bool]? = nil,
                     phases: [WorkerPodSample.Phase]? = nil, deleting: [Bool]? = nil, resource: ResourceMetricName = .cpu) -> [WorkerPodSample] {
        (0..<max(count, phases?.count ?? 0)).map { i in
            let request = i < requests.count ? requests[i] * containersPerPod : nil
            let usage = i < levels.count ? levels[i] * containersPerPod : nil
            var pod = WorkerPodSample(
                name: "test-pod-\(i)", phase: phases?[i] ?? .running, deleting: deleting?[i] ?? false, ready: ready?[i] ?? true,
                startTime: (hot?[i] ?? false) ? now : now.addingTimeInterval(-180),
                metricTimestamp: .distantPast, metricWindow: 60)
            switch resource {
            case .cpu:
                pod.cpuRequestMillis = request
                pod.cpuUsageMillis = usage
            case .memory:
                // Levels and requests are in thousandths, as upstream's milli-quantities.
                pod.memoryRequestBytes = request.map { $0 / 1000 }
                pod.memoryUsageBytes = usage.map { $0 / 1000 }
            }
            return pod
        }
    }

    /// `generateScalingRules(pods, podsPeriod, percent, percentPeriod, stabilizationWindow)`: select Max.
    static func rules(_ pods: Int32, _ podsPeriod: Int32, _ percent: Int32, _ percentPeriod: Int32, _ window: Int32) -> ScalingRules {
        var policies: [ScalingPolicy] = []
        if pods != 0 { policies.append(ScalingPolicy(type: .pods, value: pods, periodSeconds: podsPeriod)) }
        if percent != 0 { policies.append(ScalingPolicy(type: .percent, value: percent, periodSeconds: percentPeriod)) }
        return ScalingRules(stabilizationWindowSeconds: window, selectPolicy: .max, policies: policies)
    }

    /// `generateEventsUniformDistribution(changes, 120)`: events spread over the last
    /// `period` seconds, each in the middle of its segment, oldest first.
    static func events(_ changes: [Int32], over period: TimeInterval = 120) -> [ScalingHistory.ScaleEvent] {
        let segment = period / Double(changes.count)
        return changes.enumerated().map { i, change in
            let age = period - segment * Double(i + 1) + segment / 2
            return ScalingHistory.ScaleEvent(change: change, time: now.addingTimeInterval(-age.rounded(.towardZero)))
        }
    }

    /// Upstream tests that set `recommendations: []timestampedRecommendation{}` skip the
    /// initial recommendation; an entry older than every window has the same effect.
    static var primedHistory: ScalingHistory {
        var h = ScalingHistory()
        h.recommendations = [.init(workers: 0, time: now.addingTimeInterval(-24 * 3600))]
        return h
    }
}
