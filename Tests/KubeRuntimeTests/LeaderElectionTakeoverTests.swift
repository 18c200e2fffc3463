/// The fast takeover of `LeaderElectionCore`: a candidate dates a renew it sees back to the
/// record's renewTime (trusting the holder's clock by at most 1.2 × retryPeriod), wakes
/// right at the expiry, and yet never takes over from a leader that still leads — checked
/// on simulated timelines with skewed clocks, jittered polls and slow requests.
import Foundation
import KubeCore
import KubeRuntime
import Testing

@Suite struct LeaderElectionTakeoverTests {
    static let epoch = Date(timeIntervalSince1970: 1_767_225_600)
    let config = LeaderElectionConfiguration(leaseName: "ferry", namespace: "ns", identity: "candidate")
    /// 1.2 × the default 2 s retry period.
    let trust = Duration.milliseconds(2400)

    static func stamp(_ offset: Double) -> String { KubeTime.formatMicro(epoch.addingTimeInterval(offset)) }

    /// Equal to the microsecond: 1.2 × retryPeriod and µs timestamps need not be exact.
    func close(_ a: Duration?, _ b: Duration) -> Bool {
        guard let a else { return false }
        return abs((a - b) / .microseconds(1)) <= 1
    }

    func lease(holder: String = "holder", renewTime: String?, duration: Int64 = 15) -> JSONValue {
        var spec: JSONValue = ["holderIdentity": .string(holder), "leaseDurationSeconds": .int(duration), "leaseTransitions": 0, "acquireTime": .string(Self.stamp(0))]
        if let renewTime { spec["renewTime"] = .string(renewTime) }
        return ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": ["name": "ferry", "namespace": "ns", "resourceVersion": "7"], "spec": spec]
    }

    // MARK: dating an observation

    /// (age of the renew by our wall clock in seconds, expected monotonic observation at now = 100 s)
    static let ages: [(Double, Double)] = [
        (0.0, 100.0), (0.25, 99.75), (1.5, 98.5), (2.4, 97.6), (2.5, 97.6), (30.0, 97.6), (1_576_800_000.0, 97.6),
        (-0.001, 100.0), (-3600.0, 100.0),
    ]

    @Test(arguments: ages)
    func anObservationIsDatedBackByTheRenewsAgeUpToTheTrust(age: Double, expected: Double) {
        let wall = Self.epoch.addingTimeInterval(1000)
        let renew = KubeTime.formatMicro(wall.addingTimeInterval(-age))
        let observed = LeaderElectionCore.observationTime(renewTime: renew, now: .seconds(100), wallTime: wall, trust: trust)
        #expect(close(observed, .seconds(expected)), "age \(age): \(observed)")
    }

    static let unreadable: [String?] = [nil, "", "r1", "2026-13-01T00:00:00Z", "yesterday", "2026-01-01T00:00:00"]

    @Test(arguments: unreadable)
    func anUnparsableOrMissingRenewTimeIsDatedNow(renewTime: String?) {
        let observed = LeaderElectionCore.observationTime(renewTime: renewTime, now: .seconds(100), wallTime: Self.epoch, trust: trust)
        #expect(observed == .seconds(100))
    }

    @Test func aRenewTimeWithAnOffsetIsReadInUTC() {
        // 01:00:00+01:00 is 00:00:00Z, one second before our wall clock.
        let observed = LeaderElectionCore.observationTime(
            renewTime: "2026-01-01T01:00:00.000000+01:00", now: .seconds(100), wallTime: Date(timeIntervalSince1970: 1_767_225_601), trust: trust)
        #expect(observed == .seconds(99))
    }

