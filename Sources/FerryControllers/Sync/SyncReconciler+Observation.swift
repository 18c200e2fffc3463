/// Following the current attempt's worker pod: Running and Succeeded from its status,
/// failures with the pod's reason, the pod-start and attempt timeouts, a vanished pod,
/// and the retry decision after a failed attempt.
import FerryAPI
import Foundation
import KubeClient
import KubeCore
import KubeRuntime

extension SyncReconciler {
    func observe(_ object: JSONValue, _ sync: Sync, _ status: SyncStatus, attempt: SyncAttempt) async throws -> ReconcileAction {
        let namespace = object.namespace ?? ""
        guard let podName = attempt.podName else {
            return try await failAttempt(object, sync, status, attempt, reason: SyncConditions.Reason.podDeleted, message: "attempt \(attempt.number) has no pod name")
        }
        guard let pod = try await currentPod(podName, namespace: namespace, owner: object.uid) else {
            // The worker may have committed state before its pod went away.
            let progress = try await readProgress(podName: podName, namespace: namespace)
            return try await failAttempt(object, sync, status, attempt, reason: SyncConditions.Reason.podDeleted,
                                         message: "worker pod \(podName) was deleted before attempt \(attempt.number) finished", progress: progress)
        }
        let connection: Connection? = cached(caches.connections, namespace, sync.spec.connectionRef.name)
        let timeouts = (connection?.spec ?? ConnectionSpec(sourceRef: .init(name: ""), destinationRef: .init(name: ""))).effectiveTimeouts
        let now = clock.wallTime
        switch WorkerPodObservation(pod: pod) {
        case .pending(let reason, let message, let fatal):
            if fatal {
                try await deleteWorker(podName, namespace: namespace)
                return try await failAttempt(object, sync, status, attempt, reason: reason ?? "PodFailed", message: message ?? "the worker pod cannot start")
            }
            let limit = DurationSyntax.seconds(timeouts.effectivePodStart) ?? 900
            let created = pod["metadata"]["creationTimestamp"].stringValue.flatMap(KubeTime.parse) ?? now
            let deadline = created.addingTimeInterval(limit)
            if now >= deadline {
                try await deleteWorker(podName, namespace: namespace)
                let why = message ?? reason ?? "not scheduled or started"
                return try await failAttempt(object, sync, status, attempt, reason: SyncConditions.Reason.podStartTimeout,
                                             message: "worker pod \(podName) did not start within \(timeouts.effectivePodStart): \(why)")
            }
            return .requeueAfter(Self.until(deadline, from: now))
        case .running:
            // The deadline first: a timed-out attempt fails without a Running write in between.
            let limit = DurationSyntax.seconds(timeouts.effectiveAttempt) ?? 72 * 3600
            let started = attempt.startTime.flatMap(KubeTime.parse) ?? now
            let deadline = started.addingTimeInterval(limit)
            let progress = try await readProgress(podName: podName, namespace: namespace)
            if now >= deadline {
                try await deleteWorker(podName, namespace: namespace)
                return try await failAttempt(object, sync, status, attempt, reason: SyncConditions.Reason.attemptTimeout,
                                             message: "attempt \(attempt.number) ran longer than \(timeouts.effectiveAttempt) (spec.timeouts.attempt); pod \(podName) stopped",
                                             progress: progress)
            }
            var updated = status, running = attempt
            running.phase = .running
            running.startTime = attempt.startTime ?? KubeTime.format(now)
            updated.phase = .running
            updated.startTime = status.startTime ?? running.startTime
            if let stats = progress?.stats { running.stats = stats }
            Self.record(nil, summary: nil, into: &running, status: &updated)
            if updated != status {
                let event: (EventType, String, String)? = attempt.phase != .running || status.phase != .running
                    ? (.normal, "Running", "Attempt \(attempt.number) is running in pod \(podName)") : nil
                try await write(object, updated, event: event)
            }
            // Back for the worker's next report, or at the deadline if that comes first.
            return .requeueAfter(min(Self.until(deadline, from: now), Self.progressInterval))
        case .succeeded(_, let summary):
            let progress = try await readProgress(podName: podName, namespace: namespace)
            return try await succeed(object, sync, status, attempt, summary: summary, progress: progress)
        case .failed(let reason, let message, _, let summary):
            let progress = try await readProgress(podName: podName, namespace: namespace)
            return try await failAttempt(object, sync, status, attempt, reason: reason, message: message, summary: summary, progress: progress)
        }
    }

    /// The attempt's pod from the cache, confirmed with the server when the cache lacks it
    /// (it may not have seen a pod just created). A pod of another owner (a recreated Sync
    /// of the same name) is not ours: nil.
    func currentPod(_ name: String, namespace: String, owner uid: String?) async throws -> JSONValue? {
        let pod: JSONValue?
        do {
            pod = try await podFromCacheOrServer(name, namespace: namespace, cache: caches.pods.store, client: client)
        } catch {
            throw SyncReconcileError("reading worker pod \(namespace)/\(name)", error)
        }
        guard let pod else { return nil }
        let owners = pod["metadata"]["ownerReferences"].arrayValue ?? []
        if let uid, !owners.isEmpty, !owners.contains(where: { $0["uid"].stringValue == uid }) { return nil }
        return pod
    }

