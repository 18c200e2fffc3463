/// Leader election on a coordination.k8s.io/v1 Lease as a pure state machine (client-go
/// `tryAcquireOrRenew`): given the lease read from the server, what to write next.
import Foundation
import KubeCore

public struct LeaderElectionConfiguration: Sendable, Hashable {
    public var leaseName: String
    public var namespace: String
    /// This candidate's identity (pod name plus a random suffix in practice).
    public var identity: String
    public var leaseDuration: Duration
    public var renewDeadline: Duration
    public var retryPeriod: Duration

    public init(
        leaseName: String, namespace: String, identity: String, leaseDuration: Duration = .seconds(15), renewDeadline: Duration = .seconds(10),
        retryPeriod: Duration = .seconds(2)
    ) {
        self.leaseName = leaseName
        self.namespace = namespace
        self.identity = identity
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
    }

    /// The lease duration as the Lease records it: whole seconds (`leaseDurationSeconds`),
    /// which is what every candidate judges expiry by.
    public var recordedLeaseDuration: Duration { .seconds(leaseDuration.components.seconds) }

    /// How far a candidate trusts the holder's `renewTime` (`LeaderElectionCore.observationTime`):
    /// the longest gap between two of its polls, retryPeriod × client-go's JitterFactor 1.2,
    /// so a renew seen at the next poll is dated back to when it happened.
    public var observationTrust: Duration { retryPeriod * 1.2 }

    /// client-go's checks (leaseDuration > renewDeadline > 1.2 × retryPeriod, all positive),
    /// plus renewDeadline + 1.2 × retryPeriod < leaseDuration: a candidate dates its
    /// observation of a renew back by up to `observationTrust`, so the margin between "the
    /// old leader has stopped" and "a candidate may take over" is leaseDuration −
    /// renewDeadline − observationTrust (2.6 s with the defaults) and must be positive.
    public func validate() throws(LeaderElectionConfigurationError) {
        guard leaseDuration > .zero, renewDeadline > .zero, retryPeriod > .zero else { throw .init(message: "leader election durations must be greater than zero") }
        guard leaseDuration >= .seconds(1) else { throw .init(message: "leaseDuration must be at least 1s (the Lease records whole seconds)") }
        guard leaseDuration > renewDeadline else { throw .init(message: "leaseDuration must be greater than renewDeadline") }
        guard renewDeadline > retryPeriod * 1.2 else { throw .init(message: "renewDeadline must be greater than retryPeriod*JitterFactor") }
        guard renewDeadline + observationTrust < recordedLeaseDuration else {
            throw .init(message: "renewDeadline + retryPeriod*JitterFactor must be less than leaseDuration (in whole seconds): a candidate trusts the holder's renewTime by up to retryPeriod*JitterFactor")
        }
        guard !identity.isEmpty else { throw .init(message: "leader election requires a non-empty identity") }
        guard !leaseName.isEmpty, !namespace.isEmpty else { throw .init(message: "leader election requires a lease name and namespace") }
    }
}

public struct LeaderElectionConfigurationError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { "invalid leader election configuration: \(message)" }
}

/// client-go's `tryAcquireOrRenew`, with a faster takeover after a crash.
///
/// client-go judges expiry from when a candidate *saw* a renew (at its next poll, up to
/// 1.2 × retryPeriod later) and acquires only at a poll after expiry, so replacing a killed
/// leader takes leaseDuration plus up to about two retry periods. Here a candidate dates a
/// newly seen renew back to the record's `renewTime`, trusting the holder's clock by at most
/// `observationTrust` = 1.2 × retryPeriod, its longest poll gap (`observationTime`), and
/// the elector wakes right at the expiry so judged (`nextAttempt`) rather than at its next
/// poll: a killed leader is replaced leaseDuration after its last renew, plus milliseconds.
///
/// Safety (never two leaders), with r the holder's monotonic time just before it wrote the
/// renew it stamped `renewTime`: the holder stops leading at r + renewDeadline at the latest
/// (`leadingDeadline`, enforced by the elector even while a request hangs). A candidate
/// sees that renew at t ≥ r (after it was written) and dates it t − min(age, trust) ≥
/// r − trust, whatever the clocks say; it takes over no sooner than that plus the recorded
/// leaseDuration, i.e. ≥ r + leaseDuration − trust > r + renewDeadline
/// (`LeaderElectionConfiguration.validate`): 15 − 2.4 = 12.6 s against 10 s with the
/// defaults, 2.6 s of margin for cancelling the controllers and for clock rate differences.
/// With synchronized wall clocks the dating is exact or later (≥ r): the full 5 s remain.
public struct LeaderElectionCore: Sendable {
    public enum Decision: Sendable, Hashable {
        /// No lease exists: create this one.
        case create(JSONValue)
        /// Acquire or renew: PUT this lease (its resourceVersion is the precondition).
        case update(JSONValue)
        /// Another candidate holds an unexpired lease.
        case heldBy(String)
    }

    public let configuration: LeaderElectionConfiguration
    /// The lease spec last seen, and when (monotonic) its renew happened by our judgement
    /// (`observationTime`): expiry is judged by our own clock from that moment.
    private var observedSpec: JSONValue = .null
    public private(set) var observedTime: Duration = .zero
    /// When another candidate's lease expires by our clock; nil when not held by another.
    public private(set) var heldUntil: Duration?
    /// When the last acquire or renew succeeded (the moment before the write was sent).
    public private(set) var lastRenew: Duration?
    public private(set) var isLeader = false

