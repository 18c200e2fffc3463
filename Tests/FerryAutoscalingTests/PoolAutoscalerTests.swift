/// `PoolAutoscaler.evaluate` end to end: whole reconciles over time, with the conditions
/// and events the HPA would produce. Upstream cases from horizontal_test.go are named.
@testable import FerryAutoscaling
import FerryAPI
import Foundation
import KubeCore
import Testing

@Suite struct PoolAutoscalerTests {
    static let start = Upstream.now

    func reasons(_ d: AutoscalingDecision) -> [String] { d.conditions.map { "\($0.type)=\($0.status.rawValue)/\($0.reason)" } }

    /// A burst on the default Queue metric with default behavior: up by max(4, 100 %) per
    /// 15 s, so 1 → 5 → 10 → 20; down only once the highest recommendation is 300 s old.
    @Test func queueBurstScalesUpByPolicyAndDownAfterTheWindow() {
        let pool = PoolAutoscaling(minWorkers: 1, maxWorkers: 20, behavior: ScalingBehavior())
        var history = ScalingHistory()
        var workers: Int32 = 1
        var trace: [(TimeInterval, Int32)] = []
        var decisions: [TimeInterval: AutoscalingDecision] = [:]
        for step in 0...30 {
            let t = TimeInterval(step * 15)
            let syncs = (15...45).contains(t) ? 200 : 1
            let d = PoolAutoscaler.evaluate(pool, currentWorkers: workers, observation: PoolObservation(queuedSyncs: syncs - min(syncs, Int(workers)), runningSyncs: min(syncs, Int(workers))),
                                            history: &history, now: Self.start + t)
            decisions[t] = d
            workers = d.workers
            trace.append((t, workers))
        }
        #expect(trace.prefix(4).map(\.1) == [1, 5, 10, 20])
        #expect(decisions[15]?.recommendation == 200)
        #expect(decisions[15]?.rescaleReason == "Queue above target")
        #expect(decisions[15].map(reasons) == ["AbleToScale=True/SucceededRescale", "ScalingActive=True/ValidMetricFound", "ScalingLimited=True/ScaleUpLimit"])
        #expect(decisions[45].map(reasons) == ["AbleToScale=True/SucceededRescale", "ScalingActive=True/ValidMetricFound", "ScalingLimited=True/TooManyReplicas"])
        // The last 200 was recommended at 45 s; until 345 s the down window still holds it.
        #expect(trace.filter { $0.0 >= 45 && $0.0 < 345 }.allSatisfy { $0.1 == 20 })
        #expect(decisions[330].map(reasons) == ["AbleToScale=True/ScaleDownStabilized", "ScalingActive=True/ValidMetricFound", "ScalingLimited=False/DesiredWithinRange"])
        #expect(decisions[345]?.workers == 1)
        #expect(decisions[345]?.rescaleReason == "All metrics below target")
    }

    /// Without behavior the legacy cap applies: max(2 × current, 4) per evaluation.
    @Test func legacyPathCapsAtTwiceCurrent() {
        let pool = PoolAutoscaling(minWorkers: 1, maxWorkers: 100)
        var history = ScalingHistory()
        var workers: Int32 = 1
        var seen: [Int32] = []
        for step in 0..<5 {
            workers = PoolAutoscaler.evaluate(pool, currentWorkers: workers, observation: PoolObservation(queuedSyncs: 50, runningSyncs: 0),
                                              history: &history, now: Self.start + TimeInterval(step * 15)).workers
            seen.append(workers)
        }
        #expect(seen == [4, 8, 16, 32, 50])
    }

    /// §1.3 step 2: the first evaluation records the current count, so a new pool (or one
    /// after a restart) cannot scale down for the stabilization window.
    @Test func firstEvaluationCannotScaleDownWithinTheWindow() {
        let pool = PoolAutoscaling(minWorkers: 1, maxWorkers: 10)
        var history = ScalingHistory()
        let idle = PoolObservation(queuedSyncs: 0, runningSyncs: 0)
        let first = PoolAutoscaler.evaluate(pool, currentWorkers: 8, observation: idle, history: &history, now: Self.start)
        #expect(first.workers == 8 && first.recommendation == 0)
        #expect(first.conditions[type: "AbleToScale"]?.reason == "ScaleDownStabilized")
        #expect(PoolAutoscaler.evaluate(pool, currentWorkers: 8, observation: idle, history: &history, now: Self.start + 300).workers == 8)
        #expect(PoolAutoscaler.evaluate(pool, currentWorkers: 8, observation: idle, history: &history, now: Self.start + 301).workers == 1)
    }

