/// The reflector's cache: objects keyed by namespace/name, secondary indexes, and a
/// "synced" flag readers can await. A relist replaces the contents atomically.
import KubeCore
import Synchronization

/// `namespace/name` (or just `name` for cluster-scoped objects), as client-go keys objects.
public struct ObjectKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var namespace: String?
    public var name: String

    public init(namespace: String?, name: String) {
        self.namespace = (namespace?.isEmpty ?? true) ? nil : namespace
        self.name = name
    }

    /// The key of an object, nil when it has no name.
    public init?(_ object: JSONValue) {
        guard let name = object.name, !name.isEmpty else { return nil }
        self.init(namespace: object.namespace, name: name)
    }

    public var description: String { namespace.map { "\($0)/\(name)" } ?? name }
    public static func < (a: ObjectKey, b: ObjectKey) -> Bool { a.description < b.description }
}

/// An index function: the index values an object is filed under (none to leave it out).
public typealias IndexFunction = @Sendable (JSONValue) -> [String]

/// Ready-made indexers.
public enum Indexers {
    public static let namespace = "namespace"
    public static let ownerUID = "ownerUID"

    public static let byNamespace: IndexFunction = { obj in obj.namespace.map { [$0] } ?? [] }
    public static let byOwnerUID: IndexFunction = { obj in
        (obj["metadata"]["ownerReferences"].arrayValue ?? []).compactMap { $0["uid"].stringValue }
    }
    /// Objects by the value of one label, e.g. `ferry.dev/connection`.
    public static func byLabel(_ key: String) -> IndexFunction {
        { obj in obj["metadata"]["labels"][key].stringValue.map { [$0] } ?? [] }
    }
}

/// A change the store applied, for informer handlers.
public enum StoreChange: Sendable {
    case added(JSONValue)
    case updated(old: JSONValue, new: JSONValue)
    case deleted(JSONValue)
}

/// A thread-safe cache of one resource's objects.
///
/// Guarantees: `apply(.restarted)` swaps the whole content and every index under one lock,
/// so readers see either the old or the new list; indexes always match the objects.
public final class ObjectStore: Sendable {
    private struct State {
        var objects: [ObjectKey: JSONValue] = [:]
        var indices: [String: [String: Set<ObjectKey>]] = [:]
        var synced = false
        var lists = 0
    }
    private let state = Mutex(State())
    private let syncedSignal = ChangeSignal()
    private let indexers: [String: IndexFunction]
    /// Applied to every object before it is stored (e.g. keep metadata only).
    private let transform: (@Sendable (JSONValue) -> JSONValue)?

    public init(indexers: [String: IndexFunction] = [:], transform: (@Sendable (JSONValue) -> JSONValue)? = nil) {
        self.indexers = indexers
        self.transform = transform
    }

    /// A transform keeping apiVersion, kind and metadata (minus managedFields) only.
    public static let metadataOnly: @Sendable (JSONValue) -> JSONValue = { obj in
        var meta = obj["metadata"]
        meta["managedFields"] = .null
        return ["apiVersion": obj["apiVersion"], "kind": obj["kind"], "metadata": meta]
    }

    public var isSynced: Bool { state.withLock { $0.synced } }
    public var count: Int { state.withLock { $0.objects.count } }
    /// How many complete lists have replaced the content (1 after the initial sync; each
    /// relist after a 410 adds one).
    public var listCount: Int { state.withLock { $0.lists } }

    /// Returns once the first complete list has been stored (or the task is cancelled).
    public func waitUntilSynced() async {
        while true {
            let seen = syncedSignal.generation
            if isSynced || Task.isCancelled { return }
            await syncedSignal.wait(after: seen)
        }
    }

    public func get(_ key: ObjectKey) -> JSONValue? { state.withLock { $0.objects[key] } }
    public func get(namespace: String?, name: String) -> JSONValue? { get(ObjectKey(namespace: namespace, name: name)) }

    public func list() -> [JSONValue] { state.withLock { Array($0.objects.values) } }
    public func keys() -> [ObjectKey] { state.withLock { Array($0.objects.keys) } }

    /// Objects filed under `value` in the index `name` (empty for an unknown index).
    public func byIndex(_ name: String, _ value: String) -> [JSONValue] {
        state.withLock { s in (s.indices[name]?[value] ?? []).compactMap { s.objects[$0] } }
    }

    /// Whether the store keeps the index `name` (a store built without it answers
    /// `byIndex` with nothing).
    public func hasIndex(_ name: String) -> Bool { indexers[name] != nil }

    /// Objects filed under `value` in the index `name`, or, in a store built without
    /// that indexer (a test's or a bench's own informer), every object `matches` accepts:
    /// `matches` must say what the index function files under `value`.
    public func byIndex(_ name: String, _ value: String, orScanning matches: (JSONValue) -> Bool) -> [JSONValue] {
        hasIndex(name) ? byIndex(name, value) : list().filter(matches)
    }

    public func indexValues(_ name: String) -> [String] {
        state.withLock { Array($0.indices[name]?.keys ?? [:].keys) }
    }

    /// Applies a watcher event and returns the resulting changes.
    @discardableResult
    public func apply(_ event: WatcherEvent) -> [StoreChange] {
        switch event {
        case .restarted(let objects):
            let incoming = objects.compactMap { obj -> (ObjectKey, JSONValue)? in
                ObjectKey(obj).map { ($0, transform?(obj) ?? obj) }
            }
            let (changes, becameSynced) = state.withLock { s -> ([StoreChange], Bool) in
                var changes: [StoreChange] = []
                var next: [ObjectKey: JSONValue] = [:]
                next.reserveCapacity(incoming.count)
                for (key, obj) in incoming {
                    next[key] = obj
                    if let old = s.objects[key] {
                        if old.resourceVersion != obj.resourceVersion || old != obj { changes.append(.updated(old: old, new: obj)) }
                    } else {
                        changes.append(.added(obj))
                    }
                }
                for (key, old) in s.objects where next[key] == nil { changes.append(.deleted(old)) }
                s.objects = next
                s.indices = [:]
                for (key, obj) in next { index(&s, key, obj) }
                let was = s.synced
                s.synced = true
                s.lists += 1
                return (changes, !was)
            }
            if becameSynced { syncedSignal.signal() }
            return changes
        case .applied(let raw):
            guard let key = ObjectKey(raw) else { return [] }
            let obj = transform?(raw) ?? raw
            return state.withLock { s in
                let old = s.objects[key]
                if let old { unindex(&s, key, old) }
                s.objects[key] = obj
                index(&s, key, obj)
                return [old.map { .updated(old: $0, new: obj) } ?? .added(obj)]
            }
        case .deleted(let raw):
            guard let key = ObjectKey(raw) else { return [] }
            return state.withLock { s in
                guard let old = s.objects.removeValue(forKey: key) else { return [.deleted(transform?(raw) ?? raw)] }
                unindex(&s, key, old)
                return [.deleted(old)]
            }
        }
    }

    private func index(_ s: inout State, _ key: ObjectKey, _ obj: JSONValue) {
        for (name, fn) in indexers {
            for value in fn(obj) { s.indices[name, default: [:]][value, default: []].insert(key) }
        }
    }

    private func unindex(_ s: inout State, _ key: ObjectKey, _ obj: JSONValue) {
        for (name, fn) in indexers {
            for value in fn(obj) {
                s.indices[name]?[value]?.remove(key)
                if s.indices[name]?[value]?.isEmpty == true { s.indices[name]?[value] = nil }
            }
        }
    }
}
