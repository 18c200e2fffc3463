/// Syncs end to end on `ferry dev`, driven by the real kubectl: the examples run to
/// Succeeded with their records in the JSON-lines files and the worker pod swept after its
/// TTL; a connector that cannot start fails the Sync after the retry policy gives up; a
/// deleted or cancelled Sync leaves no pod and no process behind.
import Foundation
import KubeCore
import KubeTestSupport
import Testing

@Suite(.enabled(if: Kubectl.isInstalled), .timeLimit(.minutes(3))) struct DevSyncTests {
    @Test func examplesRunToSucceededAndThePodIsSweptAfterItsTTL() async throws {
        try await DevSession.with(["--sweeper-succeeded-ttl", "3s"]) { s in
            let applied = try await s.kubectl.run("apply", "-f", examplesDirectory + "/00-default-workerpool.yaml", "-f", examplesDirectory + "/01-sample-to-jsonl.yaml")
            #expect(applied.succeeded, "\(applied.stderr)")
            #expect(applied.stdout.contains("connection.ferry.dev/sample-to-files created"), "\(applied.stdout)")
            let name = try await s.createSync(of: "sample-to-files")
            let podName = "\(name)-1"

            // The destination writes `sample-output/` under its container's working
            // directory, which lives in the pod's directory and goes with the pod: keep hard
            // links to the files (written in place, O_APPEND or O_TRUNC) while they exist.
            let kept = s.directory.path + "/kept"
            try FileManager.default.createDirectory(atPath: kept, withIntermediateDirectories: true)
            let keep = {
                for podDir in s.podDirectories(podName) {
                    let output = podDir + "/containers/destination/sample-output"
                    for file in (try? FileManager.default.contentsOfDirectory(atPath: output)) ?? [] where file.hasSuffix(".jsonl") {
                        if !FileManager.default.fileExists(atPath: "\(kept)/\(file)") { try? FileManager.default.linkItem(atPath: "\(output)/\(file)", toPath: "\(kept)/\(file)") }
                    }
                }
            }
            let sync = try await s.waitForPhase(name, in: ["Succeeded", "Failed", "Cancelled"], onPoll: keep)
            try #require(sync["status"]["phase"] == "Succeeded", "\(sync.serialized())")
            #expect(sync["status"]["attempts"].arrayValue?.count == 1)
            #expect(sync["status"]["attempts"].arrayValue?.first?["podName"].stringValue == podName)
            #expect(sync.condition("Complete")?["status"] == "True")
            #expect(sync.condition("Complete")?["message"].stringValue?.hasPrefix("2000 records committed") == true, "\(sync.serialized())")

            // The stats count what the files hold: 1000 users and 1000 products.
            let committed = sync["status"]["stats"]["recordsCommitted"].intValue
            #expect(committed == 2000, "\(sync["status"]["stats"].serialized())")
            #expect(sync["status"]["stats"]["recordsEmitted"].intValue == 2000)
            let printed = try await s.kubectl.run("get", "fsync", name, "-o", "jsonpath={.status.stats.recordsCommitted}")
            #expect(printed.stdout == "2000")
            let files = (try? FileManager.default.contentsOfDirectory(atPath: kept))?.sorted() ?? []
            #expect(files == ["products.jsonl", "users.jsonl"], "no output kept; pod dirs: \(s.podDirectories(podName))")
            var lines = 0
            for file in files {
                let text = try String(contentsOfFile: "\(kept)/\(file)", encoding: .utf8)
                let records = text.split(separator: "\n")
                #expect(records.count == 1000, "\(file)")
                #expect(records.allSatisfy { (try? JSONValue.parse(String($0)))?["id"].intValue != nil }, "\(file) holds a line that is not a record")
                lines += records.count
            }
            #expect(Int64(lines) == committed)

            // The sweeper deletes the Succeeded pod once its 3 s TTL has passed — not before.
            let finished = try await s.kubectl.run("get", "pod", podName, "-o", "jsonpath={.status.containerStatuses[*].state.terminated.finishedAt}")
            let finishedAt = finished.stdout.split(separator: " ").compactMap { KubeTime.parse(String($0)) }.max()
            try await waitUntil(timeout: .seconds(30)) { try await !s.podExists(podName) }
            let goneAt = Date()
            if let finishedAt {
                // Timestamps have whole seconds: allow one second of rounding.
                #expect(goneAt.timeIntervalSince(finishedAt) >= 2, "the pod went \(goneAt.timeIntervalSince(finishedAt))s after it finished")
            }
            try await waitUntil(timeout: .seconds(20)) { s.podDirectories(podName).isEmpty }
            // The Sync stays, Succeeded.
            #expect(try await s.sync(name)?["status"]["phase"] == "Succeeded")
        }
    }

    @Test func aSourceCommandThatDoesNotExistFailsTheSyncAfterTheRetries() async throws {
        try await DevSession.with { s in
            let out = s.directory.path + "/out"
            let manifests = try s.kubectl.write("broken.yaml", """
                apiVersion: ferry.dev/v1alpha1
                kind: WorkerPool
                metadata: {name: default}
                spec: {workers: 2}
                ---
                apiVersion: ferry.dev/v1alpha1
                kind: Source
                metadata: {name: broken}
                spec:
                  image: ferry:latest
                  command: [no-such-command-xyz]
                  config: {}
                ---
                apiVersion: ferry.dev/v1alpha1
                kind: Destination
                metadata: {name: files}
                spec:
                  image: ferry:latest
                  command: [ferry, connector, destination-jsonl]
                  config: {destination_path: "\(out)"}
                ---
                apiVersion: ferry.dev/v1alpha1
                kind: Connection
                metadata: {name: broken-to-files}
                spec:
                  sourceRef: {name: broken}
                  destinationRef: {name: files}
                  streams: [{name: users, syncMode: full_refresh, destinationSyncMode: overwrite}]
                  retry:
                    maxSuccessiveFailures: 2
                    backoff: {initialSeconds: 1, factor: 1, maxSeconds: 1}
                """)
            let applied = try await s.kubectl.run("apply", "-f", manifests)
            #expect(applied.succeeded, "\(applied.stderr)")
            let name = try await s.createSync(of: "broken-to-files")
            let sync = try await s.waitForPhase(name, in: ["Succeeded", "Failed", "Cancelled"])

            #expect(sync["status"]["phase"] == "Failed", "\(sync.serialized())")
            let attempts = sync["status"]["attempts"].arrayValue ?? []
            #expect(attempts.map { $0["podName"].stringValue ?? "" } == ["\(name)-1", "\(name)-2"], "\(sync.serialized())")
            for attempt in attempts {
                #expect(attempt["phase"] == "Failed")
                #expect(attempt["reason"] == "ContainerFailed", "\(attempt.serialized())")
                // The shell's own words about the missing command end the source's log.
                let message = attempt["message"].stringValue ?? ""
                #expect(message.hasPrefix("container source exited with code 127: "), "\(message)")
                #expect(message.contains("no-such-command-xyz"), "\(message)")
                #expect(attempt["recordsCommitted"].intValue == 0)
            }
            let failed = try #require(sync.condition("Failed"), "\(sync.serialized())")
            #expect(failed["status"] == "True")
            #expect(failed["reason"] == "MaxSuccessiveFailures")
            let message = failed["message"].stringValue ?? ""
            #expect(message.hasPrefix("attempt 2 failed (ContainerFailed): container source exited with code 127"), "\(message)")
            #expect(message.hasSuffix("2 attempts in a row committed nothing (retry.maxSuccessiveFailures is 2)"), "\(message)")
            #expect(sync["status"]["stats"]["recordsCommitted"].intValue == 0)
            // The printer columns say so too.
            let row = try await s.kubectl.run("get", "fsync", name, "--no-headers")
            #expect(row.stdout.split(separator: " ", omittingEmptySubsequences: true).dropFirst().prefix(2) == ["broken-to-files", "Failed"], "\(row.stdout)")
        }
    }

    /// A Source that stays silent for minutes when it reads, so its Sync is Running until
    /// stopped (its `check`, run by the Source controller, ends at once); the sleep's
    /// duration is unique, to find its processes.
    static func slowSourceManifests(marker: String) -> String {
        """
        apiVersion: ferry.dev/v1alpha1
        kind: WorkerPool
        metadata: {name: default}
        spec: {workers: 2}
        ---
        apiVersion: ferry.dev/v1alpha1
        kind: Source
        metadata: {name: silent}
        spec:
          image: ferry:latest
          command: [sh, -c, 'case "$1" in read) sleep \(marker);; esac', silent-source]
          config: {}
        ---
        apiVersion: ferry.dev/v1alpha1
        kind: Destination
        metadata: {name: files}
        spec:
          image: ferry:latest
          command: [ferry, connector, destination-jsonl]
          config: {destination_path: out}
        ---
        apiVersion: ferry.dev/v1alpha1
        kind: Connection
        metadata: {name: silent-to-files}
        spec:
          sourceRef: {name: silent}
          destinationRef: {name: files}
          streams: [{name: users, syncMode: full_refresh, destinationSyncMode: overwrite}]
        """
    }

    /// Starts a Sync of the silent source and waits until it is Running with its processes
    /// up; returns the Sync's name and its pod directory.
    static func startSilentSync(_ s: DevSession, marker: String) async throws -> (name: String, podDirectory: String) {
        let applied = try await s.kubectl.run("apply", "-f", try s.kubectl.write("silent.yaml", slowSourceManifests(marker: marker)))
        #expect(applied.succeeded, "\(applied.stderr)")
        let name = try await s.createSync(of: "silent-to-files")
        try await s.waitForPhase(name, in: ["Running", "Succeeded", "Failed", "Cancelled"])
        #expect(try await s.sync(name)?["status"]["phase"] == "Running")
        // The source's sleep runs, and the wrappers and the relay (their argv holds the pod's
        // directory, where the pipes are).
        try await waitUntil(timeout: .seconds(20)) { !processes(matching: "sleep \(marker)").isEmpty }
        let podDirectory = try #require(s.podDirectories("\(name)-1").first)
        #expect(processes(matching: podDirectory).count >= 3, "\(processes(matching: podDirectory))")
        return (name, podDirectory)
    }

    @Test func deletingARunningSyncStopsItsPodAndEveryProcess() async throws {
        try await DevSession.with { s in
            let marker = "3\(Int.random(in: 100...999)).\(Int.random(in: 100_000...999_999))"
            let (name, podDirectory) = try await Self.startSilentSync(s, marker: marker)

            let deleted = try await s.kubectl.run("delete", "fsync", name)
            #expect(deleted.succeeded, "\(deleted.stderr)")
            let remaining = try await s.sync(name)
            #expect(remaining == nil, "kubectl delete returned (\(deleted.stdout)) but the Sync is still there: \(remaining?.serialized() ?? "")")
            // Garbage collection (the pod's owner is the Sync) or the sweeper removes the pod;
            // the node stops its processes and removes its directory.
            do {
                try await waitUntil(timeout: .seconds(40)) {
                    try await !s.podExists("\(name)-1") && processes(matching: "sleep \(marker)").isEmpty
                        && processes(matching: podDirectory).isEmpty && !FileManager.default.fileExists(atPath: podDirectory)
                }
            } catch {
                let podLeft = try await s.podExists("\(name)-1")
                Issue.record("left behind: pod exists \(podLeft), processes \(processes(matching: marker)) \(processes(matching: podDirectory)), directory \(FileManager.default.fileExists(atPath: podDirectory))\n\(s.dev.log.suffix(4000))")
            }
            // Its per-attempt Secret goes too.
            let secrets = try await s.kubectl.run("get", "secrets", "-o", "name")
            #expect(!secrets.stdout.contains(name), "\(secrets.stdout)")
        }
    }

    @Test func cancellingARunningSyncStopsItsPodAndEveryProcess() async throws {
        try await DevSession.with { s in
            let marker = "4\(Int.random(in: 100...999)).\(Int.random(in: 100_000...999_999))"
            let (name, podDirectory) = try await Self.startSilentSync(s, marker: marker)

            let patched = try await s.kubectl.run("patch", "fsync", name, "--type=merge", "-p", #"{"spec":{"cancel":true}}"#)
            #expect(patched.succeeded, "\(patched.stderr)")
            let sync = try await s.waitForPhase(name, in: ["Succeeded", "Failed", "Cancelled"])
            #expect(sync["status"]["phase"] == "Cancelled", "\(sync.serialized())")
            let failed = sync.condition("Failed")
            #expect(failed?["status"] == "True")
            #expect(failed?["reason"] == "Cancelled")
            #expect(failed?["message"] == "the Sync was cancelled (spec.cancel); attempt 1 stopped")
            #expect(sync["status"]["attempts"].arrayValue?.first?["phase"] == "Cancelled")
            do {
                try await waitUntil(timeout: .seconds(40)) {
                    try await !s.podExists("\(name)-1") && processes(matching: "sleep \(marker)").isEmpty
                        && processes(matching: podDirectory).isEmpty && !FileManager.default.fileExists(atPath: podDirectory)
                }
            } catch {
                let podLeft = try await s.podExists("\(name)-1")
                Issue.record("left behind: pod exists \(podLeft), processes \(processes(matching: marker)) \(processes(matching: podDirectory)), directory \(FileManager.default.fileExists(atPath: podDirectory))\n\(s.dev.log.suffix(4000))")
            }
        }
    }
}
