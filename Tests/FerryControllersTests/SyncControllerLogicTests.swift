/// The Sync controller's pure pieces: the Duration column, the retry time after a failed
/// attempt, the catalog fallback without a discovered catalog, and Secret values.
import FerryAPI
import Foundation
import KubeCore
import KubeRuntime
import Testing
@testable import FerryControllers

@Suite struct SyncControllerLogicTests {
    @Test(arguments: [(0.0, "0s"), (45.4, "45s"), (192, "3m12s"), (3605, "1h0m5s"), (-3, "0s")])
    func durationColumn(seconds: Double, expected: String) {
        #expect(SyncReconciler.formatDuration(seconds: seconds) == expected)
    }

    /// Only a worker pod going away or finishing wakes its pool's queue.
    @Test func aWorkerSlotIsFreedByAPodFinishingOrGoing() {
        func pod(_ phase: String?) -> JSONValue {
            var pod: JSONValue = ["metadata": ["name": "s-1", "namespace": "default"]]
            if let phase { pod["status"] = ["phase": .string(phase)] }
            return pod
        }
        // Whether there is a pod at all: a `.null` pod (what `cond ? pod : nil` gives, as
        // JSONValue is ExpressibleByNilLiteral) must count as one, so the test sees it.
        let freed = { (change: StoreChange) -> Bool in
            guard case .some = SyncController.freedWorker(change) else { return false }
            return true
        }
        #expect(!freed(.added(pod(nil))) && !freed(.added(pod("Running"))))
        #expect(freed(.added(pod("Succeeded"))) && freed(.added(pod("Failed"))), "finished when first seen (a relist)")
        #expect(!freed(.updated(old: pod(nil), new: pod("Pending"))) && !freed(.updated(old: pod("Pending"), new: pod("Running"))))
        #expect(freed(.updated(old: pod("Running"), new: pod("Succeeded"))) && freed(.updated(old: pod("Pending"), new: pod("Failed"))))
        #expect(!freed(.updated(old: pod("Succeeded"), new: pod("Succeeded"))), "already counted as free")
        #expect(freed(.deleted(pod("Running"))) && freed(.deleted(pod(nil))) && freed(.deleted(pod("Succeeded"))))
    }

    static func connection(_ retry: RetryPolicy? = nil, streams: [ConfiguredStream]? = nil) -> Connection {
        Connection(metadata: ObjectMeta(name: "c", namespace: "default"),
                   spec: ConnectionSpec(sourceRef: .init(name: "s"), destinationRef: .init(name: "d"), streams: streams, retry: retry))
    }

    @Test func retryTimeIsTheFailedAttemptsCompletionPlusTheBackoff() throws {
        let policy = RetryPolicy(maxSuccessiveFailures: 5, backoff: Backoff(initialSeconds: 10, factor: 3, maxSeconds: 60))
        let failed = { (n: Int32, at: String) in SyncAttempt(number: n, phase: .failed, completionTime: at, recordsCommitted: 0) }
        var status = SyncStatus(attempts: [failed(1, "2026-01-01T00:00:00Z")])
        #expect(SyncReconciler.retryTime(status: status, connection: Self.connection(policy)) == KubeTime.parse("2026-01-01T00:00:10Z"))
        status.attempts?.append(failed(2, "2026-01-01T00:01:00Z"))
        #expect(SyncReconciler.retryTime(status: status, connection: Self.connection(policy)) == KubeTime.parse("2026-01-01T00:01:30Z"))
        // A running attempt or a policy that gives up: no retry time.
        status.attempts?.append(SyncAttempt(number: 3, phase: .running))
        #expect(SyncReconciler.retryTime(status: status, connection: Self.connection(policy)) == nil)
        let once = SyncStatus(attempts: [failed(1, "2026-01-01T00:00:00Z")])
        #expect(SyncReconciler.retryTime(status: once, connection: Self.connection(RetryPolicy(maxSuccessiveFailures: 1))) == nil)
    }

