/// Open watches: each gets a bounded stream of items; a watcher whose buffer fills
/// (a slow reader) is closed instead of blocking writers, as the apiserver's cacher does.
import KubeCore

enum WatchItem: Sendable {
    /// Current objects sent as synthetic ADDED events at watch start (`sendInitialEvents` marks the end).
    case initial([JSONValue], rv: Int64)
    /// History replayed at watch start (events after the requested resourceVersion).
    case replay([StoredEvent])
    case event(StoredEvent)
    case bookmark(Int64)
}

struct WatcherSet {
    struct Watcher {
        var storageKey: String
        var namespace: String?
        var continuation: AsyncStream<WatchItem>.Continuation
    }

    private var watchers: [Int: Watcher] = [:]
    private var nextID = 0
    var bufferSize = 10_000

    var count: Int { watchers.count }

    mutating func add(storageKey: String, namespace: String?, first: [WatchItem]) -> (Int, AsyncStream<WatchItem>) {
        nextID += 1
        let (stream, continuation) = AsyncStream.makeStream(of: WatchItem.self, bufferingPolicy: .bufferingOldest(bufferSize))
        for item in first { continuation.yield(item) }
        watchers[nextID] = Watcher(storageKey: storageKey, namespace: namespace, continuation: continuation)
        return (nextID, stream)
    }

    mutating func remove(_ id: Int) {
        watchers.removeValue(forKey: id)?.continuation.finish()
    }

    mutating func removeAll() {
        for w in watchers.values { w.continuation.finish() }
        watchers = [:]
    }

    mutating func deliver(_ event: StoredEvent) {
        var slow: [Int] = []
        for (id, w) in watchers where w.storageKey == event.storageKey && (w.namespace == nil || w.namespace == event.namespace) {
            if case .dropped = w.continuation.yield(.event(event)) { slow.append(id) }
        }
        for id in slow { remove(id) }
    }

    mutating func bookmark(_ id: Int, rv: Int64) {
        guard let w = watchers[id] else { return }
        if case .dropped = w.continuation.yield(.bookmark(rv)) { remove(id) }
    }
}