    /// horizontal_test.go TestScaleUpRCImmediately: below minReplicas → min, without metrics;
    /// only AbleToScale is set.
    @Test func belowMinScalesToMinWithoutMetrics() {
        var history = ScalingHistory()
        let d = PoolAutoscaler.evaluate(PoolAutoscaling(minWorkers: 2, maxWorkers: 6), currentWorkers: 1,
                                        observation: PoolObservation(queuedSyncs: 0, runningSyncs: 0, pods: .failure(MetricsUnavailable("not read"))),
                                        history: &history, now: Self.start)
        #expect(d.workers == 2 && d.recommendation == nil)
        #expect(d.rescaleReason == "Current number of workers below minWorkers")
        #expect(reasons(d) == ["AbleToScale=True/SucceededRescale"])
    }

    /// horizontal_test.go TestScaleDownRCImmediately (current above max → max).
    @Test func aboveMaxScalesToMax() {
        var history = ScalingHistory()
        let d = PoolAutoscaler.evaluate(PoolAutoscaling(minWorkers: 2, maxWorkers: 5), currentWorkers: 6,
                                        observation: PoolObservation(queuedSyncs: 100, runningSyncs: 0), history: &history, now: Self.start)
        #expect(d.workers == 5)
        #expect(d.rescaleReason == "Current number of workers above maxWorkers")
    }

    static func cpuPool(min: Int32, max: Int32, target: Int32, behavior: ScalingBehavior? = nil) -> PoolAutoscaling {
        PoolAutoscaling(minWorkers: min, maxWorkers: max, metrics: [PoolMetric(type: .resource, resource: ResourceMetricSource(name: .cpu, target: MetricTarget(averageUtilization: target)))],
                        behavior: behavior)
    }

    /// horizontal_test.go TestMinReplicas: levels 10/95/10 of 1 CPU against 90 % → 1, raised to min 2.
    @Test func minReplicas() {
        var history = Upstream.primedHistory
        let pods = Upstream.pods(count: 3, requests: [1000, 1000, 1000], levels: [10, 95, 10])
        let d = PoolAutoscaler.evaluate(Self.cpuPool(min: 2, max: 5, target: 90), currentWorkers: 3, observation: PoolObservation(queuedSyncs: 0, runningSyncs: 0, pods: .success(pods)),
                                        history: &history, now: Self.start, settings: Upstream.settings)
        #expect(d.workers == 2 && d.recommendation == 1)
        #expect(d.conditions[type: "ScalingLimited"]?.reason == "TooFewReplicas" && d.conditions[type: "ScalingLimited"]?.status == .true)
        #expect(d.conditions[type: "ScalingActive"]?.message == "the autoscaler was able to successfully calculate a worker count from cpu resource utilization (percentage of request)")
    }

    /// horizontal_test.go TestMaxReplicas: 8000/9500/1000 against 90 % → 21, limited to max 5.
    @Test func maxReplicas() {
        var history = Upstream.primedHistory
        let pods = Upstream.pods(count: 3, requests: [1000, 1000, 1000], levels: [8000, 9500, 1000])
        let d = PoolAutoscaler.evaluate(Self.cpuPool(min: 2, max: 5, target: 90), currentWorkers: 3, observation: PoolObservation(queuedSyncs: 0, runningSyncs: 0, pods: .success(pods)),
                                        history: &history, now: Self.start, settings: Upstream.settings)
        #expect(d.workers == 5)
        #expect(d.conditions[type: "ScalingLimited"]?.reason == "TooManyReplicas")
    }

    /// horizontal_test.go TestUpscaleCap: 200 % against 10 % asks for 60; upstream expects 24
    /// (scaleUpLimitFactor 8 in the test file); production's factor 2 caps at 6.
    @Test func upscaleCap() {
        var history = Upstream.primedHistory
        let pods = Upstream.pods(count: 3, requests: [100, 100, 100], levels: [100, 200, 300])
        let d = PoolAutoscaler.evaluate(Self.cpuPool(min: 1, max: 100, target: 10), currentWorkers: 3, observation: PoolObservation(queuedSyncs: 0, runningSyncs: 0, pods: .success(pods)),
                                        history: &history, now: Self.start, settings: Upstream.settings)
        #expect(d.workers == 6)
        #expect(d.conditions[type: "ScalingLimited"]?.reason == "ScaleUpLimit")
    }