    @Test func aHeldLeaseExpiresLeaseDurationAfterItsRenewNotAfterWeSawIt() {
        var core = LeaderElectionCore(configuration: config)
        // Seen at 100 s, renewed 1.75 s earlier by the (agreeing) wall clocks: expires at 113.25 s.
        let wall = Self.epoch.addingTimeInterval(500)
        let current = lease(renewTime: KubeTime.formatMicro(wall.addingTimeInterval(-1.75)))
        #expect(core.decide(current: current, now: .seconds(100), wallTime: wall) == .heldBy("holder"))
        #expect(core.heldUntil == .milliseconds(113_250))
        // Seeing the same record again does not move the observation.
        #expect(core.decide(current: current, now: .milliseconds(113_249), wallTime: wall.addingTimeInterval(13.249)) == .heldBy("holder"))
        #expect(core.heldUntil == .milliseconds(113_250))
        guard case .update(let taken) = core.decide(current: current, now: .milliseconds(113_250), wallTime: wall.addingTimeInterval(13.25)) else {
            Issue.record("expected a takeover at the expiry"); return
        }
        #expect(taken["spec"]["holderIdentity"] == "candidate")
        #expect(taken["spec"]["leaseTransitions"] == 1)
        #expect(core.heldUntil == nil)
    }

    @Test func aRenewTimeInTheFutureCountsFromWhenWeSawIt() {
        var core = LeaderElectionCore(configuration: config)
        let wall = Self.epoch.addingTimeInterval(500)
        // The holder's clock runs 10 s ahead: client-go's rule, full lease from our observation.
        let current = lease(renewTime: KubeTime.formatMicro(wall.addingTimeInterval(10)))
        #expect(core.decide(current: current, now: .seconds(100), wallTime: wall) == .heldBy("holder"))
        #expect(core.heldUntil == .seconds(115))
    }

    @Test func aNewRenewIsDatedAgainAndTheRecordsLeaseDurationCounts() {
        var core = LeaderElectionCore(configuration: config)
        let wall = Self.epoch.addingTimeInterval(500)
        _ = core.decide(current: lease(renewTime: KubeTime.formatMicro(wall.addingTimeInterval(-1)), duration: 40), now: .seconds(100), wallTime: wall)
        #expect(core.heldUntil == .seconds(139))
        // Renewed 0.5 s before our next poll 2 s later, now with the holder's 15 s.
        let later = wall.addingTimeInterval(2)
        _ = core.decide(current: lease(renewTime: KubeTime.formatMicro(later.addingTimeInterval(-0.5)), duration: 15), now: .seconds(102), wallTime: later)
        #expect(core.heldUntil == .milliseconds(116_500))
    }

    // MARK: when to try next

    @Test func aCandidateWakesAtTheExpiryWhenItComesBeforeTheNextPoll() {
        var core = LeaderElectionCore(configuration: config)
        let wall = Self.epoch.addingTimeInterval(500)
        _ = core.decide(current: lease(renewTime: KubeTime.formatMicro(wall.addingTimeInterval(-14))), now: .seconds(100), wallTime: wall)
        #expect(close(core.heldUntil, .milliseconds(112_600)), "age 14 s is clamped to the 2.4 s trust: \(String(describing: core.heldUntil))")
        #expect(core.nextAttempt(now: .seconds(100), retryDelay: .seconds(2)) == .seconds(102))
        #expect(close(core.nextAttempt(now: .seconds(111), retryDelay: .seconds(2)), .milliseconds(112_600)))
        #expect(close(core.nextAttempt(now: .milliseconds(112_599), retryDelay: .milliseconds(2400)), .milliseconds(112_600)))
    }

    @Test func withoutAHolderOrAfterTheExpiryTheNextPollIsTheRetry() {
        var core = LeaderElectionCore(configuration: config)
        #expect(core.nextAttempt(now: .seconds(5), retryDelay: .milliseconds(2200)) == .milliseconds(7200), "nothing observed yet")
        let wall = Self.epoch
        _ = core.decide(current: lease(renewTime: KubeTime.formatMicro(wall)), now: .seconds(10), wallTime: wall)
        #expect(core.heldUntil == .seconds(25))
        // A later failed read leaves the old expiry behind: no immediate retry loop.
        #expect(core.nextAttempt(now: .seconds(30), retryDelay: .seconds(2)) == .seconds(32))
        // Our own lease (renewing) and a create have no holder to wait for.
        var leader = LeaderElectionCore(configuration: config)
        _ = leader.decide(current: nil, now: .zero, wallTime: wall)
        #expect(leader.heldUntil == nil)
        #expect(leader.nextAttempt(now: .zero, retryDelay: .seconds(2)) == .seconds(2))
    }

