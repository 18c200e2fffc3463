/// The worker's progress report in the Sync's status, and committed state carried from a
/// failed attempt to the next one through the Connection's state store. The test plays
/// the worker: it writes the attempt's progress ConfigMap as `ferry worker relay
/// --progress-configmap` does.
import FerryAPI
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import KubeTestSupport
import Testing
@testable import FerryControllers

@Suite(.timeLimit(.minutes(1))) struct SyncProgressTests {
    static func state(_ cursor: String) -> JSONValue {
        [["type": "STREAM", "stream": ["stream_descriptor": ["name": "users"], "stream_state": ["updated_at": .string(cursor)]]]]
    }

    static func stats(emitted: Int64, committed: Int64) -> JSONValue {
        ["recordsEmitted": .int(emitted), "bytesEmitted": .int(emitted * 100), "recordsCommitted": .int(committed), "stateMessagesCommitted": 1,
         "streams": [["name": "users", "recordsEmitted": .int(emitted), "bytesEmitted": .int(emitted * 100), "recordsCommitted": .int(committed)]]]
    }

    /// What the relay sends every flush interval.
    func report(_ rig: SyncRig, pod: String, emitted: Int64, committed: Int64, state: JSONValue?, final: Bool = false) async throws {
        let patch = AttemptProgressConfigMap.patch(stats: Self.stats(emitted: emitted, committed: committed), committedState: state,
                                                   updatedAt: KubeTime.format(Date()), isFinal: final)
        _ = try await rig.client.patch(.configMap, name: pod, namespace: rig.namespace, patch: patch, type: .merge)
    }

    func secretState(_ rig: SyncRig, _ name: String) async throws -> JSONValue? {
        let secret = try await rig.client.get(.secret, name: name, namespace: rig.namespace)
        return try secret["data"][WorkerPodLayout.stateFile].stringValue
            .flatMap { Data(base64Encoded: $0) }.map { try JSONValue.parse($0) }
    }

    @Test func progressReachesTheStatusAndCommittedStateCarriesToTheNextAttempt() async throws {
        let clock = ManualClock(wallOrigin: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)))
        try await withSyncController(clock: clock) { rig in
            try await rig.createPool()
            try await rig.createConnectors()
            try await rig.createConnection()
            try await rig.createSync("daily")
            try await waitUntil(timeout: .seconds(10)) { try await rig.exists(.pod, "daily-1") }
            // The empty report is created with the pod, owned by the Sync; the first
            // attempt has no input state.
            let created = try await rig.client.get(.configMap, name: "daily-1", namespace: rig.namespace)
            #expect(created["metadata"]["ownerReferences"].arrayValue?.first?["name"] == "daily" && created["data"] == .emptyObject)
            #expect(try await secretState(rig, "daily-1-config") == JSONValue?.none)
            let pod = try await rig.client.get(.pod, name: "daily-1", namespace: rig.namespace)
            let orchestrator = pod["spec"]["containers"].arrayValue?.first { $0["name"] == "orchestrator" } ?? .null
            #expect(orchestrator["command"].arrayValue?.last?.stringValue?.contains("--progress-configmap default/daily-1") == true)

            try await rig.runPod("daily-1")
            try await rig.waitForPhase("daily", .running)
            try await report(rig, pod: "daily-1", emitted: 50, committed: 40, state: Self.state("2024-01-01T00:00:40Z"))
            // Copied on the controller's next look, one flush interval later.
            clock.advance(by: .seconds(10))
            try await waitUntil(timeout: .seconds(10)) {
                try await rig.sync("daily")["status"]["stats"]["recordsCommitted"] == 40
            }
            // The destination crashes: the attempt had progress, so it is retried at once,
            // from the state it committed.
            try await rig.finishPod("daily-1", exitCode: 1)
            try await waitUntil(timeout: .seconds(10)) { try await rig.exists(.pod, "daily-2") }
            #expect(try await secretState(rig, "daily-2-config") == Self.state("2024-01-01T00:00:40Z"))
            let store = try await rig.client.get(.configMap, name: "shop-to-lake-state", namespace: rig.namespace)
            #expect(try ConnectionStateStore.state(in: store) == Self.state("2024-01-01T00:00:40Z"))
            #expect(store["metadata"]["ownerReferences"].arrayValue?.first?["kind"] == "Connection")

            try await rig.runPod("daily-2")
            try await report(rig, pod: "daily-2", emitted: 60, committed: 60, state: Self.state("2024-01-01T00:01:40Z"), final: true)
            try await rig.finishPod("daily-2", exitCode: 0, message: #"{"succeeded":true,"recordsCommitted":60}"#)
            try await rig.waitForPhase("daily", .succeeded)

            let status = try await rig.sync("daily")["status"].decode(SyncStatus.self)
            #expect(status.attempts?.map(\.recordsCommitted) == [40, 60])
            #expect(status.attempts?.first?.stats?.recordsEmitted == 50)
            #expect(status.stats?.recordsCommitted == 100 && status.stats?.recordsEmitted == 110 && status.stats?.bytesEmitted == 11000)
            #expect(status.stats?.streams == [StreamStats(name: "users", recordsEmitted: 110, bytesEmitted: 11000, recordsCommitted: 100)])
            let after = try await rig.client.get(.configMap, name: "shop-to-lake-state", namespace: rig.namespace)
            #expect(try ConnectionStateStore.state(in: after) == Self.state("2024-01-01T00:01:40Z"))
            #expect(after["metadata"]["annotations"][ConnectionStateStore.syncAnnotation] == "daily")

            // The next Sync of the Connection starts from there.
            try await rig.createSync("nightly")
            try await waitUntil(timeout: .seconds(10)) { try await rig.exists(.secret, "nightly-1-config") }
            #expect(try await secretState(rig, "nightly-1-config") == Self.state("2024-01-01T00:01:40Z"))
        }
    }

    /// A large committed state travels gzip-compressed (binaryData) through the progress
    /// report into the state store; one too large even compressed fails the Sync with
    /// StateTooLarge and no retry, and the stored state stays what it was.
    @Test func largeStatesAreCompressedAndOneTooLargeFailsTheSync() async throws {
        try await withSyncController { rig in
            try await rig.createPool()
            try await rig.createConnectors()
            try await rig.createConnection()
            try await rig.createSync("big")
            try await waitUntil(timeout: .seconds(10)) { try await rig.exists(.pod, "big-1") }
            try await rig.runPod("big-1")
            let tables = (0..<6_000).map { i -> JSONValue in ["stream_descriptor": ["name": .string("t\(i)")], "stream_state": ["lsn": .int(Int64(i) * 4096)]] }
            let large = JSONValue.array(tables)
            try await report(rig, pod: "big-1", emitted: 10, committed: 10, state: large, final: true)
            let progress = try await rig.client.get(.configMap, name: "big-1", namespace: rig.namespace)
            #expect(progress["binaryData"][ConnectionStateStore.compressedStateKey].stringValue != nil && progress["data"]["state.json"] == .null)
            try await rig.finishPod("big-1", exitCode: 0, message: #"{"succeeded":true,"recordsCommitted":10}"#)
            try await rig.waitForPhase("big", .succeeded)
            let store = try await rig.client.get(.configMap, name: "shop-to-lake-state", namespace: rig.namespace)
            #expect(try ConnectionStateStore.state(in: store) == large)

            try await rig.createSync("huge")
            try await waitUntil(timeout: .seconds(10)) { try await rig.exists(.pod, "huge-1") }
            try await rig.runPod("huge-1")
            var random = SystemRandomNumberGenerator()
            let noise = String((0..<3_000_000).map { _ in "0123456789abcdef".randomElement(using: &random) ?? "0" })
            try await report(rig, pod: "huge-1", emitted: 5, committed: 5, state: ["blob": .string(noise)], final: true)
            try await rig.finishPod("huge-1", exitCode: 0, message: #"{"succeeded":true,"recordsCommitted":5}"#)
            try await rig.waitForPhase("huge", .failed)
            let status = try await rig.sync("huge")["status"].decode(SyncStatus.self)
            let failed = try #require(status.conditions?[type: SyncConditions.failed])
            #expect(failed.reason == "StateTooLarge" && failed.message.contains("more than a ConfigMap holds"), "\(failed.message)")
            #expect(status.attempts?.count == 1 && status.attempts?.first?.reason == "StateTooLarge")
            let kept = try await rig.client.get(.configMap, name: "shop-to-lake-state", namespace: rig.namespace)
            #expect(try ConnectionStateStore.state(in: kept) == large)
        }
    }

    /// A stored state that compresses into the ConfigMap but is over 1 MiB as text cannot
    /// go into the worker pod's Secret: the Sync fails before starting, with the size.
    @Test func aStoredStateTooLargeForThePodSecretFailsBeforeStarting() async throws {
        try await withSyncController { rig in
            try await rig.createPool()
            try await rig.createConnectors()
            try await rig.createConnection()
            let tables = (0..<30_000).map { i -> JSONValue in ["stream_descriptor": ["name": .string("table_\(i)")], "stream_state": ["lsn": .int(Int64(i))]] }
            _ = try await rig.client.create(try ConnectionStateStore.configMap(connection: "shop-to-lake", namespace: rig.namespace, connectionUID: nil,
                                                                              state: .array(tables), sync: "earlier"), .configMap, namespace: rig.namespace)
            try await rig.createSync("blocked")
            try await rig.waitForPhase("blocked", .failed)
            let failed = try #require(try await rig.sync("blocked")["status"].decode(SyncStatus.self).conditions?[type: SyncConditions.failed])
            #expect(failed.reason == "StateTooLarge" && failed.message.contains("worker pod's Secret"), "\(failed.message)")
            #expect(try await !rig.exists(.pod, "blocked-1"))
        }
    }

    @Test func aStateStoreThatIsNotJSONFailsTheSyncWithInvalidState() async throws {
        try await withSyncController { rig in
            try await rig.createPool()
            try await rig.createConnectors()
            try await rig.createConnection()
            _ = try await rig.client.create([
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": ["name": "shop-to-lake-state", "namespace": .string(rig.namespace)],
                "data": [.init(stringLiteral: ConnectionStateStore.stateKey): "{not json"],
            ], .configMap)
            try await rig.createSync("daily")
            try await rig.waitForPhase("daily", .failed)
            let failed = try #require(try await rig.condition("daily", SyncConditions.failed))
            #expect(failed["reason"] == "InvalidState")
            #expect(failed["message"].stringValue?.contains("shop-to-lake-state") == true)
            #expect(try await !rig.exists(.pod, "daily-1"))
        }
    }
}
