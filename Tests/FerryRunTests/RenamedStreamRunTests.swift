/// `ferry run` with a Connection that renames streams (`prefix`, `namespaceDefinition:
/// custom`): the destination writes under the new names, while the committed state stays
/// in the source's names so the next run reads on from it.
import Foundation
import KubeCore
import KubeTestSupport
import Testing

@Suite struct RenamedStreamRunTests {
    static func manifest(sourceSpec: String, connectionSpec: [String], streams: String) -> String {
        """
        apiVersion: ferry.dev/v1alpha1
        kind: Source
        metadata: {name: src}
        spec: \(sourceSpec)
        ---
        apiVersion: ferry.dev/v1alpha1
        kind: Destination
        metadata: {name: files}
        spec: {image: ferry:latest, command: [ferry, connector, destination-jsonl], config: {destination_path: out}}
        ---
        apiVersion: ferry.dev/v1alpha1
        kind: Connection
        metadata: {name: renamed}
        spec:
          sourceRef: {name: src}
          destinationRef: {name: files}
          \(connectionSpec.joined(separator: "\n  "))
          streams:
        \(streams)
        """
    }

    static func state(_ dir: ScratchDirectory) throws -> JSONValue {
        try JSONValue.parse(Array((dir.read(".ferry/state/default/renamed/state.json") ?? "").utf8))
    }

    @Test func sampleSourceWithPrefixAndCustomNamespace() async throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        func write(count: Int) throws {
            try dir.write("m.yaml", Self.manifest(
                sourceSpec: "{image: ferry:latest, command: [ferry, connector, source-sample], config: {count: \(count), state_every: 10}}",
                connectionSpec: ["prefix: sample_", "namespaceDefinition: custom", "namespaceFormat: lake"],
                streams: "    - {name: users, syncMode: incremental, destinationSyncMode: append, cursorField: [updated_at]}"))
        }
        try write(count: 30)
        let first = try await runFerry(["run", "-f", "m.yaml"], in: dir)
        #expect(first.code == 0, "\(first)")
        #expect(first.stream("users")?["recordsCommitted"] == 30)
        #expect(dir.lines("out/lake_sample_users.jsonl").count == 30)
        #expect(dir.read("out/users.jsonl") == nil)
        let saved = try Self.state(dir).arrayValue?.first?["stream"]["stream_descriptor"]
        #expect(saved == ["name": "users"])

        // The source reads its own state back: only the new records move.
        try write(count: 45)
        let second = try await runFerry(["run", "-f", "m.yaml"], in: dir)
        #expect(second.code == 0, "\(second)")
        #expect(second.stream("users")?["recordsEmitted"] == 15)
        #expect(dir.lines("out/lake_sample_users.jsonl").count == 45)
    }

    @Test(.enabled(if: ExternalResources.connectorsEnabled))
    func fakerWithPrefix() async throws {
        guard let connectorPath = ExternalResources.connectorPath else { throw MissingExternalResource("FERRY_TEST_CONNECTOR_PATH") }
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        try dir.write("m.yaml", Self.manifest(
            sourceSpec: "{image: airbyte/source-faker:7.2.1, command: [\(connectorPath)/source-faker], config: {count: 40, seed: 42, records_per_slice: 10}}",
            connectionSpec: ["prefix: faker_"],
            streams: """
                    - {name: users, syncMode: incremental, destinationSyncMode: append, cursorField: [updated_at]}
                    - {name: products, syncMode: full_refresh, destinationSyncMode: overwrite}
            """))
        let run = try await runFerry(["run", "-f", "m.yaml"], in: dir)
        #expect(run.code == 0, "\(run)")
        #expect(run.stream("users")?["recordsCommitted"] == 40)
        #expect(dir.lines("out/faker_users.jsonl").count == 40)
        #expect(Int64(dir.lines("out/faker_products.jsonl").count) == run.stream("products")?["recordsEmitted"].intValue)
        #expect(dir.read("out/users.jsonl") == nil && dir.read("out/products.jsonl") == nil)
        let names = Set(try Self.state(dir).arrayValue?.compactMap { $0["stream"]["stream_descriptor"]["name"].stringValue } ?? [])
        #expect(names.contains("users") && !names.contains { $0.hasPrefix("faker_") })
    }
}
