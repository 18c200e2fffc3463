/// The worker's progress report (AttemptProgressConfigMap) in the Sync's status, and its
/// committed state in the Connection's state store (ConnectionStateStore), from which the
/// next attempt — and the next Sync — resumes.
import FerryAPI
import Foundation
import KubeClient
import KubeCore

extension SyncReconciler {
    /// How often a running attempt's progress is copied into the Sync's status: the
    /// worker's own flush interval.
    static let progressInterval: Duration = .seconds(10)

    /// The attempt's report; nil when the worker has not written one (or never ran).
    func readProgress(podName: String, namespace: String) async throws -> AttemptProgress? {
        let name = AttemptProgressConfigMap.name(podName: podName)
        do {
            return AttemptProgressConfigMap.read(try await client.get(.configMap, name: name, namespace: namespace))
        } catch where error.isNotFound {
            return nil
        } catch {
            throw SyncReconcileError("reading the progress of attempt pod \(namespace)/\(name)", error)
        }
    }

    /// The attempt's counters: the worker's report (complete, per stream) when there is one,
    /// else the orchestrator's termination message (trimmed to 4 KiB, totals only).
    static func record(_ progress: AttemptProgress?, summary: WorkerSummary?, into attempt: inout SyncAttempt, status: inout SyncStatus) {
        if let stats = progress?.stats {
            attempt.stats = stats
        } else if let summary {
            attempt.stats = SyncStats(recordsEmitted: summary.recordsEmitted, bytesEmitted: summary.bytesEmitted,
                                      recordsCommitted: summary.recordsCommitted, stateMessagesCommitted: summary.stateMessagesCommitted)
        }
        attempt.recordsCommitted = attempt.stats?.recordsCommitted ?? summary?.recordsCommitted ?? attempt.recordsCommitted
        status.replace(attempt)
        status.stats = SyncStats.total((status.attempts ?? []).map { $0.stats ?? SyncStats(recordsCommitted: $0.recordsCommitted) })
    }

    /// Saves an ended attempt's committed state as its Connection's state, before the
    /// attempt's end is written (a crash in between repeats an idempotent write). A
    /// successful `refresh: clear` resets the state.
    func commitState(_ progress: AttemptProgress?, sync: Sync, namespace: String, succeeded: Bool) async throws {
        let connection = sync.spec.connectionRef.name
        let state: JSONValue?
        if sync.spec.effectiveRefresh == .clear {
            guard succeeded else { return }
            state = nil
        } else {
            guard let committed = progress?.committedState else { return }
            state = committed
        }
        let uid = (cached(caches.connections, namespace, connection) as Connection?)?.metadata.uid
        let desired = ConnectionStateStore.configMap(connection: connection, namespace: namespace, connectionUID: uid, state: state, sync: sync.metadata.name ?? "")
        let name = ConnectionStateStore.configMapName(connection: connection)
        do {
            var existing = try await client.get(.configMap, name: name, namespace: namespace)
            guard existing["data"] != desired["data"] else { return }
            existing["data"] = desired["data"]
            existing["metadata"]["annotations"][ConnectionStateStore.syncAnnotation] = desired["metadata"]["annotations"][ConnectionStateStore.syncAnnotation]
            _ = try await client.update(existing, .configMap, namespace: namespace)
        } catch where error.isNotFound {
            do {
                _ = try await client.create(desired, .configMap, namespace: namespace)
            } catch {
                throw SyncReconcileError("creating the state store ConfigMap \(namespace)/\(name)", error)
            }
        } catch {
            throw SyncReconcileError("writing the state store ConfigMap \(namespace)/\(name)", error)
        }
    }

    /// The Connection's committed state, the input of the next attempt; nil when none.
    func storedState(connection: String, namespace: String) async throws -> JSONValue? {
        let name = ConnectionStateStore.configMapName(connection: connection)
        let configMap: JSONValue
        do {
            configMap = try await client.get(.configMap, name: name, namespace: namespace)
        } catch where error.isNotFound {
            return nil
        } catch {
            throw SyncReconcileError("reading the state store ConfigMap \(namespace)/\(name)", error)
        }
        do {
            return try ConnectionStateStore.state(in: configMap)
        } catch {
            throw InputFailure(reason: SyncConditions.Reason.invalidState, message: "Connection \(connection): \(error.description)")
        }
    }
}
