/// WorkerPool admission for the Sync reconciler: resolving a Sync's Connection, Source,
/// Destination and pool from the caches, counting the pool's active worker pods, and the
/// pool's queue of Syncs.
import FerryAPI
import Foundation
import KubeCore
import KubeRuntime
import Synchronization

/// The informer caches the Sync controller reads.
public struct SyncCaches: Sendable {
    public var syncs: Informer
    /// Worker pods (ideally only Ferry's: `app.kubernetes.io/managed-by=ferry`).
    public var pods: Informer
    public var connections: Informer
    public var sources: Informer
    public var destinations: Informer
    public var pools: Informer
    public init(syncs: Informer, pods: Informer, connections: Informer, sources: Informer, destinations: Informer, pools: Informer) {
        self.syncs = syncs
        self.pods = pods
        self.connections = connections
        self.sources = sources
        self.destinations = destinations
        self.pools = pools
    }
}

/// What a Sync refers to, all found.
struct SyncReferences {
    var connection: Connection
    var source: Source
    var destination: Destination
    var pool: WorkerPool
    var capacity: Int { Int(pool.capacity) }
}

/// Why a Sync cannot be admitted yet: a reference is missing.
struct MissingReference: Error {
    var reason: String
    var message: String
}

/// Pods this controller created that the pod cache has not shown yet. They count as
/// active workers, so a lagging cache never lets a pool run over capacity.
final class PodExpectations: Sendable {
    private let created = Mutex<[String: (namespace: String, pool: String, at: ContinuousClock.Instant)]>([:])
    /// Long enough for any watch to deliver a pod; after that the cache is the truth.
    static let lifetime: Duration = .seconds(60)

    func expect(namespace: String, pod: String, pool: String) {
        created.withLock { $0["\(namespace)/\(pod)"] = (namespace, pool, .now) }
    }

    /// Serializes admission decisions: counting a pool's workers and reserving the slot
    /// (expecting the pod) happen as one step, so Syncs reconciled at the same time can
    /// never both take the last slot.
    private let admissionLock = Mutex(0)

    func whileAdmitting<T: Sendable>(_ body: () -> T) -> T {
        admissionLock.withLock { _ in body() }
    }

    func isExpected(namespace: String, pod: String) -> Bool { created.withLock { $0["\(namespace)/\(pod)"] != nil } }

    func forget(namespace: String, pod: String) { _ = created.withLock { $0.removeValue(forKey: "\(namespace)/\(pod)") } }

    /// Names of expected pods of `pool` in `namespace` not yet seen in `store`.
    func unseen(namespace: String, pool: String, in store: ObjectStore) -> Set<String> {
        created.withLock { entries in
            var out = Set<String>()
            for (key, entry) in entries {
                let name = String(key.dropFirst(entry.namespace.count + 1))
                if store.get(namespace: entry.namespace, name: name) != nil || entry.at.duration(to: .now) > Self.lifetime {
                    entries.removeValue(forKey: key)
                } else if entry.namespace == namespace, entry.pool == pool {
                    out.insert(name)
                }
            }
            return out
        }
    }
}

extension SyncReconciler {
    /// The Sync's Connection, Source, Destination and WorkerPool from the caches.
    func resolve(_ sync: Sync, namespace: String) -> Result<SyncReferences, MissingReference> {
        typealias R = SyncConditions.Reason
        let connectionName = sync.spec.connectionRef.name
        guard let connection: Connection = cached(caches.connections, namespace, connectionName) else {
            return .failure(MissingReference(reason: R.connectionNotFound, message: "Connection \(connectionName) not found"))
        }
        let spec = connection.spec
        guard let source: Source = cached(caches.sources, namespace, spec.sourceRef.name) else {
            return .failure(MissingReference(reason: R.sourceNotFound, message: "Source \(spec.sourceRef.name) of Connection \(connectionName) not found"))
        }
        guard let destination: Destination = cached(caches.destinations, namespace, spec.destinationRef.name) else {
            return .failure(MissingReference(reason: R.destinationNotFound,
                                             message: "Destination \(spec.destinationRef.name) of Connection \(connectionName) not found"))
        }
        guard let pool: WorkerPool = cached(caches.pools, namespace, spec.effectiveWorkerPool) else {
            return .failure(MissingReference(reason: R.workerPoolNotFound,
                                             message: "WorkerPool \(spec.effectiveWorkerPool) (spec.workerPool of Connection \(connectionName)) not found in namespace \(namespace)"))
        }
        return .success(SyncReferences(connection: connection, source: source, destination: destination, pool: pool))
    }

    func cached<T: Decodable>(_ informer: Informer, _ namespace: String, _ name: String) -> T? {
        informer.store.get(namespace: namespace, name: name).flatMap { try? $0.decode(T.self) }
    }

    /// Whether `sync` may start its worker now, and its place in the pool's queue.
    func admission(for sync: QueuedSync, pool: String, capacity: Int, now: Date) -> (admitted: Bool, position: Int) {
        let active = activeWorkers(namespace: sync.namespace, pool: pool)
        var queued = queue(namespace: sync.namespace, pool: pool, now: now).filter { $0.name != sync.name }
        queued.append(sync)
        return PoolAdmission.position(of: sync, capacity: capacity, activeWorkers: active, queued: queued)
    }

