/// The per-metric proposals against the Kubernetes HPA controller's own replica-calculator
/// cases (kubernetes/kubernetes pkg/controller/podautoscaler/replica_calculator_test.go).
/// Each row names the upstream test it mirrors.
@testable import FerryAutoscaling
import FerryAPI
import Foundation
import Testing

struct UtilizationCase: Sendable, CustomTestStringConvertible {
    var upstream: String
    var current: Int32
    var requests: [Int64]
    var levels: [Int64]
    var ready: [Bool]? = nil
    var hot: [Bool]? = nil
    var phases: [WorkerPodSample.Phase]? = nil
    var deleting: [Bool]? = nil
    var target: Int32
    var expected: Int32
    var utilization: Int32
    var rawAverage: Int64
    var testDescription: String { upstream }
}

/// Cases of `GetMetricReplicas` (pod custom metrics) use `calcPlainMetricReplicas`, the
/// same function as a Resource averageValue; a non-cpu resource has no readiness rules,
/// like a custom metric. Levels and the target are in thousandths.
struct AverageValueCase: Sendable, CustomTestStringConvertible {
    var upstream: String
    var current: Int32
    var levels: [Int64]
    var ready: [Bool]? = nil
    var hot: [Bool]? = nil
    var targetMillis: Int64
    var expected: Int32
    var average: Int64
    var testDescription: String { upstream }
}

@Suite struct ReplicaCalculationTests {
    static let r1000: [Int64] = Array(repeating: 1000, count: 7)

