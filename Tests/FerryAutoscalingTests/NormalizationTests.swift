/// Stabilization and rate limiting against the Kubernetes HPA controller's own cases
/// (kubernetes/kubernetes pkg/controller/podautoscaler/horizontal_test.go). Each row names
/// the upstream test and subtest it mirrors.
@testable import FerryAutoscaling
import FerryAPI
import Foundation
import Testing

struct RateCase: Sendable, CustomTestStringConvertible {
    var upstream: String
    var upEvents: [Int32] = []
    var downEvents: [Int32] = []
    var min: Int32
    var max: Int32
    var up: ScalingRules? = nil
    var down: ScalingRules? = nil
    var current: Int32
    var desired: Int32
    var expected: Int32
    var reason: String
    var testDescription: String { upstream }
}

struct StabilizationCase: Sendable, CustomTestStringConvertible {
    var upstream: String
    /// (workers, age in seconds)
    var recommendations: [(Int32, TimeInterval)]
    var current: Int32
    var desired: Int32
    var expected: Int32
    var stored: [Int32]?
    var upWindow: TimeInterval = 0
    var downWindow: TimeInterval = 0
    var testDescription: String { upstream }
}

@Suite struct NormalizationTests {
    static let t = "horizontal_test.go TestScalingWithRules: "

