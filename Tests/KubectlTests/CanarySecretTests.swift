/// Secrets stay secret (issue #9): a unique canary value, referenced by a Source and a
/// Destination, goes through a full Sync and through the error paths (a missing key, a
/// Source whose check fails, a Sync that fails in its worker) and appears nowhere but in
/// the user's Secret — not in the operator's log, Events, any object, or kubectl's errors —
/// and the per-sync Secret that carried it goes with its pod.
import Foundation
import KubeCore
import KubeTestSupport
import Testing

@Suite(.enabled(if: Kubectl.isInstalled), .timeLimit(.minutes(4))) struct CanarySecretTests {
    static func manifests(canary: String, output: String) -> String {
        """
        apiVersion: ferry.dev/v1alpha1
        kind: WorkerPool
        metadata: {name: default}
        spec: {workers: 3}
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: canary-credentials}
        stringData: {api_key: \(canary), token: \(canary)}
        ---
        apiVersion: ferry.dev/v1alpha1
        kind: Source
        metadata: {name: sample}
        spec:
          image: ferry:latest
          command: [ferry, connector, source-sample]
          config: {count: 50}
          secretRefs:
          - {path: /api_key, secretKeyRef: {name: canary-credentials, key: api_key}}
        ---
        apiVersion: ferry.dev/v1alpha1
        kind: Destination
        metadata: {name: files}
        spec:
          image: ferry:latest
          command: [ferry, connector, destination-jsonl]
          config: {destination_path: "\(output)"}
          secretRefs:
          - {path: /token, secretKeyRef: {name: canary-credentials, key: token}}
        ---
        apiVersion: ferry.dev/v1alpha1
        kind: Source
        metadata: {name: missing-key}
        spec:
          image: ferry:latest
          command: [ferry, connector, source-sample]
          config: {count: 5}
          secretRefs:
          - {path: /api_key, secretKeyRef: {name: canary-credentials, key: no-such-key}}
        ---
        apiVersion: ferry.dev/v1alpha1
        kind: Source
        metadata: {name: failing}
        spec:
          image: ferry:latest
          command: [ferry, connector, source-sample]
          config: {count: -1}
          secretRefs:
          - {path: /api_key, secretKeyRef: {name: canary-credentials, key: api_key}}
        ---
        apiVersion: ferry.dev/v1alpha1
        kind: Connection
        metadata: {name: sample-to-files}
        spec:
          sourceRef: {name: sample}
          destinationRef: {name: files}
          streams: [{name: users, syncMode: full_refresh, destinationSyncMode: overwrite}]
        ---
        apiVersion: ferry.dev/v1alpha1
        kind: Connection
        metadata: {name: missing-key-to-files}
        spec:
          sourceRef: {name: missing-key}
          destinationRef: {name: files}
          streams: [{name: users, syncMode: full_refresh, destinationSyncMode: overwrite}]
        ---
        apiVersion: ferry.dev/v1alpha1
        kind: Connection
        metadata: {name: failing-to-files}
        spec:
          sourceRef: {name: failing}
          destinationRef: {name: files}
          streams: [{name: users, syncMode: full_refresh, destinationSyncMode: overwrite}]
          retry: {maxSuccessiveFailures: 1}
        """
    }

    @Test func aCanarySecretValueAppearsNowhereButInItsSecret() async throws {
        let canary = "canary-\(UUID().uuidString.lowercased())"
        try await DevSession.with(["--sweeper-succeeded-ttl", "1s", "--sweeper-failed-ttl", "1s", "--log-format", "json"]) { s in
            var kubectlErrors: [String] = []
            let applied = try await s.kubectl.run("apply", "-f", try s.kubectl.write("canary.yaml", Self.manifests(canary: canary, output: s.directory.path + "/out")))
            try #require(applied.succeeded, "\(applied.stderr)")
            kubectlErrors.append(applied.stderr)

            let ok = try await s.createSync(of: "sample-to-files")
            let missing = try await s.createSync(of: "missing-key-to-files")
            let failing = try await s.createSync(of: "failing-to-files")
            let done: Set<String> = ["Succeeded", "Failed", "Cancelled"]

            // The full Sync: both connectors got their configs with the canary in them.
            let succeeded = try await s.waitForPhase(ok, in: done, timeout: .seconds(90))
            try #require(succeeded["status"]["phase"] == "Succeeded", "\(succeeded.serialized())\n\(s.dev.log.suffix(4000))")
            // The attempt that succeeded moved all 50 users (a retried attempt, which a loaded
            // machine can cause, adds its own records to the Sync's totals).
            let lastAttempt = succeeded["status"]["attempts"].arrayValue?.last
            #expect(lastAttempt?["recordsCommitted"].intValue == 50, "\(succeeded["status"].serialized())")

            // A key the Secret lacks fails the Sync before it starts, naming the key only.
            let noKey = try await s.waitForPhase(missing, in: done, timeout: .seconds(60))
            #expect(noKey["status"]["phase"] == "Failed", "\(noKey.serialized())")
            #expect(noKey.condition("Failed")?["reason"] == "SecretKeyNotFound", "\(noKey.serialized())")
            #expect(noKey.condition("Failed")?["message"].stringValue?.contains("no-such-key") == true, "\(noKey.serialized())")

            // A config the connector rejects: its check fails, and so does its Sync's worker.
            let failed = try await s.waitForPhase(failing, in: done, timeout: .seconds(90))
            #expect(failed["status"]["phase"] == "Failed", "\(failed.serialized())")
            #expect(failed["status"]["attempts"].arrayValue?.count == 1, "\(failed.serialized())")
            try await s.waitFor("fsrc", "failing", "fail its check", timeout: .seconds(90)) { $0.condition("Ready")?["reason"] == "CheckFailed" }
            try await s.waitFor("fsrc", "missing-key", "report the missing key", timeout: .seconds(90)) { $0.condition("Ready")?["status"] == "False" }

            // kubectl's own errors about the Secret: creating it again, reading a missing key.
            let again = try await s.kubectl.run("create", "secret", "generic", "canary-credentials", "--from-literal=api_key=\(canary)")
            #expect(!again.succeeded)
            kubectlErrors.append(again.stderr)
            let described = try await s.kubectl.run("describe", "fsync", ok, failing, missing)
            #expect(described.succeeded, "\(described.stderr)")
            kubectlErrors.append(described.stderr)

            // The per-sync Secrets go with their pods (the sweeper's 1 s TTLs); only the
            // user's Secret holds the value then.
            let perSync = ["\(ok)-1-config", "\(failing)-1-config"]
            try await waitUntil(timeout: .seconds(60)) {
                for pod in ["\(ok)-1", "\(failing)-1"] {
                    if try await s.podExists(pod) { return false }
                }
                for secret in perSync {
                    if try await s.object("secret", secret) != nil { return false }
                }
                return true
            }
            // The probes' config Secrets go with their pods too.
            var holders: [String] = []
            do {
                try await waitUntil(timeout: .seconds(60)) {
                    let secrets = try await s.kubectl.run("get", "secrets", "-A", "-o", "json")
                    guard secrets.succeeded else { return false }
                    holders = (try JSONValue.parse(secrets.stdout)["items"].arrayValue ?? []).filter { secret in
                        (secret["data"].objectValue ?? [:]).values.contains { value in
                            value.stringValue.flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self).contains(canary) } ?? false
                        }
                    }.compactMap(\.name)
                    return holders == ["canary-credentials"]
                }
            } catch {
                Issue.record("Secrets holding the canary: \(holders)")
            }

            // Nowhere else: Events, every Ferry object, pod and ConfigMap (the committed
            // state lives in ConfigMaps), kubectl's errors, the operator's log.
            let events = try await s.kubectl.run("get", "events", "-A", "-o", "json")
            try #require(events.succeeded, "\(events.stderr)")
            #expect(!(try JSONValue.parse(events.stdout)["items"].arrayValue ?? []).isEmpty)
            #expect(!events.stdout.contains(canary), "an Event holds the canary")
            let objects = try await s.kubectl.run("get", "ferry,pods,configmaps", "-A", "-o", "json")
            try #require(objects.succeeded, "\(objects.stderr)")
            let items = try JSONValue.parse(objects.stdout)["items"].arrayValue ?? []
            #expect(items.contains { $0["kind"] == "Sync" } && items.contains { $0["kind"] == "ConfigMap" }, "\(items.compactMap(\.name))")
            for item in items {
                #expect(!item.serialized().contains(canary), "\(item["kind"].stringValue ?? "") \(item.name ?? "") holds the canary")
            }
            for error in kubectlErrors { #expect(!error.contains(canary), "kubectl error output holds the canary: \(error)") }
            let log = s.dev.log
            #expect(!log.contains(canary), "the dev log holds the canary")

            // The log is JSON lines, and the Sync reconciler's lines say which Sync.
            let lines = log.split(separator: "\n").filter { $0.hasPrefix("{") }.compactMap { try? JSONValue.parse(String($0)) }
            let syncLines = lines.filter { $0["logger"] == "ferry.sync" && $0["sync"].stringValue == ok }
            #expect(syncLines.contains { $0["phase"] == "Succeeded" && $0["connection"] == "sample-to-files" && $0["attempt"] == lastAttempt?["number"].intValue.map { .string(String($0)) } && $0["namespace"] == "default" },
                    "\(syncLines.map { $0.serialized() })")
            #expect(lines.allSatisfy { $0["time"].stringValue.flatMap(KubeTime.parse) != nil && $0["level"].stringValue != nil && $0["msg"].stringValue != nil })
        }
    }
}