    @Test(arguments: [
        UtilizationCase(upstream: "replica_calculator_test.go TestReplicaCalcScaleUp", current: 3, requests: r1000, levels: [300, 500, 700],
                        target: 30, expected: 5, utilization: 50, rawAverage: 2 * 500),
        UtilizationCase(upstream: "replica_calculator_test.go TestReplicaCalcScaleUpUnreadyLessScale", current: 3, requests: r1000, levels: [300, 500, 700],
                        ready: [false, true, true], target: 30, expected: 4, utilization: 60, rawAverage: 2 * 600),
        UtilizationCase(upstream: "replica_calculator_test.go TestReplicaCalcScaleUpHotCpuLessScale", current: 3, requests: r1000, levels: [300, 500, 700],
                        hot: [true, false, false], target: 30, expected: 4, utilization: 60, rawAverage: 2 * 600),
        UtilizationCase(upstream: "replica_calculator_test.go TestReplicaCalcScaleUpUnreadyNoScale", current: 3, requests: r1000, levels: [400, 500, 700],
                        ready: [true, false, false], target: 30, expected: 3, utilization: 40, rawAverage: 2 * 400),
        UtilizationCase(upstream: "replica_calculator_test.go TestReplicaCalcScaleHotCpuNoScale", current: 3, requests: r1000, levels: [400, 500, 700],
                        ready: [true, false, false], hot: [false, true, true], target: 30, expected: 3, utilization: 40, rawAverage: 2 * 400),
        UtilizationCase(upstream: "replica_calculator_test.go TestReplicaCalcScaleUpIgnoresFailedPods", current: 2, requests: r1000, levels: [500, 700],
                        ready: [true, true, false, false], phases: [.running, .running, .failed, .failed], target: 30, expected: 4, utilization: 60, rawAverage: 2 * 600),
        UtilizationCase(upstream: "replica_calculator_test.go TestReplicaCalcScaleUpIgnoresDeletionPods", current: 2, requests: r1000, levels: [500, 700],
                        ready: [true, true, false, false], phases: [.running, .running, .running, .running], deleting: [false, false, true, true],
                        target: 30, expected: 4, utilization: 60, rawAverage: 2 * 600),
        UtilizationCase(upstream: "replica_calculator_test.go TestReplicaCalcScaleDown", current: 5, requests: r1000, levels: [100, 300, 500, 250, 250],
                        target: 50, expected: 3, utilization: 28, rawAverage: 2 * 280),
        UtilizationCase(upstream: "replica_calculator_test.go TestReplicaCalcScaleDownIncludeUnreadyPods", current: 5, requests: r1000, levels: [100, 300, 500, 250, 250],
                        ready: [true, true, true, false, false], target: 50, expected: 2, utilization: 30, rawAverage: 2 * 300),
        UtilizationCase(upstream: "replica_calculator_test.go TestReplicaCalcScaleDownExcludeUnscheduledPods", current: 5, requests: r1000, levels: [100],
                        ready: [true, false, false, false, false], phases: [.running, .pending, .pending, .pending, .pending],
                        target: 50, expected: 1, utilization: 10, rawAverage: 2 * 100),
        UtilizationCase(upstream: "replica_calculator_test.go TestReplicaCalcScaleDownIgnoreHotCpuPods", current: 5, requests: r1000, levels: [100, 300, 500, 250, 250],
                        hot: [false, false, false, true, true], target: 50, expected: 2, utilization: 30, rawAverage: 2 * 300),
        UtilizationCase(upstream: "replica_calculator_test.go TestReplicaCalcScaleDownIgnoresFailedPods", current: 5, requests: r1000, levels: [100, 300, 500, 250, 250],
                        ready: [true, true, true, true, true, false, false], phases: [.running, .running, .running, .running, .running, .failed, .failed],
                        target: 50, expected: 3, utilization: 28, rawAverage: 2 * 280),
        UtilizationCase(upstream: "replica_calculator_test.go TestReplicaCalcScaleDownIgnoresDeletionPods", current: 5, requests: r1000, levels: [100, 300, 500, 250, 250],
                        ready: [true, true, true, true, true, false, false], phases: Array(repeating: .running, count: 7),
                        deleting: [false, false, false, false, false, true, true], target: 50, expected: 3, utilization: 28, rawAverage: 2 * 280),
        UtilizationCase(upstream: "replica_calculator_test.go TestReplicaCalcTolerance", current: 3, requests: [900, 1000, 1100], levels: [1010, 1030, 1020],
                        target: 100, expected: 3, utilization: 102, rawAverage: 2 * 1020),
        UtilizationCase(upstream: "replica_calculator_test.go TestReplicaCalcMissingMetrics", current: 4, requests: r1000, levels: [400, 95],
                        target: 100, expected: 3, utilization: 24, rawAverage: 495),
        UtilizationCase(upstream: "replica_calculator_test.go TestReplicaCalcMissingMetricsNoChangeEq", current: 2, requests: r1000, levels: [1000],
                        target: 100, expected: 2, utilization: 100, rawAverage: 2 * 1000),
        UtilizationCase(upstream: "replica_calculator_test.go TestReplicaCalcMissingMetricsNoChangeGt", current: 2, requests: r1000, levels: [1900],
                        target: 100, expected: 2, utilization: 190, rawAverage: 2 * 1900),
        UtilizationCase(upstream: "replica_calculator_test.go TestReplicaCalcMissingMetricsNoChangeLt", current: 2, requests: r1000, levels: [600],
                        target: 100, expected: 2, utilization: 60, rawAverage: 2 * 600),
        UtilizationCase(upstream: "replica_calculator_test.go TestReplicaCalcMissingMetricsUnreadyChange", current: 3, requests: r1000, levels: [100, 450],
                        ready: [false, true, true], target: 50, expected: 3, utilization: 45, rawAverage: 2 * 450),
        UtilizationCase(upstream: "replica_calculator_test.go TestReplicaCalcMissingMetricsHotCpuNoChange", current: 3, requests: r1000, levels: [100, 450],
                        hot: [true, false, false], target: 50, expected: 3, utilization: 45, rawAverage: 2 * 450),
        UtilizationCase(upstream: "replica_calculator_test.go TestReplicaCalcMissingMetricsUnreadyScaleUp", current: 3, requests: r1000, levels: [100, 2000],
                        ready: [false, true, true], target: 50, expected: 4, utilization: 200, rawAverage: 2 * 2000),
        UtilizationCase(upstream: "replica_calculator_test.go TestReplicaCalcMissingMetricsHotCpuScaleUp", current: 3, requests: r1000, levels: [100, 2000],
                        ready: [false, true, true], hot: [true, false, false], target: 50, expected: 4, utilization: 200, rawAverage: 2 * 2000),
        UtilizationCase(upstream: "replica_calculator_test.go TestReplicaCalcMissingMetricsUnreadyScaleDown", current: 4, requests: r1000, levels: [100, 100, 100],
                        ready: [false, true, true, true], target: 50, expected: 3, utilization: 10, rawAverage: 2 * 100),
        UtilizationCase(upstream: "replica_calculator_test.go TestReplicaCalcDuringRollingUpdateWithMaxSurge", current: 2, requests: r1000, levels: [100, 100],
                        phases: [.running, .running, .running], target: 50, expected: 2, utilization: 10, rawAverage: 2 * 100),
        // Requests 300m ± jitter, 150m used each: 50 %; target 56 % leaves tolerance (9 workers), 55 % does not.
        UtilizationCase(upstream: "replica_calculator_test.go TestReplicaCalcComputedToleranceAlgImplementation (scale)", current: 10,
                        requests: [400, 200, 310, 290, 302, 298, 301, 299, 300, 300], levels: Array(repeating: 150, count: 10),
                        target: 56, expected: 9, utilization: 50, rawAverage: 2 * 150),
        UtilizationCase(upstream: "replica_calculator_test.go TestReplicaCalcComputedToleranceAlgImplementation (no scale)", current: 10,
                        requests: [400, 200, 310, 290, 302, 298, 301, 299, 300, 300], levels: Array(repeating: 150, count: 10),
                        target: 55, expected: 10, utilization: 50, rawAverage: 2 * 150),
    ])
    func utilization(_ c: UtilizationCase) throws {
        let pods = Upstream.pods(count: Int(c.current), requests: c.requests, levels: c.levels, ready: c.ready, hot: c.hot, phases: c.phases, deleting: c.deleting)
        let result = try ResourceReplicas.utilizationReplicas(currentWorkers: c.current, targetUtilization: c.target, resource: .cpu, pods: pods,
                                                              now: Upstream.now, settings: Upstream.settings).get()
        #expect(result.workers == c.expected)
        #expect(result.utilization == c.utilization)
        #expect(result.rawAverage == c.rawAverage)
    }