    @Test func theLeadingDeadlineIsTheLastRenewPlusTheRenewDeadline() {
        var core = LeaderElectionCore(configuration: config)
        #expect(core.leadingDeadline == nil)
        core.succeeded(lease(holder: "candidate", renewTime: Self.stamp(0)), now: .seconds(40))
        #expect(core.leadingDeadline == .seconds(50))
        core.succeeded(lease(holder: "candidate", renewTime: Self.stamp(2)), now: .seconds(42))
        #expect(core.leadingDeadline == .seconds(52))
        core.failed(now: .seconds(52))
        #expect(core.leadingDeadline == nil)
    }

    // MARK: validation

    /// (lease, renew, retry in ms, valid)
    static let durations: [(Int, Int, Int, Bool)] = [
        (15_000, 10_000, 2_000, true), (4_000, 2_500, 1_000, true), (4_000, 3_000, 500, true), (2_000, 1_500, 200, true),
        (15_000, 12_000, 2_600, false), // 12 + 3.12 ≥ 15
        (15_000, 12_700, 2_000, false), // 12.7 + 2.4 ≥ 15
        (15_000, 12_500, 2_000, true), // 12.5 + 2.4 < 15
        (4_500, 3_000, 1_000, false), // the Lease records 4 s: 3 + 1.2 ≥ 4
        (800, 500, 100, false), // under a second the Lease would record 0
    ]

    @Test(arguments: durations)
    func validationKeepsTheMarginTheDatingNeeds(lease: Int, renew: Int, retry: Int, valid: Bool) {
        let c = LeaderElectionConfiguration(
            leaseName: "l", namespace: "n", identity: "i", leaseDuration: .milliseconds(lease), renewDeadline: .milliseconds(renew), retryPeriod: .milliseconds(retry))
        do {
            try c.validate()
            #expect(valid)
        } catch {
            #expect(!valid)
            #expect(error.description.hasPrefix("invalid leader election configuration: "))
        }
    }

    // MARK: simulated timelines

    /// One timeline: a holder renewing (each write taking `writeLatency`, gaps up to
    /// `maxGap`) until `stopsAt` (killed), and a candidate polling with jitter and waking at
    /// expiries, with its own wall-clock skew. Returns the candidate's takeover time, if any,
    /// and the holder's renews (monotonic time of the renew, i.e. before its write).
    struct Timeline {
        var holderSkew: Double
        var candidateSkew: Double
        var maxGap: Duration
        var stopsAt: Duration
        var seed: UInt64

        func run(_ config: LeaderElectionConfiguration, until end: Duration) -> (takeover: Duration?, renews: [Duration]) {
            var rng = SplitMix64(seed: seed)
            func uniform(_ lower: Duration, _ upper: Duration) -> Duration { lower + (upper - lower) * rng.nextUnit() }
            // The holder's renews: r (stamped with its wall clock), committed at r + latency.
            var renews: [(at: Duration, committed: Duration, stamp: String)] = []
            var r = Duration.seconds(1)
            while r < stopsAt {
                let latency = uniform(.zero, .milliseconds(300))
                renews.append((r, r + latency, KubeTime.formatMicro(LeaderElectionTakeoverTests.epoch.addingTimeInterval(r / .seconds(1) + holderSkew))))
                r += latency + uniform(config.retryPeriod, maxGap)
            }
            func lease(at t: Duration) -> JSONValue? {
                guard let last = renews.last(where: { $0.committed <= t }) else { return nil }
                return [
                    "metadata": ["name": "ferry", "namespace": "ns", "resourceVersion": .string("\(last.at)")],
                    "spec": ["holderIdentity": "holder", "leaseDurationSeconds": 15, "acquireTime": "2026-01-01T00:00:01.000000Z", "renewTime": .string(last.stamp)],
                ]
            }
            var core = LeaderElectionCore(configuration: config)
            var t = Duration.seconds(2)
            while t < end {
                guard let current = lease(at: t) else { t += config.retryPeriod; continue }
                let wall = LeaderElectionTakeoverTests.epoch.addingTimeInterval(t / .seconds(1) + candidateSkew)
                if case .update = core.decide(current: current, now: t, wallTime: wall) { return (t, renews.map(\.at)) }
                // The next GET returns some time after the wake-up.
                t = core.nextAttempt(now: t, retryDelay: config.retryPeriod * (1 + 0.2 * rng.nextUnit())) + uniform(.zero, .milliseconds(50))
            }
            return (nil, renews.map(\.at))
        }
    }

