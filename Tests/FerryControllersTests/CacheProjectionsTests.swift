/// The informer cache projections: what they keep is what the controllers read (each
/// reader gives the same answer on the projection as on the whole object), and the bulk
/// they drop is gone.
import FerryAPI
import Foundation
import KubeCore
import KubeRuntime
import Testing
@testable import FerryControllers

@Suite struct CacheProjectionsTests {
    static let lastApplied = CacheProjections.lastAppliedAnnotation

    /// A worker pod as the builder makes it, then as a cluster returns it: managedFields,
    /// kubectl's last-applied annotation, a node, and a finished status.
    static func clusterPod() throws -> JSONValue {
        var pod = try WorkerPodFixtures.build().pod
        pod[path: ["metadata", "managedFields"]] = [["manager": "ferry", "operation": "Update", "fieldsV1": ["f:spec": ["f:containers": [:]]]]]
        pod[path: ["metadata", "annotations", lastApplied]] = .string(pod.serialized())
        pod[path: ["metadata", "creationTimestamp"]] = "2026-12-04T10:00:00Z"
        pod[path: ["metadata", "deletionTimestamp"]] = "2026-12-04T11:00:00Z"
        pod[path: ["spec", "nodeName"]] = "node-1"
        pod["status"] = [
            "phase": "Succeeded", "startTime": "2026-12-04T10:00:01Z",
            "conditions": [["type": "Ready", "status": "False", "lastTransitionTime": "2026-12-04T10:05:00Z"]],
            "containerStatuses": [
                ["name": "orchestrator", "state": ["terminated": ["exitCode": 0, "finishedAt": "2026-12-04T10:05:00Z",
                                                                    "message": #"{"succeeded":true,"recordsCommitted":7}"#]]],
                ["name": "source", "state": ["terminated": ["exitCode": 0, "finishedAt": "2026-12-04T10:04:59Z"]]],
            ],
        ]
        return pod
    }

    @Test func podKeepsWhatControllersReadAndDropsTheRest() throws {
        let pod = try Self.clusterPod()
        let cached = CacheProjections.pod(pod)

        #expect(cached["metadata"]["managedFields"].isNull)
        #expect(cached["metadata"]["annotations"][Self.lastApplied].isNull)
        #expect(cached["spec"]["volumes"].isNull)
        for container in (cached["spec"]["containers"].arrayValue ?? []) + (cached["spec"]["initContainers"].arrayValue ?? []) {
            let keys = Set((container.objectValue ?? [:]).keys)
            #expect(keys.isSubset(of: ["name", "resources"]))
        }
        // The bulk is the spec: scripts, env, mounts.
        #expect(cached.serializedBytes().count * 3 < pod.serializedBytes().count)

        var expectedMetadata = pod["metadata"]
        expectedMetadata["managedFields"] = .null
        expectedMetadata[path: ["annotations", Self.lastApplied]] = .null
        #expect(cached["metadata"] == expectedMetadata)
        #expect(cached["status"] == pod["status"])
        #expect(cached["spec"]["nodeName"] == "node-1")
        let names = { (p: JSONValue, list: String) in (p["spec"][list].arrayValue ?? []).map { $0["name"] } }
        let resources = { (p: JSONValue, list: String) in (p["spec"][list].arrayValue ?? []).map { $0["resources"] } }
        for list in ["containers", "initContainers"] {
            #expect(names(cached, list) == names(pod, list))
            #expect(resources(cached, list) == resources(pod, list))
        }
        #expect(!(cached["spec"]["containers"].arrayValue ?? []).isEmpty)
    }

    @Test func podReadersSeeTheSameOnTheProjection() throws {
        let pod = try Self.clusterPod()
        let cached = CacheProjections.pod(pod)
        #expect(WorkerPodObservation(pod: cached) == WorkerPodObservation(pod: pod))
        #expect(PoolObservationReader.sample(pod: cached, metrics: nil) == PoolObservationReader.sample(pod: pod, metrics: nil))
        #expect(PodSweepFacts.syncName(of: cached) == PodSweepFacts.syncName(of: pod))
        #expect(PodSweepFacts.syncOwner(of: cached) == PodSweepFacts.syncOwner(of: pod))
        #expect(PodSweepFacts.attempt(of: cached) == PodSweepFacts.attempt(of: pod))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(sweepDecision(pod: cached, sync: nil, now: now, ttls: PodSweeperOptions()) == sweepDecision(pod: pod, sync: nil, now: now, ttls: PodSweeperOptions()))
        #expect(PodSweeper.podIndexers[PodSweeper.syncIndex]?(cached) == PodSweeper.podIndexers[PodSweeper.syncIndex]?(pod))
    }

    static func finishedSync() -> JSONValue {
        let streams: JSONValue = [["name": "users", "recordsEmitted": 5, "recordsCommitted": 5], ["name": "orders", "recordsEmitted": 2]]
        let stats: JSONValue = ["recordsEmitted": 7, "recordsCommitted": 5, "streams": streams]
        return [
            "apiVersion": .string(FerryAPI.apiVersion), "kind": "Sync",
            "metadata": ["name": "s-1", "namespace": "data", "uid": "u-1", "creationTimestamp": "2026-12-04T10:00:00Z",
                         "managedFields": [["manager": "kubectl"]], "annotations": [lastApplied: "{}", "keep": "me"]],
            "spec": ["connectionRef": ["name": "shop"], "cancel": false],
            "status": [
                "phase": "Succeeded", "queuedTime": "2026-12-04T10:00:00Z", "completionTime": "2026-12-04T10:05:00Z",
                "attempts": [["number": 1, "phase": "Succeeded", "podName": "s-1-1", "recordsCommitted": 5, "stats": stats]],
                "stats": stats,
                "conditions": [["type": "Complete", "status": "True", "reason": "Succeeded", "message": "5 records", "lastTransitionTime": "2026-12-04T10:05:00Z"]],
            ],
        ]
    }

    @Test func syncDropsOnlyPerStreamStatistics() throws {
        let sync = Self.finishedSync()
        let cached = CacheProjections.sync(sync)
        #expect(cached["status"]["stats"]["streams"].isNull)
        #expect(cached["status"]["attempts"].arrayValue?.first?["stats"]["streams"].isNull == true)
        #expect(cached["metadata"]["managedFields"].isNull)
        #expect(cached["metadata"]["annotations"] == ["keep": "me"])

        var expected = try sync.decode(Sync.self)
        expected.status?.stats?.streams = nil
        expected.status?.attempts?[0].stats?.streams = nil
        expected.metadata.annotations = ["keep": "me"]
        #expect(try cached.decode(Sync.self) == expected)
        #expect(cached["status"]["stats"]["recordsCommitted"] == 5)
        #expect(FinishedSync(cached) == FinishedSync(sync))
        #expect(QueuedSync(sync: cached)?.name == QueuedSync(sync: sync)?.name)
    }

    @Test func syncWithoutStatusIsOnlyTrimmed() {
        let sync: JSONValue = ["apiVersion": .string(FerryAPI.apiVersion), "kind": "Sync", "metadata": ["name": "s-2"], "spec": ["connectionRef": ["name": "shop"]]]
        #expect(CacheProjections.sync(sync) == sync)
    }

    @Test func otherKindsLoseOnlyManagedFieldsAndTheLastAppliedAnnotation() throws {
        var connection = try JSONValue(encoding: WorkerPodFixtures.connection { $0.schedule = Schedule(cron: "0 3 * * *") })
        let plain = connection
        connection[path: ["metadata", "managedFields"]] = [["manager": "kubectl"]]
        connection[path: ["metadata", "annotations", Self.lastApplied]] = .string(plain.serialized())
        #expect(CacheProjections.trimmedMetadata(connection)["metadata"]["annotations"] == .emptyObject)
        var trimmed = CacheProjections.trimmedMetadata(connection)
        trimmed[path: ["metadata", "annotations"]] = .null
        #expect(trimmed == plain)
        #expect(CacheProjections.trimmedMetadata(plain) == plain)
    }

    @Test func everyResourceHasOneProjectionAndItsIndexes() throws {
        let pod = try Self.clusterPod()
        #expect(CacheProjections.transform(for: .pod)?(pod) == CacheProjections.pod(pod))
        #expect(CacheProjections.transform(for: Sync.resourceType)?(Self.finishedSync()) == CacheProjections.sync(Self.finishedSync()))
        #expect(CacheProjections.transform(for: Connection.resourceType)?(pod) == CacheProjections.trimmedMetadata(pod))
        #expect(Set(CacheProjections.indexers(for: .pod).keys) == [PodSweeper.syncIndex, SyncReconciler.poolIndex])
        #expect(Set(CacheProjections.indexers(for: Sync.resourceType).keys) == Set(SyncIndexes.indexers.keys))
        #expect(CacheProjections.indexers(for: Connection.resourceType).isEmpty)

        // Through an informer, as the manager builds it: the store holds the projection.
        let informer = Informer(resource: .pod, indexers: CacheProjections.indexers(for: .pod), transform: CacheProjections.transform(for: .pod))
        informer.deliver(.applied(pod))
        let stored = try #require(informer.store.list().first)
        #expect(stored == CacheProjections.pod(pod))
        #expect(informer.store.indexValues(PodSweeper.syncIndex).count == 1)
    }
}