    @Test(arguments: [
        RateCase(upstream: t + "prenormalized desired replicas within range", min: 3, max: 8, current: 5, desired: 7, expected: 7, reason: "DesiredWithinRange"),
        RateCase(upstream: t + "prenormalized desired replicas < minReplicas", min: 2, max: 8, current: 3, desired: 1, expected: 2, reason: "TooFewReplicas"),
        RateCase(upstream: t + "prenormalized desired replicas within range when minReplicas is 0", min: 0, max: 10, current: 1, desired: 0, expected: 0, reason: "DesiredWithinRange"),
        RateCase(upstream: t + "maxReplicas is the limit because maxReplicas < scaleUpLimit", min: 1, max: 10, current: 20, desired: 1000, expected: 10, reason: "TooManyReplicas"),
        RateCase(upstream: t + "desired replica count is more than the maximum replica count", min: 100, max: 150, current: 100, desired: 1000, expected: 150, reason: "TooManyReplicas"),
        RateCase(upstream: t + "scaleUpLimit is the limit because scaleUpLimit < maxReplicas with user policies", min: 1, max: 2000,
                 up: Upstream.rules(0, 0, 1, 60, 0), current: 3, desired: 1000, expected: 4, reason: "ScaleUpLimit"),
        RateCase(upstream: t + "scaleUp with default behavior", min: 1, max: 1000, current: 10, desired: 50, expected: 20, reason: "ScaleUpLimit"),
        RateCase(upstream: t + "scaleUp with pods policy larger than percent policy", min: 1, max: 1000, up: Upstream.rules(100, 60, 100, 60, 0),
                 current: 10, desired: 500, expected: 110, reason: "ScaleUpLimit"),
        RateCase(upstream: t + "scaleUp with percent policy larger than pods policy", min: 1, max: 1000, up: Upstream.rules(2, 60, 100, 60, 0),
                 current: 10, desired: 500, expected: 20, reason: "ScaleUpLimit"),
        RateCase(upstream: t + "scaleUp with spec MaxReplicas limitation with large pod policy", min: 1, max: 1000, up: Upstream.rules(100, 60, 0, 0, 0),
                 current: 10, desired: 50, expected: 50, reason: "DesiredWithinRange"),
        RateCase(upstream: t + "scaleUp with pod policy limitation", min: 1, max: 1000, up: Upstream.rules(30, 60, 0, 0, 0),
                 current: 10, desired: 50, expected: 40, reason: "ScaleUpLimit"),
        RateCase(upstream: t + "scaleUp with percent policy limitation", min: 1, max: 1000, up: Upstream.rules(0, 0, 200, 60, 0),
                 current: 10, desired: 50, expected: 30, reason: "ScaleUpLimit"),
        RateCase(upstream: t + "scaleDown with percent policy larger than pod policy", min: 1, max: 1000, down: Upstream.rules(20, 60, 1, 60, 300),
                 current: 100, desired: 2, expected: 80, reason: "ScaleDownLimit"),
        RateCase(upstream: t + "scaleDown with pod policy larger than percent policy", min: 1, max: 1000, down: Upstream.rules(2, 60, 1, 60, 300),
                 current: 100, desired: 2, expected: 98, reason: "ScaleDownLimit"),
        RateCase(upstream: t + "scaleDown with spec MinReplicas limitation with large pod policy", min: 1, max: 1000, down: Upstream.rules(100, 60, 0, 0, 300),
                 current: 10, desired: 0, expected: 1, reason: "TooFewReplicas"),
        RateCase(upstream: t + "scaleDown with spec MinReplicas limitation with large percent policy", min: 5, max: 1000, down: Upstream.rules(0, 0, 100, 60, 300),
                 current: 10, desired: 2, expected: 5, reason: "TooFewReplicas"),
        RateCase(upstream: t + "scaleDown with pod policy limitation", min: 1, max: 1000, down: Upstream.rules(5, 60, 0, 0, 300),
                 current: 10, desired: 2, expected: 5, reason: "ScaleDownLimit"),
        RateCase(upstream: t + "scaleDown with percent policy limitation", min: 1, max: 1000, down: Upstream.rules(0, 0, 50, 60, 300),
                 current: 10, desired: 5, expected: 5, reason: "DesiredWithinRange"),
        RateCase(upstream: t + "scaleUp with spec MaxReplicas limitation with large pod policy and events", upEvents: [1, 5, 9], min: 1, max: 200,
                 up: Upstream.rules(300, 60, 0, 0, 0), current: 100, desired: 500, expected: 200, reason: "TooManyReplicas"),
        RateCase(upstream: t + "scaleUp with currentReplicas limitation with rate.PeriodSeconds with a lot of recent scale up events", upEvents: [1, 5, 9],
                 min: 1, max: 1000, up: Upstream.rules(5, 120, 0, 0, 0), current: 100, desired: 500, expected: 100, reason: "ScaleUpLimit"),
        RateCase(upstream: t + "scaleUp with pod policy and previous scale up events", upEvents: [1, 5, 9], min: 1, max: 1000,
                 up: Upstream.rules(150, 120, 0, 0, 0), current: 100, desired: 500, expected: 235, reason: "ScaleUpLimit"),
        RateCase(upstream: t + "scaleUp with percent policy and previous scale up events", upEvents: [1, 5, 9], min: 1, max: 1000,
                 up: Upstream.rules(0, 0, 200, 120, 0), current: 100, desired: 500, expected: 255, reason: "ScaleUpLimit"),
        RateCase(upstream: t + "scaleUp with percent policy and previous scale up and down events", upEvents: [4], downEvents: [2], min: 1, max: 1000,
                 up: Upstream.rules(0, 0, 300, 300, 0), current: 6, desired: 24, expected: 16, reason: "ScaleUpLimit"),
        RateCase(upstream: t + "scaleDown with default policy and previous events", downEvents: [1, 5, 9], min: 1, max: 1000,
                 current: 10, desired: 5, expected: 5, reason: "DesiredWithinRange"),
        RateCase(upstream: t + "scaleDown with spec MinReplicas limitation with large pod policy and previous events", downEvents: [1, 5, 9], min: 5, max: 1000,
                 down: Upstream.rules(130, 120, 0, 0, 300), current: 100, desired: 0, expected: 5, reason: "TooFewReplicas"),
        RateCase(upstream: t + "scaleDown with pod policy limitation and previous events", downEvents: [1, 5, 9], min: 1, max: 1000,
                 down: Upstream.rules(5, 120, 0, 0, 300), current: 100, desired: 2, expected: 100, reason: "ScaleDownLimit"),
        RateCase(upstream: t + "scaleDown with percent policy limitation and previous events", downEvents: [2, 4, 6], min: 1, max: 1000,
                 down: Upstream.rules(0, 0, 50, 120, 300), current: 100, desired: 0, expected: 56, reason: "ScaleDownLimit"),
        RateCase(upstream: t + "scaleDown with percent policy and previous scale up and down events", upEvents: [2], downEvents: [4], min: 1, max: 1000,
                 down: Upstream.rules(0, 0, 50, 180, 0), current: 10, desired: 1, expected: 6, reason: "ScaleDownLimit"),
        RateCase(upstream: t + "scaleDown with previous events preventing further scale down", downEvents: [10, 10, 10], min: 1, max: 1000,
                 down: Upstream.rules(0, 0, 10, 120, 300), current: 100, desired: 0, expected: 100, reason: "ScaleDownLimit"),
        RateCase(upstream: t + "scaleDown with with previous events still allowing more scale down", downEvents: [10, 10, 10], min: 1, max: 1000,
                 down: Upstream.rules(0, 0, 1000, 120, 300), current: 10, desired: 5, expected: 5, reason: "DesiredWithinRange"),
        RateCase(upstream: t + "check that events were marked 'outdated' for two different policies in the behavior for up", upEvents: [8, 12, 9, 11],
                 min: 1, max: 1000, up: Upstream.rules(1000, 30, 100, 60, 0), current: 100, desired: 200, expected: 200, reason: "DesiredWithinRange"),
    ])
    func rates(_ c: RateCase) {
        let pool = PoolAutoscaling(minWorkers: c.min, maxWorkers: c.max, behavior: ScalingBehavior(scaleUp: c.up, scaleDown: c.down))
        let (up, down) = BehaviorNormalization.rules(pool, settings: Upstream.settings)
        var history = ScalingHistory()
        history.scaleUpEvents = Upstream.events(c.upEvents)
        history.scaleDownEvents = Upstream.events(c.downEvents)
        let (workers, limit) = BehaviorNormalization.applyRates(current: c.current, desired: c.desired, min: c.min, max: c.max, up: up, down: down,
                                                                history: history, now: Upstream.now)
        #expect(workers == c.expected)
        #expect(limit.reason == c.reason)
    }