    static let skews: [Double] = [0, 0.5, -0.5, 3, -3, 3600, -3600]

    @Test(arguments: skews)
    func aLiveLeaderRenewingEveryRetryPeriodIsNeverTakenOver(candidateSkew: Double) {
        for seed in UInt64(1)...40 {
            let timeline = Timeline(holderSkew: 0, candidateSkew: candidateSkew, maxGap: config.retryPeriod, stopsAt: .seconds(600), seed: seed)
            let outcome = timeline.run(config, until: .seconds(600))
            #expect(outcome.takeover == nil, "seed \(seed): taken over at \(outcome.takeover.map { "\($0)" } ?? "")")
        }
    }

    /// The safety argument itself: however late the renews come (up to the renew deadline,
    /// after which the holder stops leading), a takeover happens only after the holder's
    /// last renew + renewDeadline, whichever wall clock is off.
    @Test(arguments: skews)
    func noTakeoverWhileTheHolderMayStillLead(candidateSkew: Double) {
        for seed in UInt64(1)...40 {
            for holderSkew in [0, 2.0, -2.0] {
                let stop = Duration.seconds(30) + .milliseconds(Int64(seed * 137 % 5000))
                let timeline = Timeline(holderSkew: holderSkew, candidateSkew: candidateSkew, maxGap: config.renewDeadline, stopsAt: stop, seed: seed)
                let outcome = timeline.run(config, until: .seconds(120))
                guard let takeover = outcome.takeover, let last = outcome.renews.last(where: { $0 < takeover }) else {
                    Issue.record("seed \(seed): never taken over after the holder stopped at \(stop)"); continue
                }
                #expect(takeover > last + config.renewDeadline, "seed \(seed), skews \(holderSkew)/\(candidateSkew): \(takeover) after the renew at \(last)")
                // Trusting at most 1.2 × retry: never sooner than leaseDuration − trust after it.
                #expect(takeover >= last + config.leaseDuration - trust)
            }
        }
    }

    /// With agreeing clocks a killed holder is replaced leaseDuration after its last renew
    /// (plus the request time of the poll that saw it late), not leaseDuration after the
    /// candidate happened to see that renew plus a poll.
    @Test func aKilledHolderIsReplacedOneLeaseDurationAfterItsLastRenew() {
        var worst = Duration.zero
        for seed in UInt64(1)...200 {
            let stop = Duration.seconds(20) + .milliseconds(Int64(seed * 7919 % 2000))
            let timeline = Timeline(holderSkew: 0, candidateSkew: 0, maxGap: config.retryPeriod, stopsAt: stop, seed: seed)
            let outcome = timeline.run(config, until: .seconds(120))
            guard let takeover = outcome.takeover, let last = outcome.renews.last else { Issue.record("seed \(seed): no takeover"); continue }
            let late = takeover - (last + config.leaseDuration)
            #expect(late >= .zero, "seed \(seed): \(late) before the expiry")
            worst = max(worst, late)
        }
        // Only request latencies (≤ 300 ms write, ≤ 50 ms reads) can push the observation
        // past the trust; client-go's rule would be up to ~2 retry periods (4.8 s) late.
        #expect(worst < .milliseconds(500), "worst \(worst)")
    }
}
