/// The Sync counters on `/metrics`: finished Syncs by result, their durations, and what
/// their attempts committed. The queue depth is the WorkerPool controller's
/// `ferry_workerpool_queued_syncs{namespace,pool}` (PoolMetrics.swift).
import FerryAPI
import Foundation
import KubeCore
import KubeRuntime

/// Counted from the status write that ends a Sync or an attempt — a transition the
/// reconciler writes once (a conflicting write is retried from a fresh read, and a terminal
/// Sync is never reconciled again) — so a Sync counts once across reconciles and operator
/// restarts. Labels stop at namespace and Connection: a label per Sync grows without bound.
struct SyncMetrics: Sendable {
    static let syncs = "ferry_syncs_total"
    static let duration = "ferry_sync_duration_seconds"
    static let recordsCommitted = "ferry_records_committed_total"
    /// SyncStats has no committed-bytes figure: this is what the sources emitted.
    static let bytesEmitted = "ferry_bytes_emitted_total"
    /// From a second to a day: syncs run from seconds (a small table) to hours.
    static let durationBuckets: [Double] = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 28800, 43200, 86400]

    let registry: MetricsRegistry

    init(registry: MetricsRegistry) {
        self.registry = registry
        registry.describe(Self.syncs, kind: .counter, help: "Syncs finished, by namespace, Connection and result (succeeded, failed, cancelled)")
        registry.describe(Self.duration, kind: .histogram, help: "Seconds from a Sync's start (or, never started, its queueing) to its completion, by result",
                          buckets: Self.durationBuckets)
        registry.describe(Self.recordsCommitted, kind: .counter, help: "Records the destinations committed, counted as each attempt ends")
        registry.describe(Self.bytesEmitted, kind: .counter, help: "Bytes of records the sources emitted, counted as each attempt ends (no committed-bytes figure exists)")
    }

    /// What one status write finished.
    struct Outcome: Equatable {
        /// The Sync's terminal phase, when this write ended it.
        var result: SyncPhase?
        var durationSeconds: Double?
        /// Totals of the attempts this write ended.
        var recordsCommitted: Int64 = 0
        var bytesEmitted: Int64 = 0
    }

    /// The difference between the status before a write and after it. Pure.
    static func outcome(before: SyncStatus?, after: SyncStatus) -> Outcome {
        var outcome = Outcome()
        if let phase = after.phase, phase.isTerminal, !(before?.phase?.isTerminal ?? false) {
            outcome.result = phase
            let start = (after.startTime ?? after.queuedTime).flatMap(KubeTime.parse)
            if let start, let end = after.completionTime.flatMap(KubeTime.parse) { outcome.durationSeconds = max(0, end.timeIntervalSince(start)) }
        }
        let wasActive = Dictionary((before?.attempts ?? []).map { ($0.number, $0.isActive) }) { first, _ in first }
        for attempt in after.attempts ?? [] where !attempt.isActive && wasActive[attempt.number] ?? true {
            outcome.recordsCommitted += attempt.stats?.recordsCommitted ?? attempt.recordsCommitted ?? 0
            outcome.bytesEmitted += attempt.stats?.bytesEmitted ?? 0
        }
        return outcome
    }

    func record(_ outcome: Outcome, namespace: String, connection: String) {
        if let result = outcome.result {
            let name = result.rawValue.lowercased()
            registry.increment(Self.syncs, ["namespace": namespace, "connection": connection, "result": name])
            if let seconds = outcome.durationSeconds { registry.observe(Self.duration, ["result": name], seconds) }
        }
        if outcome.recordsCommitted > 0 { registry.increment(Self.recordsCommitted, ["namespace": namespace], by: Double(outcome.recordsCommitted)) }
        if outcome.bytesEmitted > 0 { registry.increment(Self.bytesEmitted, ["namespace": namespace], by: Double(outcome.bytesEmitted)) }
    }
}