    @Test(arguments: [
        AverageValueCase(upstream: "replica_calculator_test.go TestReplicaCalcScaleUpCM", current: 3, levels: [20000, 10000, 30000],
                         targetMillis: 15000, expected: 4, average: 20000),
        AverageValueCase(upstream: "replica_calculator_test.go TestReplicaCalcScaleUpCMUnreadyHotCpuNoLessScale", current: 3, levels: [50000, 10000, 30000],
                         ready: [true, true, false], hot: [false, false, true], targetMillis: 15000, expected: 6, average: 30000),
        AverageValueCase(upstream: "replica_calculator_test.go TestReplicaCalcScaleUpCMUnreadyHotCpuScaleWouldScaleDown", current: 3, levels: [50000, 15000, 30000],
                         ready: [false, true, false], hot: [true, false, true], targetMillis: 15000, expected: 7, average: 31666),
        AverageValueCase(upstream: "replica_calculator_test.go TestReplicaCalcScaleDownCM", current: 5, levels: [12000, 12000, 12000, 12000, 12000],
                         targetMillis: 20000, expected: 3, average: 12000),
        AverageValueCase(upstream: "replica_calculator_test.go TestReplicaCalcToleranceCM", current: 3, levels: [20000, 21000, 21000],
                         targetMillis: 20000, expected: 3, average: 20666),
    ])
    func averageValue(_ c: AverageValueCase) throws {
        // Upstream levels are per pod; the builder doubles them per container, so halve here.
        let pods = Upstream.pods(count: Int(c.current), requests: [], levels: c.levels.map { $0 / 2 }, ready: c.ready, hot: c.hot, resource: .memory)
        let result = try ResourceReplicas.averageValueReplicas(currentWorkers: c.current, targetMillis: c.targetMillis, resource: .memory, pods: pods,
                                                               now: Upstream.now, settings: Upstream.settings).get()
        #expect(result.workers == c.expected)
        #expect(result.average == c.average)
    }

    /// External AverageValue (`GetExternalPerPodMetricReplicas`) is the Queue metric. Upstream
    /// sums 8.6 units; as a whole number of Syncs both usage and target are taken ×10.
    @Test(arguments: [
        ("replica_calculator_test.go TestReplicaCalcScaleUpPerPodCMExternal", Int32(3), 86, Quantity("21500m"), Int32(4)),
        ("replica_calculator_test.go TestReplicaCalcScaleDownPerPodCMExternal", Int32(5), 86, Quantity("28670m"), Int32(3)),
        ("replica_calculator_test.go TestReplicaCalcTolerancePerPodCMExternal", Int32(3), 86, Quantity("29"), Int32(3)),
    ])
    func queueIsExternalAverageValue(upstream: String, current: Int32, syncs: Int, target: Quantity, expected: Int32) throws {
        let metric = PoolMetric(type: .queue, target: MetricTarget(averageValue: target))
        let proposal = try MetricReplicas.proposal(metric, currentWorkers: current, observation: PoolObservation(queuedSyncs: syncs - 6, runningSyncs: 6),
                                                   now: Upstream.now, settings: Upstream.settings).get()
        #expect(proposal.workers == expected, "\(upstream)")
        #expect(proposal.name == "Queue")
    }

    @Test func queueScalesFromZeroWithoutTolerance() throws {
        // §1.1: at zero replicas the ratio is infinite, so ceil(usage / target) with a fractional target.
        let metric = PoolMetric(type: .queue, target: MetricTarget(averageValue: "500m"))
        let p = try MetricReplicas.proposal(metric, currentWorkers: 0, observation: PoolObservation(queuedSyncs: 3, runningSyncs: 0), now: Upstream.now, settings: .init()).get()
        #expect(p.workers == 6)
        let idle = try MetricReplicas.proposal(metric, currentWorkers: 0, observation: PoolObservation(queuedSyncs: 0, runningSyncs: 0), now: Upstream.now, settings: .init()).get()
        #expect(idle.workers == 0)
    }

