/// Secondary indexes of the Sync cache. A cluster keeps many finished Syncs (history
/// limits of 10,000 Connections), so a read that filtered the whole cache on every
/// event or reconcile made the control plane O(Connections × Syncs). These reads cost
/// only the Syncs they return:
/// - by Connection (`namespace/connectionRef.name`): the Connection reconciler's history
///   and the one-Sync-at-a-time rule;
/// - unfinished (`namespace`, phase not terminal): a pool's queue and occupancy;
/// - Queued, by the Queued condition's reason (`namespace/reason`): the Syncs a change
///   of a Connection, Source, Destination or pool may unblock.
///
/// A store built without these indexers (a test's or a bench's own informer) is
/// scanned with the same predicates, so both paths give the same answer.
import FerryAPI
import KubeCore
import KubeRuntime

public enum SyncIndexes {
    static let connection = "ferry.dev/connection"
    static let unfinished = "ferry.dev/unfinished"
    static let queuedReason = "ferry.dev/queued-reason"

    public static let indexers: [String: IndexFunction] = [
        connection: { sync in connectionKey(of: sync).map { [$0] } ?? [] },
        unfinished: { sync in isUnfinished(sync) ? [sync.namespace ?? ""] : [] },
        queuedReason: { sync in queuedReason(of: sync).map { ["\(sync.namespace ?? "")/\($0)"] } ?? [] },
    ]

    /// Every cached Sync of the Connection `namespace/name`, finished or not.
    public static func syncs(ofConnection name: String, namespace: String, in store: ObjectStore) -> [JSONValue] {
        store.byIndex(connection, "\(namespace)/\(name)") { connectionKey(of: $0) == "\(namespace)/\(name)" }
    }

    /// The cached Syncs of `namespace` not in a terminal phase (new, Queued, Pending, Running).
    public static func unfinishedSyncs(in namespace: String, store: ObjectStore) -> [JSONValue] {
        store.byIndex(unfinished, namespace) { isUnfinished($0) && ($0.namespace ?? "") == namespace }
    }

    /// The Queued Syncs of `namespace` whose Queued condition has one of `reasons`.
    public static func queuedSyncs(in namespace: String, reasons: Set<String>, store: ObjectStore) -> [JSONValue] {
        reasons.sorted().flatMap { reason in
            store.byIndex(queuedReason, "\(namespace)/\(reason)") { ($0.namespace ?? "") == namespace && queuedReason(of: $0) == reason }
        }
    }

    static func connectionKey(of sync: JSONValue) -> String? {
        sync["spec"]["connectionRef"]["name"].stringValue.map { "\(sync.namespace ?? "")/\($0)" }
    }

    static func isUnfinished(_ sync: JSONValue) -> Bool {
        guard let phase = sync["status"]["phase"].stringValue else { return true }
        return SyncPhase(rawValue: phase).map { !$0.isTerminal } ?? true
    }

    /// The reason of a Queued Sync's Queued condition (nil in any other phase).
    static func queuedReason(of sync: JSONValue) -> String? {
        guard sync["status"]["phase"].stringValue == SyncPhase.queued.rawValue else { return nil }
        let condition = (sync["status"]["conditions"].arrayValue ?? []).first { $0["type"].stringValue == SyncConditions.queued }
        return condition?["reason"].stringValue
    }
}
