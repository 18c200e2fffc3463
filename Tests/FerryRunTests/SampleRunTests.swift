/// `ferry run` with the built-in connectors: source-sample → destination-jsonl from a
/// manifest written by the test; state carried between runs; `--full-refresh`.
import FerryWorker
import Foundation
import KubeCore
import KubeTestSupport
import Testing

@Suite struct SampleRunTests {
    /// A Source, a Destination whose `destination_path` comes from a Secret, and a
    /// Connection with one incremental and one full-refresh stream.
    static func manifest(count: Int, secretSource: String = "") -> String {
        """
        apiVersion: ferry.dev/v1alpha1
        kind: Source
        metadata: {name: sample}
        spec:
          image: ferry:latest
          command: [ferry, connector, source-sample]
          config: {count: \(count), state_every: 100}
        ---
        apiVersion: ferry.dev/v1alpha1
        kind: Destination
        metadata: {name: files}
        spec:
          image: ferry:latest
          command: [ferry, connector, destination-jsonl]
          secretRefs:
            - path: /destination_path
              secretKeyRef: {name: out, key: dir}
        ---
        apiVersion: ferry.dev/v1alpha1
        kind: Connection
        metadata: {name: sample-to-files}
        spec:
          sourceRef: {name: sample}
          destinationRef: {name: files}
          streams:
            - {name: users, syncMode: incremental, destinationSyncMode: append, cursorField: [updated_at]}
            - {name: products, syncMode: full_refresh, destinationSyncMode: overwrite}
        \(secretSource)
        """
    }

    @Test func secondRunIsIncrementalAndFullRefreshRereads() async throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        // The Secret comes from the environment here (FERRY_SECRET_<SECRET>_<KEY>).
        let env = ["FERRY_SECRET_OUT_DIR": dir.path + "/out"]
        try dir.write("m.yaml", Self.manifest(count: 300))
        let first = try await runFerry(["run", "-f", "m.yaml"], in: dir, environment: env)
        #expect(first.code == 0, "\(first)")
        #expect(first.summary?["succeeded"] == true)
        #expect(first.stream("users")?["recordsCommitted"] == 300)
        #expect(dir.lines("out/users.jsonl").count == 300)
        #expect(dir.lines("out/products.jsonl").count == 300)
        let state = try JSONValue.parse(Array((dir.read(".ferry/state/default/sample-to-files/state.json") ?? "").utf8))
        let usersState = state.arrayValue?.first { $0["stream"]["stream_descriptor"]["name"] == "users" }
        #expect(usersState?["stream"]["stream_state"]["updated_at"] == "2024-01-01T05:00:00Z")

        // More records at the source: only those past the committed cursor move.
        try dir.write("m.yaml", Self.manifest(count: 450))
        let second = try await runFerry(["run", "-f", "m.yaml", "--connection", "sample-to-files"], in: dir, environment: env)
        #expect(second.code == 0, "\(second)")
        #expect(second.stream("users")?["recordsEmitted"] == 150)
        #expect(second.stream("products")?["recordsEmitted"] == 450)
        let users = dir.lines("out/users.jsonl")
        #expect(users.count == 450)
        #expect(Set(users.compactMap { try? JSONValue.parse(Array($0.utf8))["id"].intValue }).count == 450)
        #expect(dir.lines("out/products.jsonl").count == 450)

        // --full-refresh ignores the state: every user again (appended).
        let third = try await runFerry(["run", "-f", "m.yaml", "--full-refresh"], in: dir, environment: env)
        #expect(third.code == 0, "\(third)")
        #expect(third.stream("users")?["recordsEmitted"] == 450)
        #expect(dir.lines("out/users.jsonl").count == 900)
    }

    @Test func jsonLinesOutputAndSecretsFromManifestAndDirectory() async throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let secret = """
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: out}
            data: {dir: \(Data((dir.path + "/from-manifest").utf8).base64EncodedString())}
            """
        try dir.write("manifests/all.yaml", Self.manifest(count: 20, secretSource: secret))
        try dir.write("manifests/notes.txt", "not a manifest")
        // The rendered configs (secrets included) live in a private temporary directory
        // that is gone after the run.
        try FileManager.default.createDirectory(atPath: dir.path + "/tmp", withIntermediateDirectories: true)
        let run = try await runFerry(["run", "-f", "manifests", "--state-dir", "st"], in: dir, environment: ["TMPDIR": dir.path + "/tmp"])
        #expect(run.code == 0, "\(run)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path + "/tmp").isEmpty)
        #expect(dir.lines("from-manifest/users.jsonl").count == 20)
        #expect(FileManager.default.fileExists(atPath: dir.path + "/st/default/sample-to-files/state.json"))
        // Every stdout line is a JSON event; the last is the summary.
        let lines = run.stdout.split(separator: "\n")
        #expect(run.events.count == lines.count)
        #expect(run.events.last?["event"] == "summary")
        #expect(run.events.dropLast().allSatisfy { $0["event"] == "progress" })

        // Without a Secret manifest: the secrets directory.
        try dir.write("plain.yaml", Self.manifest(count: 5))
        try dir.write("secrets/out/dir", dir.path + "/from-dir")
        let fromDir = try await runFerry(["run", "-f", "plain.yaml", "--secrets-dir", "secrets", "--state-dir", "st2"], in: dir)
        #expect(fromDir.code == 0, "\(fromDir)")
        #expect(dir.lines("from-dir/products.jsonl").count == 5)
    }

    @Test func imageCommandRunsConnectorsWithoutSpecCommand() async throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let manifest = Self.manifest(count: 7).replacingOccurrences(of: "  command: [ferry, connector, source-sample]\n", with: "")
            .replacingOccurrences(of: "image: ferry:latest\n  command: [ferry, connector, destination-jsonl]", with: "image: local/jsonl:1")
        #expect(!manifest.contains("command:"))
        try dir.write("m.yaml", manifest)
        let ferry = LocalConnectorCommand.shellQuoted(ExternalResources.ferryBinary)
        let run = try await runFerry(["run", "-f", "m.yaml", "--image-command", "ferry:latest=\(ferry) connector source-sample",
                                      "--image-command", "local/jsonl:1=\(ferry) connector destination-jsonl"],
                                     in: dir, environment: ["FERRY_SECRET_OUT_DIR": "out"])
        #expect(run.code == 0, "\(run)")
        #expect(dir.lines("out/users.jsonl").count == 7)
    }

    @Test func failedSyncExitsOne() async throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        // The destination directory cannot be created (its parent is a file): the sync fails.
        try dir.write("blocker", "a file")
        try dir.write("m.yaml", Self.manifest(count: 10))
        let run = try await runFerry(["run", "-f", "m.yaml"], in: dir, environment: ["FERRY_SECRET_OUT_DIR": dir.path + "/blocker/out"])
        #expect(run.code == 1, "\(run)")
        #expect(run.summary?["succeeded"] == false)
        #expect(run.summary?["failure"]["origin"] == "destination")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/.ferry/state/default/sample-to-files/state.json"))
    }
}