    @Test func withoutADiscoveredCatalogTheStreamsComeFromTheConnection() throws {
        let refs = SyncReferences(
            connection: Self.connection(streams: [ConfiguredStream(name: "users", syncMode: .incremental, destinationSyncMode: .append, cursorField: ["updated_at"])]),
            source: Source(metadata: ObjectMeta(name: "s", namespace: "default"), spec: ConnectorSpec(image: "x")),
            destination: Destination(metadata: ObjectMeta(name: "d", namespace: "default"), spec: ConnectorSpec(image: "y")),
            pool: WorkerPool(metadata: ObjectMeta(name: "default", namespace: "default"), spec: WorkerPoolSpec()))
        let streams = SyncReconciler.discoveredStreams(refs)
        #expect(streams.map(\.descriptor.name) == ["users"])
        let catalogs = try ConfiguredCatalogBuilding.build(connection: refs.connection.spec, discovered: streams)
        let stream = try #require(catalogs.source.json["streams"].arrayValue?.first)
        #expect(stream["sync_mode"] == "incremental" && stream["cursor_field"] == ["updated_at"])
        #expect(stream["stream"]["json_schema"] == .emptyObject)
    }

    @Test func secretValuesFromDataOrStringData() {
        let secret: JSONValue = ["data": ["a": .string(Data("alpha".utf8).base64EncodedString()), "bad": "%%%"], "stringData": ["b": "beta"]]
        #expect(SyncReconciler.secretValue(secret, key: "a") == "alpha")
        #expect(SyncReconciler.secretValue(secret, key: "b") == "beta")
        #expect(SyncReconciler.secretValue(secret, key: "bad") == nil)
        #expect(SyncReconciler.secretValue(secret, key: "none") == nil)
    }

    static func pod(_ name: String, pool: String = "default", phase: String? = nil) -> JSONValue {
        var pod: JSONValue = ["apiVersion": "v1", "kind": "Pod",
                              "metadata": ["name": .string(name), "namespace": "default", "labels": JSONValue(stringMap: [FerryLabels.pool: pool])]]
        if let phase { pod["status"] = ["phase": .string(phase)] }
        return pod
    }

    @Test func activeWorkersCountUnfinishedPodsAndPodsJustCreated() {
        let store = ObjectStore()
        let expectations = PodExpectations()
        _ = store.apply(.restarted([Self.pod("a-1", phase: "Running"), Self.pod("b-1", phase: "Succeeded"), Self.pod("c-1"), Self.pod("x-1", pool: "other")]))
        #expect(SyncReconciler.activeWorkers(namespace: "default", pool: "default", pods: store, expectations: expectations) == 2)
        // Created but not yet in the cache: counted, so a lagging cache cannot overfill the pool.
        expectations.expect(namespace: "default", pod: "d-1", pool: "default")
        #expect(SyncReconciler.activeWorkers(namespace: "default", pool: "default", pods: store, expectations: expectations) == 3)
        // Once the cache has it, it is counted once (and no longer expected).
        _ = store.apply(.applied(Self.pod("d-1")))
        #expect(SyncReconciler.activeWorkers(namespace: "default", pool: "default", pods: store, expectations: expectations) == 3)
        #expect(expectations.unseen(namespace: "default", pool: "default", in: store).isEmpty)
        #expect(SyncReconciler.activeWorkers(namespace: "elsewhere", pool: "default", pods: store, expectations: expectations) == 0)
    }

    @Test func syncsWaitingForAMissingKindAreFoundByTheirQueuedReason() {
        let store = ObjectStore()
        func sync(_ name: String, phase: String, reason: String) -> JSONValue {
            ["metadata": ["name": .string(name), "namespace": "default"],
             "status": ["phase": .string(phase), "conditions": [["type": "Queued", "status": "True", "reason": .string(reason)]]]]
        }
        _ = store.apply(.restarted([
            sync("a", phase: "Queued", reason: "WorkerPoolNotFound"), sync("b", phase: "Queued", reason: "ConnectionNotFound"),
            sync("c", phase: "Failed", reason: "WorkerPoolNotFound"),
        ]))
        #expect(SyncController.waiting(in: "default", reasons: ["WorkerPoolNotFound"], syncs: store).map(\.name) == ["a"])
        #expect(SyncController.waiting(in: "other", reasons: ["WorkerPoolNotFound"], syncs: store).isEmpty)
    }
}
