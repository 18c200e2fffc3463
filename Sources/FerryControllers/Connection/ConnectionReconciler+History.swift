/// What the Connection reconciler does with the Syncs that finished: deletes those beyond
/// `spec.history` (their Secrets, progress ConfigMaps and pods go with them by ownership),
/// counts the failures since the last success and disables a Connection that only fails,
/// as Airbyte does; and the committed state of its last Syncs in `status.state`.
import FerryAPI
import Foundation
import KubeClient
import KubeCore
import KubeRuntime

extension ConnectionReconciler {
    /// The failure streak with the Syncs finished since the status' `lastSync` folded in, and
    /// how many failures that added. A status without a count (a Connection from before the
    /// count existed) counts every Sync still there.
    static func streak(_ finished: [FinishedSync], _ status: ConnectionStatus) -> (FailureStreak, Int) {
        guard let count = status.consecutiveFailures else {
            var streak = FailureStreak()
            let added = streak.fold(finished, after: nil)
            return (streak, added)
        }
        var streak = FailureStreak(count: count, since: status.firstFailureTime.flatMap(KubeTime.parse))
        let added = streak.fold(finished, after: status.lastSync.map { (completionTime: $0.completionTime.flatMap(KubeTime.parse), name: $0.name) })
        return (streak, added)
    }

    /// Deletes the finished Syncs `spec.history` no longer keeps, oldest first, with
    /// propagation Background: the garbage collector (the embedded API server's too) then
    /// deletes what each Sync owns. A failed deletion is reported and does not stop the
    /// schedule; returns false when one failed.
    func cleanUpHistory(_ finished: [FinishedSync], _ spec: ConnectionSpec, _ object: JSONValue) async -> Bool {
        let doomed = SyncHistory.syncsToDelete(finished, successful: Int(spec.successfulHistoryLimit), failed: Int(spec.failedHistoryLimit))
        var ok = true
        for sync in doomed {
            let limit = sync.outcome == .succeeded ? "history.successful \(spec.successfulHistoryLimit)" : "history.failed \(spec.failedHistoryLimit)"
            do {
                _ = try await client.delete(Sync.resourceType, name: sync.name, namespace: object.namespace, options: DeleteOptions(propagationPolicy: .background))
                events?.record(object, type: .normal, reason: "SuccessfulDelete", message: "Deleted finished Sync \(sync.name) (\(limit))")
            } catch where error.isNotFound {
                // Already gone.
            } catch {
                ok = false
                logger.warning("deleting finished Sync \(object.namespace ?? "")/\(sync.name): \(error)")
                events?.record(object, type: .warning, reason: "FailedDelete", message: "Error deleting finished Sync \(sync.name): \(error)")
            }
        }
        return ok
    }

    /// The streak into the status and the Degraded condition; past a threshold
    /// `spec.suspend` is set (a patch of the spec, as Airbyte disables the connection;
    /// guarded by the resourceVersion the streak was counted from) and a new streak starts.
    func applyFailureStreak(_ streak: FailureStreak, newFailures: Int, _ object: inout JSONValue, _ connection: inout Connection,
                            _ status: inout ConnectionStatus) async throws {
        var streak = streak
        if let verdict = AutoDisable.verdict(streak, newFailures: newFailures, now: clock.wallTime, options: options) {
            // Already suspended (by the user, or by a reconcile whose status write was lost):
            // nothing to patch, but the verdict still shows.
            if !connection.spec.isSuspended {
                object = try await suspend(object)
                connection.spec.suspend = true
                events?.record(object, type: .warning, reason: ConnectionConditions.Reason.autoDisabled, message: verdict.message)
                logger.notice("Connection \(object.namespace ?? "")/\(object.name ?? "") disabled: \(verdict.message)")
            }
            streak = FailureStreak()
            setCondition(&status, object, ConnectionConditions.degraded, .true, ConnectionConditions.Reason.autoDisabled, verdict.message)
        } else if connection.spec.isSuspended,
                  status.conditions?.first(where: { $0.type == ConnectionConditions.degraded })?.reason == ConnectionConditions.Reason.autoDisabled {
            // Stays until the user resumes the Connection.
        } else if streak.count > 0 {
            let since = streak.since.map { " since \(KubeTime.format($0))" } ?? ""
            setCondition(&status, object, ConnectionConditions.degraded, .true, ConnectionConditions.Reason.syncsFailing,
                         "\(streak.count) Sync\(streak.count == 1 ? "" : "s") failed in a row\(since)")
        } else {
            setCondition(&status, object, ConnectionConditions.degraded, .false, ConnectionConditions.Reason.healthy, "no Sync failed since the last successful one")
        }
        status.consecutiveFailures = streak.count
        status.firstFailureTime = streak.since.map(KubeTime.format)
    }

    /// `spec.suspend: true` by a merge patch that fails on a Connection changed meanwhile.
    func suspend(_ object: JSONValue) async throws -> JSONValue {
        var patch: JSONValue = ["spec": ["suspend": true]]
        if let version = object.resourceVersion { patch["metadata"] = ["resourceVersion": .string(version)] }
        do {
            return try await client.patch(Connection.resourceType, name: object.name ?? "", namespace: object.namespace, patch: patch, type: .merge)
        } catch where error.isConflict {
            throw error
        } catch {
            throw ConnectionReconcileError("suspending Connection \(object.namespace ?? "")/\(object.name ?? "")", error)
        }
    }

    /// `status.state` from the state store ConfigMap, read on each reconcile: the Sync
    /// controller writes it just before it records an attempt's end, and that Sync change
    /// reconciles the Connection, so no ConfigMap watch (and cache of every ConfigMap) is needed.
    func stateSummary(namespace: String, name: String, previous: ConnectionStateRef?) async throws -> ConnectionStateRef? {
        let configMapName = ConnectionStateStore.configMapName(connection: name)
        let configMap: JSONValue?
        do {
            configMap = try await client.get(.configMap, name: configMapName, namespace: namespace)
        } catch where error.isNotFound {
            configMap = nil
        } catch {
            throw ConnectionReconcileError("reading the state store ConfigMap \(namespace)/\(configMapName)", error)
        }
        let writer = ConnectionStateSummary.writerName(configMap).flatMap { caches.syncs.store.get(namespace: namespace, name: $0) }
        return ConnectionStateSummary.state(configMap: configMap, writer: writer, previous: previous, now: clock.wallTime)
    }
}
