/// All server state behind one lock: objects keyed by storage key and namespace/name,
/// the single resourceVersion counter, indexes for owner references, the watch event
/// history ring and the open watchers. Primitive writes here only store, index and
/// emit events; API semantics live in the `ClusterState+*` extensions.
import Foundation
import KubeCore
import Synchronization

struct ObjectKey: Hashable, Sendable, Comparable {
    var namespace: String
    var name: String
    static func < (a: ObjectKey, b: ObjectKey) -> Bool { (a.namespace, a.name) < (b.namespace, b.name) }
    var joined: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }
}

/// An object's address across all kinds.
struct ObjectRef: Hashable, Sendable {
    var storageKey: String
    var key: ObjectKey
}

/// One change, as kept in the history ring and sent to watchers.
struct StoredEvent: Sendable {
    var rv: Int64
    var storageKey: String
    var namespace: String
    var type: WatchEventType
    var object: JSONValue
    /// The object before a MODIFIED (selectors need it to turn updates into ADDED/DELETED).
    var previous: JSONValue?
}

struct ClusterState {
    var registry = ResourceRegistry()
    var resourceVersion: Int64 = 0
    /// Events at or below this RV are no longer in the history.
    var compactedRV: Int64 = 0
    var objects: [String: [ObjectKey: JSONValue]] = [:]
    var uidIndex: [String: ObjectRef] = [:]
    var dependents: [String: Set<ObjectRef>] = [:]
    var history = EventHistory(capacity: 10_000)
    var watchers = WatcherSet()
    /// Set by every write; the persister clears it after a snapshot.
    var dirty = false
    var now: @Sendable () -> Date = { Date() }
    /// `EmbeddedAPIServer.observeChanges`: told of every recorded event.
    var changeObserver: (@Sendable (StoredChange) -> Void)?

    func get(_ storageKey: String, _ key: ObjectKey) -> JSONValue? {
        objects[storageKey]?[key]
    }

    func get(_ ref: ObjectRef) -> JSONValue? { get(ref.storageKey, ref.key) }

    /// Stores an object (create or update), assigning the next resourceVersion and emitting an event.
    @discardableResult
    mutating func put(_ storageKey: String, _ object: JSONValue, type: WatchEventType) -> JSONValue {
        var object = object
        resourceVersion += 1
        object[path: ["metadata", "resourceVersion"]] = .string(String(resourceVersion))
        let key = ObjectKey(namespace: object.namespace ?? "", name: object.name ?? "")
        let previous = objects[storageKey]?[key]
        if let previous { unindex(previous, ref: ObjectRef(storageKey: storageKey, key: key)) }
        objects[storageKey, default: [:]][key] = object
        index(object, ref: ObjectRef(storageKey: storageKey, key: key))
        record(StoredEvent(rv: resourceVersion, storageKey: storageKey, namespace: key.namespace, type: type,
                           object: object, previous: previous))
        return object
    }

    /// Removes an object, emitting DELETED with a fresh resourceVersion; returns the final state.
    /// `finalState` is what the DELETED event carries when an update emptied the finalizers.
    @discardableResult
    mutating func remove(_ storageKey: String, _ key: ObjectKey, finalState: JSONValue? = nil) -> JSONValue? {
        guard let stored = objects[storageKey]?.removeValue(forKey: key) else { return nil }
        unindex(stored, ref: ObjectRef(storageKey: storageKey, key: key))
        var object = finalState ?? stored
        resourceVersion += 1
        object[path: ["metadata", "resourceVersion"]] = .string(String(resourceVersion))
        record(StoredEvent(rv: resourceVersion, storageKey: storageKey, namespace: key.namespace, type: .deleted,
                           object: object, previous: nil))
        return object
    }

    /// Objects of a storage key, sorted by namespace/name, optionally in one namespace.
    func list(_ storageKey: String, namespace: String?) -> [(ObjectKey, JSONValue)] {
        guard let all = objects[storageKey] else { return [] }
        let filtered = namespace.map { ns in all.filter { $0.key.namespace == ns } } ?? all
        return filtered.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    fileprivate mutating func index(_ object: JSONValue, ref: ObjectRef) {
        if let uid = object.uid { uidIndex[uid] = ref }
        for owner in object.ownerReferences { dependents[owner.uid, default: []].insert(ref) }
    }

    private mutating func unindex(_ object: JSONValue, ref: ObjectRef) {
        if let uid = object.uid, uidIndex[uid] == ref { uidIndex[uid] = nil }
        for owner in object.ownerReferences {
            dependents[owner.uid]?.remove(ref)
            if dependents[owner.uid]?.isEmpty == true { dependents[owner.uid] = nil }
        }
    }

    private mutating func record(_ event: StoredEvent) {
        dirty = true
        if let dropped = history.append(event) { compactedRV = max(compactedRV, dropped.rv) }
        watchers.deliver(event)
        changeObserver?(StoredChange(type: event.type, resource: event.storageKey, object: event.object))
    }
}

/// One stored change as `EmbeddedAPIServer.observeChanges` reports it.
public struct StoredChange: Sendable {
    /// ADDED, MODIFIED or DELETED.
    public var type: WatchEventType
    /// `<group>/<plural>`: `/pods`, `/configmaps`, `ferry.dev/syncs`.
    public var resource: String
    /// The object as stored, with its new resourceVersion (the final state for DELETED).
    public var object: JSONValue
}

/// A fixed-capacity ring of the most recent events.
struct EventHistory {
    private var buffer: [StoredEvent] = []
    private var start = 0
    private(set) var capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Appends, returning the event that fell out of the window, if any.
    mutating func append(_ event: StoredEvent) -> StoredEvent? {
        if buffer.count < capacity { buffer.append(event); return nil }
        let dropped = buffer[start]
        buffer[start] = event
        start = (start + 1) % capacity
        return dropped
    }

    /// Events with rv greater than `rv`, oldest first.
    func events(after rv: Int64, storageKey: String, namespace: String?) -> [StoredEvent] {
        var out: [StoredEvent] = []
        for i in 0..<buffer.count {
            let e = buffer[(start + i) % buffer.count]
            if e.rv > rv && e.storageKey == storageKey && (namespace == nil || e.namespace == namespace) { out.append(e) }
        }
        return out
    }
}

/// The store: one lock around `ClusterState`, so writes are serialised and reads see a consistent state.
final class ClusterStore: Sendable {
    let state: Mutex<ClusterState>

    init(historySize: Int) {
        var s = ClusterState()
        s.history = EventHistory(capacity: historySize)
        state = Mutex(s)
    }

    func withState<R: Sendable, E: Error>(_ body: (inout ClusterState) throws(E) -> R) throws(E) -> R {
        try state.withLock { (s: inout ClusterState) throws(E) -> R in try body(&s) }
    }
}

extension ClusterState {
    /// Loads a persisted object without emitting events (startup only).
    mutating func restore(_ storageKey: String, _ object: JSONValue) {
        let key = ObjectKey(namespace: object.namespace ?? "", name: object.name ?? "")
        objects[storageKey, default: [:]][key] = object
        index(object, ref: ObjectRef(storageKey: storageKey, key: key))
    }
}
