/// Source and Destination probes end to end on `ferry dev`: the built-in source-sample's
/// `check` and `discover` run in probe pods as local processes and land in the Source's
/// status; a bad config fails the check with the connector's own message.
import Foundation
import KubeCore
import KubeTestSupport
import Testing

@Suite(.enabled(if: Kubectl.isInstalled), .timeLimit(.minutes(3))) struct DevSourceProbeTests {
    @Test func sampleSourceIsCheckedAndDiscoveredAndABadConfigFailsItsCheck() async throws {
        try await DevSession.with { s in
            let manifests = try s.kubectl.write("sources.yaml", """
                apiVersion: ferry.dev/v1alpha1
                kind: Source
                metadata: {name: sample}
                spec:
                  image: ferry:latest
                  command: [ferry, connector, source-sample]
                  config: {count: 10}
                ---
                apiVersion: ferry.dev/v1alpha1
                kind: Source
                metadata: {name: broken}
                spec:
                  image: ferry:latest
                  command: [ferry, connector, source-sample]
                  config: {count: -1}
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: sample-credentials}
                stringData: {seed: hunter2-not-a-seed}
                ---
                apiVersion: ferry.dev/v1alpha1
                kind: Source
                metadata: {name: bad-secret}
                spec:
                  image: ferry:latest
                  command: [ferry, connector, source-sample]
                  config: {count: 10}
                  secretRefs:
                  - {path: /seed, secretKeyRef: {name: sample-credentials, key: seed}}
                ---
                apiVersion: ferry.dev/v1alpha1
                kind: Destination
                metadata: {name: files}
                spec:
                  image: ferry:latest
                  command: [ferry, connector, destination-jsonl]
                  config: {destination_path: "\(s.directory.path)/out"}
                """)
            let applied = try await s.kubectl.run("apply", "-f", manifests)
            #expect(applied.succeeded, "\(applied.stderr)")

            let sample = try await s.waitFor("fsrc", "sample", "get discovered", timeout: .seconds(90)) { $0.condition("Discovered")?["status"] == "True" }
            #expect(sample.condition("Ready")?["status"] == "True", "\(sample.serialized())")
            #expect(sample.condition("Checked")?["reason"] == "CheckSucceeded")
            let streams = sample["status"]["catalog"]["streams"].arrayValue ?? []
            #expect(streams.compactMap { $0["name"].stringValue } == ["users", "products", "purchases"], "\(sample.serialized())")
            #expect(streams.first?["defaultCursorField"] == ["updated_at"] && streams.first?["sourceDefinedPrimaryKey"] == [["id"]])
            #expect(streams.first?["supportedSyncModes"] == ["full_refresh", "incremental"])

            let broken = try await s.waitFor("fsrc", "broken", "fail its check", timeout: .seconds(90)) { $0.condition("Ready")?["reason"] == "CheckFailed" }
            #expect(broken.condition("Ready")?["status"] == "False")
            #expect(broken.condition("Ready")?["message"] == "config.count must be an integer of at least 0, got -1", "\(broken.serialized())")
            #expect(broken["status"]["catalog"].isNull)

            // A bad secret value: the connector's own message, the value itself masked.
            let badSecret = try await s.waitFor("fsrc", "bad-secret", "fail its check", timeout: .seconds(90)) { $0.condition("Ready")?["reason"] == "CheckFailed" }
            let message = badSecret.condition("Ready")?["message"].stringValue ?? ""
            #expect(message.hasPrefix("config.seed must be an integer") && message.contains("***"), "\(badSecret.serialized())")
            #expect(!badSecret.serialized().contains("hunter2"), "the secret value stays out of status")
            let events = try await s.kubectl.run("get", "events", "-o", "json")
            #expect(events.succeeded && !events.stdout.contains("hunter2"), "the secret value stays out of Events")
            #expect(!s.dev.log.contains("hunter2"), "the secret value stays out of the operator's log")

            let files = try await s.waitFor("fdst", "files", "become ready", timeout: .seconds(90)) { $0.condition("Ready")?["status"] == "True" }
            #expect(files.condition("Discovered") == nil)

            // Finished probes go with their Secrets and ConfigMaps.
            try await waitUntil(timeout: .seconds(30)) {
                let pods = try await s.kubectl.run("get", "pods", "-l", "ferry.dev/probe", "-o", "name")
                return pods.succeeded && pods.stdout.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            }
        }
    }
}
