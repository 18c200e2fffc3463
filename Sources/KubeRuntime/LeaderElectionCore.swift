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

    /// client-go's checks: leaseDuration > renewDeadline > 1.2 × retryPeriod, all positive.
    public func validate() throws(LeaderElectionConfigurationError) {
        guard leaseDuration > .zero, renewDeadline > .zero, retryPeriod > .zero else { throw .init(message: "leader election durations must be greater than zero") }
        guard leaseDuration > renewDeadline else { throw .init(message: "leaseDuration must be greater than renewDeadline") }
        guard renewDeadline > retryPeriod * 1.2 else { throw .init(message: "renewDeadline must be greater than retryPeriod*JitterFactor") }
        guard !identity.isEmpty else { throw .init(message: "leader election requires a non-empty identity") }
        guard !leaseName.isEmpty, !namespace.isEmpty else { throw .init(message: "leader election requires a lease name and namespace") }
    }
}

public struct LeaderElectionConfigurationError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { "invalid leader election configuration: \(message)" }
}

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
    /// The lease spec last seen, and when (monotonic) it was first seen: expiry is judged by
    /// our own clock from that moment, never by comparing the holder's timestamps with ours.
    private var observedSpec: JSONValue = .null
    private var observedTime: Duration = .zero
    /// When the last acquire or renew succeeded.
    public private(set) var lastRenew: Duration?
    public private(set) var isLeader = false

    public init(configuration: LeaderElectionConfiguration) { self.configuration = configuration }

    /// Decides what to write, given the current lease (nil when it does not exist).
    public mutating func decide(current: JSONValue?, now: Duration, wallTime: Date) -> Decision {
        let stamp = JSONValue.string(KubeTime.formatMicro(wallTime))
        let seconds = JSONValue.int(Int64(configuration.leaseDuration.components.seconds))
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
            observedTime = now
        }
        let holder = spec["holderIdentity"].stringValue ?? ""
        let held = Duration.seconds(spec["leaseDurationSeconds"].intValue ?? Int64(configuration.leaseDuration.components.seconds))
        if !holder.isEmpty, holder != configuration.identity, observedTime + held > now {
            isLeader = false
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