    /// horizontal_test.go TestNoScaleDownOneMetricInvalid / TestScaleUpOneMetricEmpty: an
    /// invalid metric blocks a scale-down but not a scale-up.
    @Test func invalidMetricBlocksScaleDownOnly() {
        let pool = PoolAutoscaling(minWorkers: 1, maxWorkers: 10, metrics: [
            PoolMetric(type: .queue, target: MetricTarget(averageValue: 1)),
            PoolMetric(type: .resource, resource: ResourceMetricSource(name: .memory, target: MetricTarget(averageUtilization: 80))),
        ])
        let unavailable = Result<[WorkerPodSample], MetricsUnavailable>.failure(MetricsUnavailable("the metrics API is not available"))
        var history = Upstream.primedHistory
        let down = PoolAutoscaler.evaluate(pool, currentWorkers: 5, observation: PoolObservation(queuedSyncs: 1, runningSyncs: 1, pods: unavailable),
                                           history: &history, now: Self.start)
        #expect(down.workers == 5 && down.recommendation == nil)
        #expect(reasons(down) == ["AbleToScale=True/SucceededGetScale", "ScalingActive=False/FailedGetResourceMetric"])
        #expect(down.warnings.map(\.reason) == ["FailedGetResourceMetric", "FailedComputeMetricsReplicas"])
        #expect(down.warnings.last?.message == "invalid metrics (1 invalid out of 2), first error is: failed to get memory utilization: unable to get metrics for resource memory: the metrics API is not available")

        let up = PoolAutoscaler.evaluate(pool, currentWorkers: 5, observation: PoolObservation(queuedSyncs: 4, runningSyncs: 5, pods: unavailable),
                                         history: &history, now: Self.start + 15)
        #expect(up.workers == 9 && up.rescaleReason == "Queue above target")
        #expect(up.conditions[type: "ScalingActive"]?.status == .true)
        #expect(up.warnings.map(\.reason) == ["FailedGetResourceMetric"])
    }

    /// At zero workers: a Queue metric scales from zero (no tolerance, then at least
    /// minWorkers); without one autoscaling is disabled, as the HPA at 0 replicas.
    @Test func zeroWorkers() {
        var history = ScalingHistory()
        let queue = PoolAutoscaling(minWorkers: 0, maxWorkers: 10)
        #expect(PoolAutoscaler.evaluate(queue, currentWorkers: 0, observation: PoolObservation(queuedSyncs: 0, runningSyncs: 0), history: &history, now: Self.start).workers == 0)
        let woken = PoolAutoscaler.evaluate(queue, currentWorkers: 0, observation: PoolObservation(queuedSyncs: 3, runningSyncs: 0), history: &history, now: Self.start + 15)
        #expect(woken.workers == 3 && woken.rescaleReason == "Queue above target")
        var h2 = ScalingHistory()
        let atLeastMin = PoolAutoscaler.evaluate(PoolAutoscaling(minWorkers: 2, maxWorkers: 10), currentWorkers: 0,
                                                 observation: PoolObservation(queuedSyncs: 1, runningSyncs: 0), history: &h2, now: Self.start)
        #expect(atLeastMin.workers == 2 && atLeastMin.recommendation == 1)
        #expect(atLeastMin.rescaleReason == "Current number of workers below minWorkers")

        var h3 = ScalingHistory()
        let disabled = PoolAutoscaler.evaluate(Self.cpuPool(min: 1, max: 10, target: 50), currentWorkers: 0, observation: PoolObservation(queuedSyncs: 9, runningSyncs: 0),
                                               history: &h3, now: Self.start)
        #expect(disabled.workers == 0 && disabled.recommendation == nil)
        #expect(reasons(disabled) == ["AbleToScale=True/SucceededGetScale", "ScalingActive=False/ScalingDisabled"])
    }

    /// A scaleDown without a window takes the flag (`maybeInitScaleDownStabilizationWindow`).
    @Test func scaleDownWindowDefaultsToTheFlag() {
        let pool = PoolAutoscaling(minWorkers: 1, maxWorkers: 10, behavior: ScalingBehavior(scaleDown: ScalingRules(policies: [ScalingPolicy(type: .pods, value: 10, periodSeconds: 15)])))
        var history = ScalingHistory()
        let settings = AutoscalerSettings(downscaleStabilization: 60)
        let idle = PoolObservation(queuedSyncs: 0, runningSyncs: 0)
        #expect(PoolAutoscaler.evaluate(pool, currentWorkers: 5, observation: idle, history: &history, now: Self.start, settings: settings).workers == 5)
        #expect(PoolAutoscaler.evaluate(pool, currentWorkers: 5, observation: idle, history: &history, now: Self.start + 61, settings: settings).workers == 1)
    }
}
