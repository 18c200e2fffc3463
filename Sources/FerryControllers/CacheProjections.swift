/// What the operator's informer caches keep of each object: only the fields a controller
/// reads from a cache, so 10,000 Connections with their Syncs and worker pods fit in a
/// small operator (issue #10's 64 MiB goal). One place decides the indexers and the
/// projection of every shared informer, because the manager shares one informer per
/// resource and namespace between controllers: the first registration's transform would
/// otherwise silently win over a later one's.
///
/// Readers through the caches (keep this list in step when a reader changes):
/// - Pods (worker, probe and warm-worker pods) — all of `metadata` but managedFields and
///   the last-applied annotation: labels (pool, sync, attempt, managed-by, probe, warm
///   pool), annotations (the warm pods' spec hash), ownerReferences (`Controller.owns`,
///   `SyncReconciler.currentPod`, `PodSweepFacts.syncOwner`), creationTimestamp,
///   deletionTimestamp; all of `status` (phase, reason, message, startTime, conditions,
///   init/containerStatuses with termination messages: `WorkerPodObservation`,
///   `SweepDecision`, `ConnectorProbeReconciler`, `PoolObservationReader`); of `spec` only
///   the containers' names and `resources` (`PoolObservationReader` sums the requests),
///   nodeName and the priority fields. Dropped: the containers' command, args (the worker
///   scripts), env, volume mounts, images, security contexts, and the pod's volumes.
///   A reader that falls back to the server (`podFromCacheOrServer`) gets a whole pod,
///   which has every kept field too.
/// - Syncs — everything `Sync` decodes to (`ConnectionReconciler.summarize` decodes whole
///   Syncs, admission decodes `SyncStatus` for retry backoffs) except the per-stream
///   statistics (`status.stats.streams`, `status.attempts[].stats.streams`), which grow
///   with the catalog and are read only from the live object the Sync reconciler GETs.
/// - Connections, Sources, Destinations, WorkerPools — decoded whole by their reconcilers:
///   only managedFields and the last-applied annotation are dropped.
///
/// `FERRY_CACHE_PROJECTIONS=off` in the environment keeps whole objects (for measuring
/// what the projections save: `ferry bench controlplane --no-projections`).
import FerryAPI
import Foundation
import KubeClient
import KubeCore
import KubeRuntime

public enum CacheProjections {
    /// kubectl's client-side apply record: a second copy of the whole object.
    public static let lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"
    public static let disableEnvironmentVariable = "FERRY_CACHE_PROJECTIONS"

    static var enabled: Bool { ProcessInfo.processInfo.environment[disableEnvironmentVariable] != "off" }

    /// The projection of `resource`'s cached objects (nil: whole objects).
    public static func transform(for resource: ResourceType) -> (@Sendable (JSONValue) -> JSONValue)? {
        guard enabled else { return nil }
        switch resource {
        case .pod: return pod
        case Sync.resourceType: return sync
        default: return trimmedMetadata
        }
    }

    /// The indexers of `resource`'s shared informer.
    public static func indexers(for resource: ResourceType) -> [String: IndexFunction] {
        switch resource {
        case .pod: return PodSweeper.podIndexers.merging([SyncReconciler.poolIndex: SyncReconciler.poolIndexFunction]) { a, _ in a }
        case Sync.resourceType: return SyncIndexes.indexers
        default: return [:]
        }
    }

    /// Without managedFields and the last-applied annotation (which no controller reads).
    public static let trimmedMetadata: @Sendable (JSONValue) -> JSONValue = { object in
        var object = object
        if object["metadata"].has("managedFields") { object[path: ["metadata", "managedFields"]] = .null }
        if object["metadata"]["annotations"].has(lastAppliedAnnotation) {
            object[path: ["metadata", "annotations", lastAppliedAnnotation]] = .null
        }
        return object
    }

    /// A pod as the controllers read it: metadata, status, and the spec fields listed above.
    public static let pod: @Sendable (JSONValue) -> JSONValue = { object in
        var pod = trimmedMetadata(object)
        let spec = object["spec"]
        var kept: JSONValue = .emptyObject
        for field in ["nodeName", "priority", "priorityClassName"] where spec.has(field) { kept[field] = spec[field] }
        for list in ["initContainers", "containers"] {
            guard let containers = spec[list].arrayValue else { continue }
            kept[list] = .array(containers.map { container in
                var slim: JSONValue = ["name": container["name"]]
                slim["resources"] = container["resources"]
                return slim
            })
        }
        pod["spec"] = kept
        return pod
    }

    /// A Sync without its per-stream statistics.
    public static let sync: @Sendable (JSONValue) -> JSONValue = { object in
        var sync = trimmedMetadata(object)
        guard sync["status"].objectValue != nil else { return sync }
        if sync["status"]["stats"].has("streams") { sync[path: ["status", "stats", "streams"]] = .null }
        if let attempts = sync["status"]["attempts"].arrayValue, attempts.contains(where: { $0["stats"].has("streams") }) {
            sync[path: ["status", "attempts"]] = .array(attempts.map { attempt in
                var attempt = attempt
                if attempt["stats"].has("streams") { attempt[path: ["stats", "streams"]] = .null }
                return attempt
            })
        }
        return sync
    }
}

extension ControllerManager {
    /// The shared informer of `resource` with the operator's indexers and projection for
    /// it: every controller registers through this, so all agree on both.
    public func sharedInformer(for resource: ResourceType, namespace: String?) -> Informer {
        informer(for: resource, namespace: namespace, indexers: CacheProjections.indexers(for: resource),
                 transform: CacheProjections.transform(for: resource))
    }
}
