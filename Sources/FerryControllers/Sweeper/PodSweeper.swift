/// The pod sweeper controller: deletes finished worker pods when their TTL expires (one
/// timer per pod via requeue-after, never a periodic scan) and orphaned worker pods at once,
/// each with its per-sync Secret.
import FerryAPI
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging

/// Reconciles one worker pod against its Sync. Deletions carry a uid precondition, so a
/// newer pod that took the same name is never deleted in the old one's place.
public struct PodSweeper: Sendable {
    public static let controllerName = "pod-sweeper"
    public static let eventReason = "PodSwept"
    public static let deletionsMetric = "ferry_sweeper_deletions_total"
    /// The pod informer index from `<namespace>/<ferry.dev/sync label>` to pods, so a
    /// change of a Sync re-examines its pods without scanning all of them.
    public static let syncIndex = "ferry.dev/sync"
    public static let podIndexers: [String: IndexFunction] = [syncIndex: syncIndexFunction]
    static let syncIndexFunction: IndexFunction = { pod in
        guard let label = PodSweepFacts.syncLabel(of: pod) else { return [] }
        return ["\(pod.namespace ?? "")/\(label)"]
    }

    let client: KubernetesClient
    let syncs: Informer
    let events: EventRecorder?
    let metrics: MetricsRegistry
    let clock: any RuntimeClock
    let options: PodSweeperOptions
    let logger: Logger

    /// Builds the controller over `pods` (worker pods; ideally with `podIndexers`), reading
    /// Syncs from `syncs`. Run the informers, the recorder and the returned controller.
    public static func make(
        client: KubernetesClient, pods: Informer, syncs: Informer, events: EventRecorder?, clock: any RuntimeClock = SystemClock(),
        metrics: MetricsRegistry = MetricsRegistry(), options: PodSweeperOptions = PodSweeperOptions(), name: String = controllerName,
        logger: Logger = Logger(label: "ferry.sweeper")
    ) -> Controller {
        metrics.describe(deletionsMetric, kind: .counter, help: "Worker pods deleted by the pod sweeper, by reason")
        for reason in SweepReason.allCases { metrics.increment(deletionsMetric, ["reason": reason.rawValue], by: 0) }
        let sweeper = PodSweeper(client: client, syncs: syncs, events: events, metrics: metrics, clock: clock, options: options, logger: logger)
        let controller = Controller(name: name, for: pods, clock: clock, metrics: metrics, logger: logger) { key, pod in
            try await sweeper.reconcile(key, pod)
        }
        // A Sync's change (deleted, replaced, a new attempt) re-examines its pods; watching
        // also makes the controller wait for the Sync cache before deciding anything.
        controller.watches(syncs) { sync in podKeys(of: sync, in: pods.store) }
        return controller
    }

    /// Registers the sweeper on `manager`'s shared Pod and Sync informers (in `namespace`,
    /// or all namespaces) with the manager's clock, metrics and event recorder.
    @discardableResult
    public static func register(on manager: ControllerManager, namespace: String? = nil, options: PodSweeperOptions = PodSweeperOptions()) -> Controller {
        let pods = manager.sharedInformer(for: .pod, namespace: namespace)
        let syncs = manager.sharedInformer(for: Sync.resourceType, namespace: namespace)
        let controller = make(
            client: manager.client, pods: pods, syncs: syncs, events: manager.events, clock: manager.clock, metrics: manager.metrics, options: options,
            name: namespace.map { "\(controllerName)-\($0)" } ?? controllerName)
        manager.add(controller)
        return controller
    }

    /// The keys of the pods of `sync`: by index when the informer has it, else by a scan.
    static func podKeys(of sync: JSONValue, in store: ObjectStore) -> [ObjectKey] {
        guard let name = sync.name else { return [] }
        let namespace = sync.namespace ?? ""
        let indexed = store.byIndex(syncIndex, "\(namespace)/\(WorkerPodNaming.labelValue(name))")
        let candidates = indexed.isEmpty && store.indexValues(syncIndex).isEmpty ? store.list() : indexed
        return candidates.filter { pod in
            (pod.namespace ?? "") == namespace && PodSweepFacts.syncName(of: pod) == name
                || (sync.uid != nil && PodSweepFacts.syncOwner(of: pod)?.uid == sync.uid)
        }.compactMap { ObjectKey($0) }
    }

