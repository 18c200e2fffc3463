/// How many Syncs wait for and hold the workers of a pool, counted from cached Sync and
/// Connection objects: the pure part of `status.queuedSyncs` / `status.runningSyncs`.
import FerryAPI
import KubeCore

/// The Syncs of one pool, by where they stand.
public struct PoolOccupancy: Hashable, Sendable {
    /// Syncs in phase Queued (or not yet given a phase): waiting for a worker.
    public var queued: Int
    /// Syncs in phase Pending or Running: holding a worker.
    public var running: Int
    public init(queued: Int = 0, running: Int = 0) {
        self.queued = queued
        self.running = running
    }

    /// Where one Sync stands for its pool; nil once it finished (it holds nothing).
    enum Slot { case queued, running }

    private static let waitingForPreviousSync = SyncConditions.Reason.waitingForPreviousSync

    static func slot(of sync: JSONValue) -> Slot? {
        switch sync["status"]["phase"].stringValue {
        // A Sync being deleted before it got a worker will never take one.
        // Nor does one waiting for its Connection's previous Sync need a worker yet.
        case nil, SyncPhase.queued.rawValue?:
            return sync.deletionTimestamp == nil && SyncIndexes.queuedReason(of: sync) != waitingForPreviousSync ? .queued : nil
        // A Sync being deleted still holds its worker until its pod is gone.
        case SyncPhase.pending.rawValue?, SyncPhase.running.rawValue?: return .running
        default: return nil
        }
    }

    /// The pool a Connection's Syncs use, read from the JSON (this runs over every Sync
    /// of a namespace on each pool reconcile, so no full decode): `spec.workerPool`,
    /// else `default`, as `ConnectionSpec.effectiveWorkerPool` says.
    static func pool(ofConnection connection: JSONValue) -> String {
        connection["spec"]["workerPool"].stringValue ?? ConnectionSpec.defaultWorkerPool
    }

    /// Counts the Syncs of `namespace` whose Connection (looked up with `connection`)
    /// uses `pool`. Syncs whose Connection is unknown belong to no pool: they wait with
    /// ConnectionNotFound, not for a worker.
    static func count(pool: String, namespace: String, syncs: [JSONValue], connection: (String) -> JSONValue?) -> PoolOccupancy {
        var out = PoolOccupancy()
        var poolOf: [String: String?] = [:]
        for sync in syncs where (sync.namespace ?? "") == namespace {
            guard let slot = slot(of: sync), let name = sync["spec"]["connectionRef"]["name"].stringValue else { continue }
            let syncPool: String?
            if let known = poolOf[name] {
                syncPool = known
            } else {
                syncPool = connection(name).map(Self.pool(ofConnection:))
                poolOf[name] = syncPool
            }
            guard syncPool == pool else { continue }
            switch slot {
            case .queued: out.queued += 1
            case .running: out.running += 1
            }
        }
        return out
    }
}
