/// The pod sweeper's pure decision: keep a worker pod (and when to look again) or delete
/// it, from the pod, its Sync (as cached) and the wall time. No I/O, so it is table-tested.
import FerryAPI
import Foundation
import KubeCore

/// Why a worker pod is deleted. Raw values are the `reason` label of `ferry_sweeper_deletions_total`.
public enum SweepReason: String, Sendable, Hashable, CaseIterable {
    /// Succeeded, and the succeeded TTL has passed since its last phase transition.
    case succeededTTL = "succeeded_ttl"
    /// Failed (or another terminal phase), and the failed TTL has passed.
    case failedTTL = "failed_ttl"
    /// The Sync the pod belongs to no longer exists.
    case syncMissing = "sync_missing"
    /// A Sync of the same name exists, but it is a newer object than the pod's owner.
    case syncReplaced = "sync_replaced"
    /// The pod is finished and the Sync has moved on to a later attempt.
    case supersededAttempt = "superseded_attempt"
}

/// What to do with one worker pod.
public enum SweepDecision: Sendable, Hashable {
    /// Keep it; look again after this long (nil: only when the pod or its Sync changes).
    case keep(recheckAfter: Duration?)
    case delete(SweepReason)
}

/// Decides the fate of `pod`. `sync` is the Sync named by the pod's controller owner
/// reference (else its `ferry.dev/sync` label) in the pod's namespace, nil when there is none.
public func sweepDecision(pod: JSONValue, sync: JSONValue?, now: Date, ttls: PodSweeperOptions) -> SweepDecision {
    guard pod.labels[FerryLabels.managedBy] == FerryLabels.managedByValue else { return .keep(recheckAfter: nil) }
    // Already being deleted: nothing left to do, and its finalizers are not ours.
    if pod.deletionTimestamp != nil { return .keep(recheckAfter: nil) }
    let phase = PodSweepFacts.phase(of: pod)
    if ttls.orphanCheck, let reason = orphanReason(pod: pod, sync: sync, finished: phase != .active) {
        return .delete(reason)
    }
    let ttl: Duration?
    let reason: SweepReason
    switch phase {
    case .active: return .keep(recheckAfter: nil)
    case .succeeded: (ttl, reason) = (ttls.succeededTTL, .succeededTTL)
    case .failed: (ttl, reason) = (ttls.failedTTL, .failedTTL)
    }
    guard let ttl else { return .keep(recheckAfter: nil) }
    // A server always stamps creationTimestamp; a terminal pod without any time is treated as long finished.
    guard let since = PodSweepFacts.lastTransitionTime(of: pod) else { return .delete(reason) }
    let remaining = since.addingTimeInterval(seconds(ttl)).timeIntervalSince(now)
    if remaining <= 0 { return .delete(reason) }
    // Rounded up so the recheck never lands just before the deadline.
    return .keep(recheckAfter: .milliseconds(Int64((remaining * 1000).rounded(.up))))
}

/// Why `pod` is an orphan, or nil when it still belongs to a live, current Sync.
func orphanReason(pod: JSONValue, sync: JSONValue?, finished: Bool) -> SweepReason? {
    let owner = PodSweepFacts.syncOwner(of: pod)
    // A pod naming no Sync at all is not a worker pod of a Sync: only its TTL applies.
    guard owner != nil || PodSweepFacts.syncLabel(of: pod) != nil else { return nil }
    // Even a running pod goes: a Sync deleted while its pod runs must stop it.
    guard let sync else { return .syncMissing }
    if let owner, let uid = sync.uid, owner.uid != uid { return .syncReplaced }
    if owner == nil, let podCreated = PodSweepFacts.creationTime(of: pod), let syncCreated = PodSweepFacts.creationTime(of: sync),
        podCreated < syncCreated
    {
        // Orphan-propagated deletion removed the owner reference and a new Sync took the name.
        return .syncReplaced
    }
    if finished, let attempt = PodSweepFacts.attempt(of: pod), let current = PodSweepFacts.highestAttempt(of: sync), attempt < current {
        return .supersededAttempt
    }
    return nil
}

/// Reading the facts the decision needs from unstructured Pods and Syncs.
public enum PodSweepFacts {
    public enum Phase: Sendable, Hashable {
        /// Pending, Running, or no phase yet: never swept by TTL.
        case active
        case succeeded
        /// Failed, Unknown, or any other phase a newer server may report.
        case failed
    }

    public static func phase(of pod: JSONValue) -> Phase {
        switch pod["status"]["phase"].stringValue {
        case nil, "", "Pending", "Running": return .active
        case "Succeeded": return .succeeded
        default: return .failed
        }
    }

    /// The pod's controller owner reference to a Sync, if any.
    public static func syncOwner(of pod: JSONValue) -> OwnerReference? {
        pod.ownerReferences.first { ref in
            ref.kind == Sync.resourceType.kind && ref.controller == true && GroupVersion(apiVersion: ref.apiVersion)?.group == FerryAPI.group
        }
    }

    public static func syncLabel(of pod: JSONValue) -> String? {
        guard let value = pod.labels[FerryLabels.sync], !value.isEmpty else { return nil }
        return value
    }

    /// The name of the pod's Sync: the owner reference's (never shortened), else the label's.
    public static func syncName(of pod: JSONValue) -> String? {
        syncOwner(of: pod)?.name ?? syncLabel(of: pod)
    }

    public static func attempt(of pod: JSONValue) -> Int? {
        pod.labels[FerryLabels.attempt].flatMap { Int($0) }
    }

    /// The highest attempt number in the Sync's `status.attempts`, nil when it has none.
    public static func highestAttempt(of sync: JSONValue) -> Int? {
        (sync["status"]["attempts"].arrayValue ?? []).compactMap { $0["number"].intValue.map { Int($0) } }.max()
    }

    public static func creationTime(of object: JSONValue) -> Date? {
        object["metadata"]["creationTimestamp"].stringValue.flatMap(KubeTime.parse)
    }

    /// When the pod last changed phase: the latest container `terminated.finishedAt`, else
    /// the latest Ready/ContainersReady transition, else `status.startTime`, else creation.
    public static func lastTransitionTime(of pod: JSONValue) -> Date? {
        let status = pod["status"]
        let statuses = (status["containerStatuses"].arrayValue ?? []) + (status["initContainerStatuses"].arrayValue ?? [])
        if let finished = statuses.compactMap({ $0["state"]["terminated"]["finishedAt"].stringValue.flatMap(KubeTime.parse) }).max() {
            return finished
        }
        let readiness = (status["conditions"].arrayValue ?? []).filter { ["Ready", "ContainersReady"].contains($0["type"].stringValue ?? "") }
        if let transition = readiness.compactMap({ $0["lastTransitionTime"].stringValue.flatMap(KubeTime.parse) }).max() {
            return transition
        }
        if let started = status["startTime"].stringValue.flatMap(KubeTime.parse) { return started }
        return creationTime(of: pod)
    }
}

/// The duration in seconds, for date arithmetic.
private func seconds(_ d: Duration) -> TimeInterval {
    let c = d.components
    return TimeInterval(c.seconds) + TimeInterval(c.attoseconds) / 1e18
}
