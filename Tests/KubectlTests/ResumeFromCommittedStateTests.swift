/// Committed state survives a failed attempt: on `ferry dev`, a destination that crashes
/// after partial progress fails attempt 1; attempt 2 starts from the state attempt 1
/// committed (reported by its worker into the attempt's progress ConfigMap and saved in
/// the Connection's state store), and the next Sync starts from where the last one ended.
/// The Connection's prefix renames the stream in the destination on the way.
import Foundation
import KubeTestSupport
import Testing

@Suite(.enabled(if: Kubectl.isInstalled), .timeLimit(.minutes(3))) struct ResumeFromCommittedStateTests {
    @Test func destinationCrashIsRetriedFromTheCommittedState() async throws {
        try await DevSession.with { session in try await run(session) }
    }

    func run(_ session: DevSession) async throws {
        let kubectl = session.kubectl, dir = session.directory.path
        let readLog = { session.dev.log }
        // 1,000 users with a STATE every 100; the destination fails on its 650th record,
        // after committing the first 600.
        let manifests = try kubectl.write("resume.yaml", """
            apiVersion: ferry.dev/v1alpha1
            kind: WorkerPool
            metadata: {name: default}
            spec: {workers: 2}
            ---
            apiVersion: ferry.dev/v1alpha1
            kind: Source
            metadata: {name: sample}
            spec:
              image: ferry:latest
              command: [ferry, connector, source-sample]
              config: {count: 1000, state_every: 100}
            ---
            apiVersion: ferry.dev/v1alpha1
            kind: Destination
            metadata: {name: flaky-files}
            spec:
              image: ferry:latest
              command: [ferry, connector, destination-jsonl]
              config: {destination_path: \(dir)/out, fail_after_records: 650}
            ---
            apiVersion: ferry.dev/v1alpha1
            kind: Connection
            metadata: {name: users}
            spec:
              sourceRef: {name: sample}
              destinationRef: {name: flaky-files}
              # Written as shop_users: the relay renames records and states on the way.
              prefix: shop_
              streams:
              - {name: users, syncMode: incremental, destinationSyncMode: append, cursorField: [updated_at]}
            """)
        let applied = try await kubectl.run("apply", "-f", manifests)
        #expect(applied.succeeded, "\(applied.stderr)")
        let sync = { (name: String) in
            try kubectl.write("\(name).yaml", """
                apiVersion: ferry.dev/v1alpha1
                kind: Sync
                metadata: {name: \(name)}
                spec: {connectionRef: {name: users}}
                """)
        }
        #expect(try await kubectl.run("create", "-f", sync("first")).succeeded)
        let done = try await kubectl.run("wait", "--for=jsonpath={.status.phase}=Succeeded", "fsync/first", "--timeout=90s")
        let yaml = try await kubectl.run("get", "fsync", "first", "-o", "yaml").stdout
        #expect(done.succeeded, "\(done.stderr) \(yaml)\n\(readLog().suffix(3000))")

        let json = try await kubectl.run("get", "fsync", "first", "-o", "json").stdout
        let status = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])["status"] as? [String: Any]
        let attempts = try #require(status?["attempts"] as? [[String: Any]], "\(yaml)")
        try #require(attempts.count == 2, "\(yaml)")
        #expect(attempts[0]["phase"] as? String == "Failed")
        #expect(attempts[0]["reason"] as? String == "DestinationFailed", "\(yaml)")
        #expect((attempts[0]["message"] as? String ?? "").contains("fail_after_records"), "\(yaml)")
        #expect((attempts[0]["recordsCommitted"] as? Int) == 600, "\(yaml)")
        #expect(attempts[1]["phase"] as? String == "Succeeded")
        // Attempt 2 read only what attempt 1 had not committed.
        let second = attempts[1]["stats"] as? [String: Any]
        #expect(second?["recordsEmitted"] as? Int == 400, "\(yaml)")
        #expect(second?["recordsCommitted"] as? Int == 400, "\(yaml)")
        let stats = status?["stats"] as? [String: Any]
        #expect(stats?["recordsCommitted"] as? Int == 1000, "\(yaml)")
        let streams = stats?["streams"] as? [[String: Any]]
        #expect(streams?.first?["name"] as? String == "users" && streams?.first?["recordsCommitted"] as? Int == 1000, "\(yaml)")

        // Every user reached the file; the 50 records past the last committed state of
        // attempt 1 were never made durable, so none is there twice.
        let lines = try String(contentsOfFile: dir + "/out/shop_users.jsonl", encoding: .utf8).split(separator: "\n")
        let ids = lines.compactMap { line -> Int? in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["id"] as? Int
        }
        #expect(Set(ids).count == 1000 && ids.count == lines.count, "\(lines.count) lines, \(Set(ids).count) distinct ids")

        // The Connection's state store holds the cursor; the next Sync reads nothing new.
        let stored = try await kubectl.run("get", "configmap", "users-state", "-o", "jsonpath={.data.state\\.json}")
        #expect(stored.succeeded && stored.stdout.contains("updated_at"), "\(stored.stdout) \(stored.stderr)")
        #expect(try await kubectl.run("create", "-f", sync("second")).succeeded)
        let secondDone = try await kubectl.run("wait", "--for=jsonpath={.status.phase}=Succeeded", "fsync/second", "--timeout=60s")
        let secondYAML = try await kubectl.run("get", "fsync", "second", "-o", "yaml").stdout
        #expect(secondDone.succeeded, "\(secondDone.stderr) \(secondYAML)")
        let emitted = try await kubectl.run("get", "fsync", "second", "-o", "jsonpath={.status.stats.recordsEmitted}/{.status.attempts[*].phase}")
        #expect(emitted.stdout == "0/Succeeded", "\(secondYAML)")

    }
}