    func succeed(_ object: JSONValue, _ sync: Sync, _ status: SyncStatus, _ attempt: SyncAttempt,
                 summary: WorkerSummary?, progress: AttemptProgress?) async throws -> ReconcileAction {
        do {
            try await commitState(progress, sync: sync, namespace: object.namespace ?? "", succeeded: true)
        } catch let error as StateNotStored {
            return try await failUnstorableState(object, status, attempt, error, summary: summary, progress: progress)
        }
        var status = status, attempt = attempt
        let now = clock.wallTime
        attempt.phase = .succeeded
        attempt.completionTime = KubeTime.format(now)
        // Committed records of failed attempts stay committed: the Sync's total is their sum.
        Self.record(progress, summary: summary, into: &attempt, status: &status)
        status.startTime = status.startTime ?? attempt.startTime ?? KubeTime.format(now)
        let committed = status.stats?.recordsCommitted ?? 0
        finish(&status, object, phase: .succeeded, at: now)
        let message = "\(committed) records committed in \(attempt.number) attempt\(attempt.number == 1 ? "" : "s")"
        setCondition(&status, object, type: SyncConditions.complete, .true, SyncConditions.Reason.succeeded, message)
        try await write(object, status, event: (.normal, "Succeeded", "Sync succeeded: \(message) (\(status.duration ?? ""))"))
        return .done
    }

    /// Records the attempt's failure, then retries (back to Queued, after the backoff) or
    /// gives up (Failed with the policy's reason).
    ///
    /// The attempt's committed state is saved first, so the next attempt resumes from it.
    /// The message (the pod's words, maybe a connector's) is written with secret values masked.
    func failAttempt(_ object: JSONValue, _ sync: Sync, _ status: SyncStatus, _ attempt: SyncAttempt, reason: String, message: String,
                     summary: WorkerSummary? = nil, progress: AttemptProgress? = nil) async throws -> ReconcileAction {
        let message = try await redactingSecrets(message, sync: sync, namespace: object.namespace ?? "")
        do {
            try await commitState(progress, sync: sync, namespace: object.namespace ?? "", succeeded: false)
        } catch let error as StateNotStored {
            return try await failUnstorableState(object, status, attempt, error, summary: summary, progress: progress)
        }
        var status = status, attempt = attempt
        let now = clock.wallTime
        attempt.phase = .failed
        attempt.completionTime = KubeTime.format(now)
        attempt.reason = reason
        attempt.message = message
        attempt.recordsCommitted = attempt.recordsCommitted ?? 0
        Self.record(progress, summary: summary, into: &attempt, status: &status)
        let connection: Connection? = cached(caches.connections, object.namespace ?? "", object["spec"]["connectionRef"]["name"].stringValue ?? "")
        let policy = connection?.spec.effectiveRetry ?? RetryPolicy()
        let failure = "attempt \(attempt.number) failed (\(reason)): \(message)"
        switch policy.decide(after: status.attempts ?? []) {
        case .retry(let next, let delay):
            status.phase = .queued
            setCondition(&status, object, type: SyncConditions.queued, .true, SyncConditions.Reason.retrying,
                         "\(failure); attempt \(next) starts after \(delay)s")
            try await write(object, status, event: (.warning, "AttemptFailed", "\(failure); retrying in \(delay)s"))
            return delay > 0 ? .requeueAfter(.seconds(delay)) : .done
        case .giveUp(let giveUpReason, let giveUpMessage):
            finish(&status, object, phase: .failed, at: now)
            setCondition(&status, object, type: SyncConditions.queued, .false, giveUpReason, "no more attempts")
            setCondition(&status, object, type: SyncConditions.failed, .true, giveUpReason, "\(failure); \(giveUpMessage)")
            try await write(object, status, event: (.warning, "Failed", "Sync failed: \(failure); \(giveUpMessage)"))
            return .done
        }
    }

    /// Deletes a worker pod and its per-sync Secret (the sweeper only removes Secrets of
    /// pods it deletes itself); already gone is fine.
    func deleteWorker(_ pod: String, namespace: String?) async throws {
        expectations.forget(namespace: namespace ?? "", pod: pod)
        for (resource, name) in [(ResourceType.pod, pod), (.secret, WorkerPodNaming.secretName(podName: pod))] {
            do {
                _ = try await client.delete(resource, name: name, namespace: namespace, options: DeleteOptions(propagationPolicy: .background))
            } catch where error.isNotFound {
                // Already gone.
            } catch {
                throw SyncReconcileError("deleting \(resource.kind) \(namespace ?? "")/\(name)", error)
            }
        }
    }

    static func until(_ deadline: Date, from now: Date) -> Duration {
        .milliseconds(max(1, Int64((deadline.timeIntervalSince(now) * 1000).rounded(.up))))
    }
}