    static let n = "horizontal_test.go TestNormalizeDesiredReplicasWithBehavior: "

    @Test(arguments: [
        StabilizationCase(upstream: n + "empty recommendations for scaling down", recommendations: [], current: 100, desired: 5, expected: 5, stored: [5]),
        StabilizationCase(upstream: n + "simple scale down stabilization", recommendations: [(4, 120), (5, 60)], current: 100, desired: 3, expected: 5,
                          stored: [4, 5, 3], downWindow: 180),
        StabilizationCase(upstream: n + "simple scale up stabilization", recommendations: [(4, 120), (5, 60)], current: 1, desired: 7, expected: 4,
                          stored: [4, 5, 7], upWindow: 300),
        StabilizationCase(upstream: n + "no scale down stabilization", recommendations: [(1, 120), (2, 60)], current: 100, desired: 3, expected: 3,
                          stored: [1, 2, 3], upWindow: 300),
        StabilizationCase(upstream: n + "no scale up stabilization", recommendations: [(4, 120), (5, 60)], current: 1, desired: 3, expected: 3,
                          stored: [4, 5, 3], downWindow: 300),
        StabilizationCase(upstream: n + "no scale down stabilization, reuse recommendation element", recommendations: [(10, 600), (9, 540)],
                          current: 100, desired: 3, expected: 3, stored: [10, 3]),
        StabilizationCase(upstream: n + "no scale up stabilization, reuse recommendation element", recommendations: [(10, 600), (9, 540)],
                          current: 1, desired: 100, expected: 100, stored: [10, 100]),
        StabilizationCase(upstream: n + "scale down stabilization, reuse one of obsolete recommendation element",
                          recommendations: [(10, 600), (4, 60), (5, 120), (9, 540)], current: 100, desired: 3, expected: 5, stored: [10, 4, 5, 3], downWindow: 180),
        StabilizationCase(upstream: n + "scale up stabilization, reuse one of obsolete recommendation element",
                          recommendations: [(10, 6000), (6, 60), (5, 120), (9, 180)], current: 1, desired: 100, expected: 5, stored: [100, 6, 5, 9], upWindow: 300),
        StabilizationCase(upstream: n + "scale up and down stabilization, do not scale up when prenormalized rec goes down",
                          recommendations: [(2, 6000), (3, 180)], current: 2, desired: 1, expected: 2, stored: nil, upWindow: 300, downWindow: 300),
        StabilizationCase(upstream: n + "scale up and down stabilization, do not scale down when prenormalized rec goes up",
                          recommendations: [(2, 6000), (1, 180)], current: 2, desired: 3, expected: 2, stored: nil, upWindow: 300, downWindow: 300),
    ])
    func stabilizationWithBehavior(_ c: StabilizationCase) {
        var history = ScalingHistory()
        history.recommendations = c.recommendations.map { .init(workers: $0.0, time: Upstream.now.addingTimeInterval(-$0.1)) }
        let result = BehaviorNormalization.stabilize(current: c.current, desired: c.desired, upWindow: c.upWindow, downWindow: c.downWindow,
                                                     history: &history, now: Upstream.now)
        #expect(result == c.expected)
        if let stored = c.stored { #expect(history.recommendations.map(\.workers) == stored) }
    }

    /// horizontal_test.go TestNormalizeDesiredReplicas (the legacy 5-minute window):
    /// (name, recommendations (workers, age), desired, expected, stored count).
    @Test(arguments: [
        ("empty log", [(Int32, TimeInterval)](), Int32(5), Int32(5), 1),
        ("stabilize", [(4, 120), (5, 60)], 3, 5, 3),
        ("no stabilize", [(1, 120), (2, 60)], 3, 3, 3),
        ("no stabilize - old recommendations", [(10, 600), (9, 540)], 3, 3, 2),
        ("stabilize - old recommendations", [(10, 600), (4, 60), (5, 120), (9, 540)], 3, 5, 4),
    ] as [(String, [(Int32, TimeInterval)], Int32, Int32, Int)])
    func legacyStabilization(name: String, recommendations: [(Int32, TimeInterval)], desired: Int32, expected: Int32, stored: Int) {
        var history = ScalingHistory()
        history.recommendations = recommendations.map { .init(workers: $0.0, time: Upstream.now.addingTimeInterval(-$0.1)) }
        #expect(LegacyNormalization.stabilize(desired, window: 300, history: &history, now: Upstream.now) == expected, "\(name)")
        #expect(history.recommendations.count == stored, "\(name)")
    }

    /// horizontal_test.go TestConvertDesiredReplicasWithRules. The last row expects
    /// `calculateScaleUpLimit(3)`, which is 24 upstream (the test file sets
    /// scaleUpLimitFactor = 8); production's factor 2 gives max(2 × 3, 4) = 6.
    @Test(arguments: [
        ("prenormalized desired replicas within range", Int32(5), Int32(7), Int32(3), Int32(8), Int32(7), "DesiredWithinRange"),
        ("prenormalized desired replicas < minReplicas", 3, 1, 2, 8, 2, "TooFewReplicas"),
        ("prenormalized desired zeroed replicas within range", 1, 0, 0, 10, 0, "DesiredWithinRange"),
        ("maxReplicas is the limit because maxReplicas < scaleUpLimit", 20, 1000, 1, 10, 10, "TooManyReplicas"),
        ("scaleUpLimit is the limit because scaleUpLimit < maxReplicas (adapted: 6 with factor 2, 24 upstream)", 3, 1000, 1, 2000, 6, "ScaleUpLimit"),
    ] as [(String, Int32, Int32, Int32, Int32, Int32, String)])
    func legacyRules(name: String, current: Int32, desired: Int32, min: Int32, max: Int32, expected: Int32, reason: String) {
        let (workers, limit) = LegacyNormalization.applyRules(current: current, desired: desired, min: min, max: max)
        #expect(workers == expected, "\(name)")
        #expect(limit.reason == reason, "\(name)")
        // With the test file's factor the upstream number comes back.
        if reason == "ScaleUpLimit" { #expect(LegacyNormalization.applyRules(current: current, desired: desired, min: min, max: max, scaleUpLimitFactor: 8).0 == 24) }
    }

    /// horizontal_test.go TestStoreScaleEvents: outdated events (older than the longest
    /// policy period) are reused, newer ones kept. (changes, ages, rules, expected changes after storing 5)
    @Test(arguments: [
        ("one outdated entry to be replaced with behavior", [Int32(7)], [TimeInterval(61)], Upstream.rules(10, 60, 100, 60, 0), [Int32(5)]),
        ("one actual entry to be not touched with behavior", [7], [58], Upstream.rules(10, 60, 100, 60, 0), [7, 5]),
        ("two entries, one of them to be replaced", [7, 6], [61, 59], Upstream.rules(10, 60, 0, 0, 0), [5, 6]),
        ("replace one entry, use policies with different periods", [8, 6, 7, 9], [29, 59, 61, 61], Upstream.rules(10, 60, 100, 30, 0), [8, 6, 7, 5]),
        ("two entries, both actual", [7, 6], [58, 59], Upstream.rules(10, 120, 100, 30, 0), [7, 6, 5]),
    ] as [(String, [Int32], [TimeInterval], ScalingRules, [Int32])])
    func storeScaleEvents(name: String, changes: [Int32], ages: [TimeInterval], rules: ScalingRules, expected: [Int32]) {
        let period = TimeInterval(rules.policies?.map(\.periodSeconds).max() ?? 0)
        var history = ScalingHistory()
        history.scaleUpEvents = zip(changes, ages).map { .init(change: $0, time: Upstream.now.addingTimeInterval(-$1)) }
        history.recordScaleEvent(from: 10, to: 15, longestPeriod: period, now: Upstream.now)
        #expect(history.scaleUpEvents.map(\.change) == expected, "\(name)")
        history.scaleDownEvents = zip(changes, ages).map { .init(change: $0, time: Upstream.now.addingTimeInterval(-$1)) }
        history.recordScaleEvent(from: 10, to: 5, longestPeriod: period, now: Upstream.now)
        #expect(history.scaleDownEvents.map(\.change) == expected, "\(name)")
    }
}