    func reconcile(_ key: ObjectKey, _ pod: JSONValue?) async throws -> ReconcileAction {
        guard let pod else { return .done }
        let syncName = PodSweepFacts.syncName(of: pod)
        var sync = syncName.flatMap { syncs.store.get(namespace: pod.namespace, name: $0) }
        var decision = sweepDecision(pod: pod, sync: sync, now: clock.wallTime, ttls: options)
        if case .delete(let reason) = decision, [.syncMissing, .syncReplaced].contains(reason), let syncName {
            // The Sync cache may lag the pod cache (a pod created just after its Sync): confirm
            // with the server before stopping a pod that may be running.
            sync = try await liveSync(name: syncName, namespace: key.namespace)
            decision = sweepDecision(pod: pod, sync: sync, now: clock.wallTime, ttls: options)
        }
        switch decision {
        case .keep(let recheck):
            return recheck.map { .requeueAfter($0) } ?? .done
        case .delete(let reason):
            try await sweep(pod, key: key, reason: reason, sync: sync)
            return .done
        }
    }

    private func liveSync(name: String, namespace: String?) async throws -> JSONValue? {
        do {
            return try await client.get(Sync.resourceType, name: name, namespace: namespace)
        } catch where error.isNotFound {
            return nil
        } catch {
            throw PodSweeperError(action: "reading Sync \(namespace ?? "")/\(name) to confirm an orphaned worker pod", underlying: error)
        }
    }

    private func sweep(_ pod: JSONValue, key: ObjectKey, reason: SweepReason, sync: JSONValue?) async throws {
        let options = DeleteOptions(propagationPolicy: .background, preconditionUID: pod.uid)
        do {
            _ = try await client.delete(.pod, name: key.name, namespace: key.namespace, options: options)
        } catch where error.isNotFound {
            // Already gone: still remove its Secret below.
        } catch where error.isConflict {
            // The uid precondition failed: the name belongs to a newer pod now, which the
            // informer hands us separately; its Secret has the same name, so leave it too.
            logger.debug("worker pod replaced before it was swept", metadata: ["pod": "\(key)"])
            return
        } catch {
            throw PodSweeperError(action: "deleting worker pod \(key) (\(reason.rawValue))", underlying: error)
        }
        try await deleteSecret(of: pod, key: key)
        metrics.increment(Self.deletionsMetric, ["reason": reason.rawValue])
        let message = Self.message(pod: key.name, reason: reason, options: self.options)
        logger.info("swept worker pod", metadata: ["pod": "\(key)", "reason": "\(reason.rawValue)"])
        // On the Sync the pod worked for; a replaced Sync is another object, so then on the pod.
        let involved = reason == .syncReplaced ? pod : (sync ?? pod)
        events?.record(involved, type: .normal, reason: Self.eventReason, message: message)
    }

    /// Deletes `<pod>-config` when it belongs to the same Sync as the pod (a Secret of a
    /// recreated Sync with the same names is left alone); 404 is success.
    private func deleteSecret(of pod: JSONValue, key: ObjectKey) async throws {
        let name = WorkerPodNaming.secretName(podName: key.name)
        do {
            let secret = try await client.get(.secret, name: name, namespace: key.namespace)
            if let podOwner = PodSweepFacts.syncOwner(of: pod)?.uid, let secretOwner = PodSweepFacts.syncOwner(of: secret)?.uid, podOwner != secretOwner {
                return
            }
            _ = try await client.delete(.secret, name: name, namespace: key.namespace, options: DeleteOptions(preconditionUID: secret.uid))
        } catch where error.isNotFound || error.isConflict {
            // Gone, or replaced by a newer Secret between our read and delete: not ours to remove.
        } catch {
            throw PodSweeperError(action: "deleting Secret \(key.namespace ?? "")/\(name) of swept worker pod \(key.name)", underlying: error)
        }
    }

    /// The Event message for a deletion: what was deleted and why, in Kubernetes terms.
    static func message(pod: String, reason: SweepReason, options: PodSweeperOptions) -> String {
        switch reason {
        case .succeededTTL: return "Deleted worker pod \(pod): Succeeded longer than \(format(options.succeededTTL))"
        case .failedTTL: return "Deleted worker pod \(pod): finished (not Succeeded) longer than \(format(options.failedTTL))"
        case .syncMissing: return "Deleted worker pod \(pod): its Sync no longer exists"
        case .syncReplaced: return "Deleted worker pod \(pod): it belonged to an earlier Sync of the same name"
        case .supersededAttempt: return "Deleted worker pod \(pod): finished, and the Sync has moved on to a later attempt"
        }
    }

    static func format(_ ttl: Duration?) -> String {
        guard let ttl else { return "never" }
        let s = ttl.components.seconds
        if s % 3600 == 0, s > 0 { return "\(s / 3600)h" }
        if s % 60 == 0, s > 0 { return "\(s / 60)m" }
        return "\(s)s"
    }
}

/// A sweeper API call failed; says which object and what was being done.
public struct PodSweeperError: Error, CustomStringConvertible {
    public var action: String
    public var underlying: KubeClientError
    public var description: String { "\(action): \(underlying)" }
}