    @Test func errorsNameTheCause() {
        // replica_calculator_test.go TestReplicaCalcEmptyMetrics: the metrics API returned nothing.
        let source = ResourceMetricSource(name: .cpu, target: MetricTarget(averageUtilization: 100))
        let empty = MetricReplicas.resourceProposal(source, currentWorkers: 4, pods: .failure(MetricsUnavailable("no metrics returned from resource metrics API")),
                                                    now: Upstream.now, settings: Upstream.settings)
        #expect(empty.failure == InvalidMetric(reason: "FailedGetResourceMetric",
                                               message: "failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API"))
        // replica_calculator_test.go TestReplicaCalcEmptyCPURequest: a pod without a request.
        let noRequest = ResourceReplicas.utilizationReplicas(currentWorkers: 1, targetUtilization: 100, resource: .cpu,
                                                             pods: Upstream.pods(count: 1, requests: [], levels: [200]), now: Upstream.now, settings: Upstream.settings)
        #expect(noRequest.failure?.message.hasPrefix("missing request for cpu") == true)
        // Every pod unready: nothing to compute from.
        let unready = ResourceReplicas.utilizationReplicas(currentWorkers: 2, targetUtilization: 50, resource: .cpu,
                                                           pods: Upstream.pods(count: 2, requests: Self.r1000, levels: [100, 100], ready: [false, false]),
                                                           now: Upstream.now, settings: Upstream.settings)
        #expect(unready.failure?.message == "did not receive metrics for targeted pods (pods might be unready)")
        let none = ResourceReplicas.utilizationReplicas(currentWorkers: 1, targetUtilization: 50, resource: .cpu, pods: [], now: Upstream.now, settings: Upstream.settings)
        #expect(none.failure?.message == "no pods returned by selector while calculating replica count")
    }

    /// replica_calculator_test.go TestGroupPods: readiness rules apply to cpu only; Pending
    /// without a sample is unready, not missing. The readiness-delay boundary (a Ready
    /// transition exactly delayOfInitialReadinessStatus after the start counts as ready)
    /// is K8S-SEMANTICS.md §6 item 3.
    @Test func groupPods() {
        let now = Upstream.now, s = Upstream.settings
        func group(_ pod: WorkerPodSample, _ resource: ResourceMetricName, sample: Bool = true) -> ResourceReplicas.PodGroups {
            ResourceReplicas.groupPods([pod], samples: sample ? [pod.name: 1] : [:], resource: resource, now: now, settings: s)
        }
        // "count in a ready pod - memory": a Succeeded pod without Ready condition.
        #expect(group(WorkerPodSample(name: "bentham", phase: .succeeded), .memory).readyCount == 1)
        // "ignore a pod without ready condition - CPU".
        #expect(group(WorkerPodSample(name: "lucretius", phase: .succeeded, startTime: now), .cpu).unready == ["lucretius"])
        // "count in a ready pod with fresh metrics during initialization period - CPU".
        let fresh = WorkerPodSample(name: "bentham", phase: .succeeded, ready: true, readyTransitionTime: now - 30, startTime: now - 60,
                                    metricTimestamp: now, metricWindow: 30)
        #expect(group(fresh, .cpu).readyCount == 1)
        // "ignore a ready pod without fresh metrics during initialization period - CPU".
        var stale = fresh
        stale.metricWindow = 60
        #expect(group(stale, .cpu).unready == ["bentham"])
        // After the initialisation period: unready only if it never became ready (strict comparison).
        let late = WorkerPodSample(name: "n", phase: .running, ready: false, readyTransitionTime: now - 600 + 10, startTime: now - 600)
        #expect(group(late, .cpu).readyCount == 1)
        var never = late
        never.readyTransitionTime = now - 600 + 9
        #expect(group(never, .cpu).unready == ["n"])
        // "pending pods are unready" even without a sample; failed and deleting pods are ignored.
        #expect(group(WorkerPodSample(name: "p", phase: .pending), .memory, sample: false).unready == ["p"])
        #expect(group(WorkerPodSample(name: "f", phase: .failed), .cpu).ignored == ["f"])
        #expect(group(WorkerPodSample(name: "d", phase: .running, deleting: true), .memory).ignored == ["d"])
        #expect(group(WorkerPodSample(name: "m", phase: .running), .memory, sample: false).missing == ["m"])
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let f) = self { return f }
        return nil
    }
}