    public init(configuration: LeaderElectionConfiguration) { self.configuration = configuration }

    /// When a renew stamped `renewTime` happened, on our monotonic clock, as seen at `now`
    /// (`wallTime` on our wall clock): `now` minus the renew's age by the two wall clocks,
    /// the age clamped to 0…`trust`. A renewTime in the future (skew) or unparsable gives
    /// `now`, client-go's rule; a large age (a skewed or long-dead holder) gives `now − trust`.
    public static func observationTime(renewTime: String?, now: Duration, wallTime: Date, trust: Duration) -> Duration {
        guard let renewTime, let renewed = KubeTime.parse(renewTime) else { return now }
        let age = wallTime.timeIntervalSince(renewed)
        guard age > 0, age.isFinite else { return now }
        let trustSeconds = Double(trust.components.seconds) + Double(trust.components.attoseconds) / 1e18
        // Compared as Double first: a huge age must not overflow `Duration.seconds`.
        return now - (age >= trustSeconds ? trust : .seconds(age))
    }

    /// Decides what to write, given the current lease (nil when it does not exist).
    public mutating func decide(current: JSONValue?, now: Duration, wallTime: Date) -> Decision {
        let stamp = JSONValue.string(KubeTime.formatMicro(wallTime))
        let seconds = JSONValue.int(Int64(configuration.leaseDuration.components.seconds))
        heldUntil = nil
        guard let current else {
            return .create([
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": ["name": .string(configuration.leaseName), "namespace": .string(configuration.namespace)],
                "spec": [
                    "holderIdentity": .string(configuration.identity), "leaseDurationSeconds": seconds,
                    "acquireTime": stamp, "renewTime": stamp, "leaseTransitions": 0,
                ],
            ])
        }
        let spec = current["spec"]
        if spec != observedSpec {
            observedSpec = spec
            observedTime = Self.observationTime(renewTime: spec["renewTime"].stringValue, now: now, wallTime: wallTime, trust: configuration.observationTrust)
        }
        let holder = spec["holderIdentity"].stringValue ?? ""
        let held = Duration.seconds(spec["leaseDurationSeconds"].intValue ?? Int64(configuration.leaseDuration.components.seconds))
        if !holder.isEmpty, holder != configuration.identity, observedTime + held > now {
            isLeader = false
            heldUntil = observedTime + held
            return .heldBy(holder)
        }
        var next = current
        var newSpec = spec.objectValue.map(JSONValue.object) ?? .emptyObject
        if holder != configuration.identity {
            newSpec["acquireTime"] = stamp
            newSpec["leaseTransitions"] = .int((spec["leaseTransitions"].intValue ?? 0) + 1)
        }
        newSpec["holderIdentity"] = .string(configuration.identity)
        newSpec["leaseDurationSeconds"] = seconds
        newSpec["renewTime"] = stamp
        next["spec"] = newSpec
        return .update(next)
    }

    /// When a candidate tries next: at its next poll (`retryDelay` from `now`: retryPeriod
    /// with jitter) or, when another's lease expires before that, right at the expiry, so a
    /// crashed leader is replaced leaseDuration after its last renew instead of at the first
    /// poll after that.
    public func nextAttempt(now: Duration, retryDelay: Duration) -> Duration {
        let poll = now + retryDelay
        // A past expiry (left from an earlier round whose request then failed) must not
        // turn into an immediate retry loop.
        guard let heldUntil, heldUntil > now else { return poll }
        return min(poll, heldUntil)
    }

    /// The moment this leader must stop leading if no renew succeeds before: the last renew
    /// plus renewDeadline. nil when not leading.
    public var leadingDeadline: Duration? {
        guard isLeader, let lastRenew else { return nil }
        return lastRenew + configuration.renewDeadline
    }

    /// The create or update succeeded: we lead until `now + leaseDuration` at the latest.
    public mutating func succeeded(_ written: JSONValue, now: Duration) {
        observedSpec = written["spec"]
        observedTime = now
        lastRenew = now
        isLeader = true
    }

    /// An attempt failed (conflict, error, held by another). Returns whether we are still
    /// leader: a leader keeps leading until `renewDeadline` has passed since its last renew.
    @discardableResult
    public mutating func failed(now: Duration) -> Bool {
        guard isLeader, let lastRenew else {
            isLeader = false
            return false
        }
        if now - lastRenew >= configuration.renewDeadline { isLeader = false }
        return isLeader
    }

    /// The lease to write on graceful release: holder cleared, duration 1 s, so a successor
    /// takes over at its next retry. nil when the lease is not ours.
    public func release(current: JSONValue, wallTime: Date) -> JSONValue? {
        guard current["spec"]["holderIdentity"].stringValue == configuration.identity else { return nil }
        let stamp = JSONValue.string(KubeTime.formatMicro(wallTime))
        var next = current
        var spec = current["spec"]
        spec["holderIdentity"] = .null
        spec["leaseDurationSeconds"] = 1
        spec["acquireTime"] = stamp
        spec["renewTime"] = stamp
        next["spec"] = spec
        return next
    }

    public mutating func resign() { isLeader = false }
}
