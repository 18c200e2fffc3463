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
    ///
    /// Runs on every worker pod change over the pool's whole queue, so it keeps only the
    /// `free` oldest in one pass instead of sorting the queue: most Syncs are compared once
    /// with the youngest kept one.
    public static func admitted(capacity: Int, activeWorkers: Int, queued: [QueuedSync]) -> [QueuedSync] {
        let free = max(0, capacity - activeWorkers)
        guard free > 0 else { return [] }
        guard free < queued.count else { return queued.sorted(by: queueOrder) }
        var oldest: [QueuedSync] = []
        oldest.reserveCapacity(free + 1)
        for sync in queued {
            if oldest.count == free, let youngest = oldest.last, !queueOrder(sync, youngest) { continue }
            oldest.insert(sync, at: insertionIndex(of: sync, in: oldest))
            if oldest.count > free { oldest.removeLast() }
        }
        return oldest
    }

    /// Oldest first, then by namespace and name.
    public static func queueOrder(_ a: QueuedSync, _ b: QueuedSync) -> Bool {
        if a.queuedSince != b.queuedSince { return a.queuedSince < b.queuedSince }
        if a.namespace != b.namespace { return a.namespace < b.namespace }
        return a.name < b.name
    }

    /// Whether `sync` is admitted, and if not, its 1-based place in the queue (for the
    /// Queued condition's message).
    ///
    /// Its place is the number of queued Syncs ahead of it, counted in one pass (every
    /// reconcile of a waiting Sync asks, over the whole queue). A Sync missing from `queued`
    /// is placed last.
    public static func position(of sync: QueuedSync, capacity: Int, activeWorkers: Int, queued: [QueuedSync]) -> (admitted: Bool, position: Int) {
        var ahead = 0, present = false
        for other in queued {
            if other == sync { present = true } else if queueOrder(other, sync) { ahead += 1 }
        }
        let index = present ? ahead : queued.count
        return (index < max(0, capacity - activeWorkers), index + 1)
    }

    /// Where `sync` goes in `sorted` (queue order) after any equal entries.
    private static func insertionIndex(of sync: QueuedSync, in sorted: [QueuedSync]) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if queueOrder(sync, sorted[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
