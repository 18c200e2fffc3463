/// The worker's progress report (AttemptProgressConfigMap) in the Sync's status, and its
/// committed state in the Connection's state store (ConnectionStateStore), from which the
/// next attempt — and the next Sync — resumes.
import FerryAPI
import Foundation
import KubeClient
import KubeCore
import KubeRuntime

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
            if let problem = progress?.stateError { throw StateNotStored(message: "Connection \(connection): \(problem)") }
            guard let committed = progress?.committedState else { return }
            state = committed
        }
        let uid = (cached(caches.connections, namespace, connection) as Connection?)?.metadata.uid
        let desired: JSONValue
        do {
            desired = try ConnectionStateStore.configMap(connection: connection, namespace: namespace, connectionUID: uid, state: state, sync: sync.metadata.name ?? "")
        } catch {
            throw StateNotStored(message: "Connection \(connection): \(error.description)")
        }
        let name = ConnectionStateStore.configMapName(connection: connection)
        do {
            var existing = try await client.get(.configMap, name: name, namespace: namespace)
            guard existing["data"] != desired["data"] || existing["binaryData"] != desired["binaryData"] else { return }
            existing["data"] = desired["data"]
            existing["binaryData"] = desired["binaryData"]
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

    /// The attempt's committed state cannot be stored (too large even compressed): the
    /// Sync fails without another attempt, which would commit a state at least as large.
    func failUnstorableState(_ object: JSONValue, _ status: SyncStatus, _ attempt: SyncAttempt, _ error: StateNotStored,
                             summary: WorkerSummary?, progress: AttemptProgress?) async throws -> ReconcileAction {
        var status = status, attempt = attempt
        let now = clock.wallTime
        attempt.phase = .failed
        attempt.completionTime = KubeTime.format(now)
        attempt.reason = SyncConditions.Reason.stateTooLarge
        attempt.message = error.message
        Self.record(progress, summary: summary, into: &attempt, status: &status)
        finish(&status, object, phase: .failed, at: now)
        setCondition(&status, object, type: SyncConditions.queued, .false, SyncConditions.Reason.stateTooLarge, "no more attempts")
        setCondition(&status, object, type: SyncConditions.failed, .true, SyncConditions.Reason.stateTooLarge, error.message)
        try await write(object, status, event: (.warning, SyncConditions.Reason.stateTooLarge, "Sync failed: \(error.message)"))
        return .done
    }
}

/// The committed state could not be put in the Connection's state store.
struct StateNotStored: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