    /// Pending or running worker pods of `pool` in `namespace`, plus those just created.
    func activeWorkers(namespace: String, pool: String) -> Int {
        Self.activeWorkers(namespace: namespace, pool: pool, pods: caches.pods.store, expectations: expectations)
    }

    /// The pod cache's index of worker pods by `namespace/<pool label>`: a pool's workers
    /// are counted on every admission and every worker pod change, so not by a scan of
    /// every pod.
    public static let poolIndex = "ferry.dev/pool"
    static let poolIndexFunction: IndexFunction = { pod in
        let labels = pod["metadata"]["labels"]
        guard let pool = labels[FerryLabels.pool].stringValue else { return [] }
        return ["\(pod.namespace ?? "")/\(pool)"]
    }

    /// The expected pods are read before the cache: a pod the informer adds in between is
    /// then in both (counted once), where the other order counted it in neither — the
    /// expectation already dropped, the cache listed too early — and let a pool run one
    /// worker over capacity.
    static func activeWorkers(namespace: String, pool: String, pods: ObjectStore, expectations: PodExpectations) -> Int {
        let label = WorkerPodNaming.labelValue(pool)
        var names = expectations.unseen(namespace: namespace, pool: pool, in: pods)
        for pod in pods.byIndex(poolIndex, "\(namespace)/\(label)", orScanning: { poolIndexFunction($0).first == "\(namespace)/\(label)" }) {
            let phase = pod["status"]["phase"].stringValue
            if phase != "Succeeded", phase != "Failed", let name = pod.name { names.insert(name) }
        }
        return names.count
    }

    /// The Syncs waiting for a worker of `pool` in `namespace`: Queued (or new), not
    /// cancelled, and not in a retry backoff.
    func queue(namespace: String, pool: String, now: Date) -> [QueuedSync] {
        Self.queue(namespace: namespace, pool: pool, now: now, caches: caches, expectations: expectations)
    }

    /// A Sync whose next attempt's pod already exists (or was just created) is admitted,
    /// even while the cache still shows it Queued: it is left out, as its pod is counted
    /// among the active workers. Otherwise it would hold a place at the head of the queue
    /// and a freed slot would wake it instead of the next Sync.
    static func queue(namespace: String, pool: String, now: Date, caches: SyncCaches, expectations: PodExpectations) -> [QueuedSync] {
        var out: [QueuedSync] = []
        // Read from the JSON, decoding a Connection only for a retry backoff: this runs on
        // every admission and every worker pod change, over the unfinished Syncs of the
        // namespace, each of which may have its own Connection.
        for object in SyncIndexes.unfinishedSyncs(in: namespace, store: caches.syncs.store) {
            let phase = object["status"]["phase"].stringValue
            guard phase == nil || phase == SyncPhase.queued.rawValue, object.deletionTimestamp == nil,
                  object["spec"]["cancel"].boolValue != true, let name = object["spec"]["connectionRef"]["name"].stringValue,
                  let connectionObject = caches.connections.store.get(namespace: namespace, name: name),
                  PoolOccupancy.pool(ofConnection: connectionObject) == pool else { continue }
            // Not its Connection's turn: it waits for a Sync, not for a worker.
            if connectionObject["spec"]["concurrencyPolicy"].stringValue != ConcurrencyPolicy.allow.rawValue,
               ConnectionTurn.previous(of: object, among: SyncIndexes.syncs(ofConnection: name, namespace: namespace, in: caches.syncs.store)) != nil { continue }
            let attempts = object["status"]["attempts"].arrayValue ?? []
            let latest = attempts.compactMap { $0["number"].intValue }.max() ?? 0
            let nextPod = WorkerPodNaming.podName(sync: object.name ?? "", attempt: Int(latest) + 1)
            if caches.pods.store.get(namespace: namespace, name: nextPod) != nil || expectations.isExpected(namespace: namespace, pod: nextPod) { continue }
            if attempts.contains(where: { $0["phase"].stringValue == SyncPhase.failed.rawValue }),
               let status = try? object["status"].decode(SyncStatus.self), let connection = try? connectionObject.decode(Connection.self),
               let retryAt = retryTime(status: status, connection: connection), retryAt > now { continue }
            if let queued = QueuedSync(sync: object) { out.append(queued) }
        }
        return out
    }

    /// When the next attempt of a Sync whose last attempt failed may start: that
    /// attempt's completion plus the policy's backoff; nil when there is no failed attempt.
    static func retryTime(status: SyncStatus, connection: Connection) -> Date? {
        guard let last = status.currentAttempt, last.phase == .failed,
              let finished = last.completionTime.flatMap(KubeTime.parse) else { return nil }
        guard case .retry(_, let delay) = connection.spec.effectiveRetry.decide(after: status.attempts ?? []) else { return nil }
        return finished.addingTimeInterval(TimeInterval(delay))
    }
}
