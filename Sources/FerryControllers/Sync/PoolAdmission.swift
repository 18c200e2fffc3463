/// WorkerPool admission with a fixed capacity: at most `capacity` worker pods of a pool
/// exist at once, and queued Syncs start oldest first — the same fairness Airbyte's
/// MAX_SYNC_WORKERS queue gives, decided here as a pure function.
import Foundation
import KubeCore

/// A Sync waiting for a worker, as admission sees it.
public struct QueuedSync: Hashable, Sendable {
    public var namespace: String
    public var name: String
    /// `status.queuedTime`, else the object's creationTimestamp.
    public var queuedSince: Date
    public init(namespace: String, name: String, queuedSince: Date) {
        self.namespace = namespace
        self.name = name
        self.queuedSince = queuedSince
    }

    /// Reads a Sync object; nil when it has neither a queued time nor a creation time.
    public init?(sync: JSONValue) {
        guard let name = sync.name,
              let since = (sync["status"]["queuedTime"].stringValue ?? sync["metadata"]["creationTimestamp"].stringValue).flatMap(KubeTime.parse)
        else { return nil }
        self.init(namespace: sync.namespace ?? "", name: name, queuedSince: since)
    }
}

public enum PoolAdmission {
    /// The queued Syncs that may create their worker pod now: the oldest
    /// `capacity - activeWorkers` of them (ties by name, so every replica of the
    /// operator agrees), none when the pool is full.
    public static func admitted(capacity: Int, activeWorkers: Int, queued: [QueuedSync]) -> [QueuedSync] {
        let free = max(0, capacity - activeWorkers)
        guard free > 0 else { return [] }
        return Array(queued.sorted(by: queueOrder).prefix(free))
    }

    /// Oldest first, then by namespace and name.
    public static func queueOrder(_ a: QueuedSync, _ b: QueuedSync) -> Bool {
        if a.queuedSince != b.queuedSince { return a.queuedSince < b.queuedSince }
        if a.namespace != b.namespace { return a.namespace < b.namespace }
        return a.name < b.name
    }

    /// Whether `sync` is admitted, and if not, its 1-based place in the queue (for the
    /// Queued condition's message).
    public static func position(of sync: QueuedSync, capacity: Int, activeWorkers: Int, queued: [QueuedSync]) -> (admitted: Bool, position: Int) {
        let order = queued.sorted(by: queueOrder)
        let index = order.firstIndex(of: sync) ?? order.count
        return (index < max(0, capacity - activeWorkers), index + 1)
    }
}
