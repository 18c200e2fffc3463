/// The built Pod and Secret are accepted by the embedded API server over real HTTP, read
/// back unchanged where it matters, and a second create of the same attempt is refused.
import FerryAPI
import Foundation
import KubeClient
import KubeCore
import KubeTestSupport
import Testing
@testable import FerryControllers

@Suite struct WorkerPodAPIServerTests {
    typealias F = WorkerPodFixtures

    @Test func createdThroughTheAPI() async throws {
        try await withClient { _, client in
            _ = try await client.create(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "data"]], .namespace)
            _ = try await client.create(Sync.crd, .customResourceDefinition)
            // A real Sync as the owner: the garbage collector removes dependents of a missing owner.
            var owner: JSONValue = .null
            try await waitUntil(timeout: .seconds(10)) {
                var sync = F.sync()
                sync.metadata.uid = nil
                owner = (try? await client.create(try JSONValue(encoding: sync), Sync.resourceType, namespace: "data")) ?? .null
                return !owner.isNull
            }
            let m = try F.build(sync: try owner.decode(Sync.self), inputs: F.inputs(state: ["cursor": "2024-01-01"]))
            #expect(m.pod["metadata"]["ownerReferences"].arrayValue?.first?["uid"].stringValue == owner.uid)
            _ = try await client.create(m.secret, .secret, namespace: "data")
            let created = try await client.create(m.pod, .pod, namespace: "data")
            #expect(created.name == "shop-sync-1-1")
            #expect(created.labels["ferry.dev/sync"] == "shop-sync-1")
            #expect(created["spec"]["containers"].arrayValue?.count == 3)
            let secret = try await client.get(.secret, name: m.secretName, namespace: "data")
            #expect(secret.secretFiles["state.json"] == #"{"cursor":"2024-01-01"}"#)
            // Deterministic names: the same attempt cannot be started twice.
            do {
                _ = try await client.create(m.pod, .pod, namespace: "data")
                Issue.record("a second create of the same attempt succeeded")
            } catch let error as KubeClientError {
                #expect(error.isAlreadyExists)
            }
        }
    }
}
