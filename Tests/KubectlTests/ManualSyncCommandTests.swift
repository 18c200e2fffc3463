/// `ferry sync CONNECTION [-n NS] [--wait]` against `ferry dev`: the manual trigger a
/// user runs from a shell, with its output and exit codes.
import Foundation
import KubeCore
import KubeTestSupport
import Testing

@Suite(.serialized, .timeLimit(.minutes(4))) struct ManualSyncCommandTests {
    @Test func ferrySyncCreatesASyncOfTheConnectionAndWaitsForItsOutcome() async throws {
        try await DevSession.with { session in
            let kubectl = session.kubectl, dir = session.directory.path
            let manifests = try kubectl.write("manual.yaml", Fixtures.sampleToFiles(count: 40, output: dir + "/out") + """

                ---
                apiVersion: ferry.dev/v1alpha1
                kind: Connection
                metadata: {name: users}
                spec:
                  sourceRef: {name: sample}
                  destinationRef: {name: files}
                  streams:
                  - {name: users, syncMode: incremental, destinationSyncMode: append, cursorField: [updated_at]}
                """)
            let applied = try await kubectl.run("apply", "-f", manifests)
            #expect(applied.succeeded, "\(applied.stderr)")
            let environment = ["KUBECONFIG": kubectl.kubeconfig]

            let waited = try await runFerryCommand(["sync", "users", "-n", "default", "--wait", "--timeout", "120"], in: dir, environment: environment)
            #expect(waited.code == 0, "\(waited.stdout)\n\(waited.stderr)\n\(session.dev.log.suffix(3000))")
            let lines = waited.stdout.split(separator: "\n").map(String.init)
            let created = try #require(lines.first, "\(waited.stdout)")
            #expect(created.hasPrefix("sync.ferry.dev/users-manual-") && created.hasSuffix(" created"), "\(created)")
            let name = String(created.dropFirst("sync.ferry.dev/".count).dropLast(" created".count))
            #expect(lines.last?.hasPrefix("\(name) Succeeded") == true, "\(waited.stdout)")
            #expect(lines.last?.contains("40 committed") == true, "\(waited.stdout)")

            // A Sync like any other: owned by the Connection, manual, and it moved the records.
            let sync = try #require(try await session.sync(name))
            #expect(sync["spec"]["trigger"] == "manual")
            #expect(sync["metadata"]["ownerReferences"].arrayValue?.first?["name"] == "users")
            #expect(sync["status"]["stats"]["recordsCommitted"] == 40)

            // The state store holds the cursor of the last user; the source now has 15 more.
            let stored = try await kubectl.run("get", "configmap", "users-state", "-o", "jsonpath={.data.state\\.json}")
            #expect(stored.succeeded && stored.stdout.contains("updated_at"), "\(stored.stdout) \(stored.stderr)")
            let patched = try await kubectl.run("patch", "fsrc", "sample", "--type", "merge", "-p", #"{"spec":{"config":{"count":55}}}"#)
            #expect(patched.succeeded, "\(patched.stderr)")

            // Without --wait it returns once the Sync exists; that Sync is incremental.
            let again = try await runFerryCommand(["sync", "users"], in: dir, environment: environment)
            #expect(again.code == 0 && again.stdout.hasPrefix("sync.ferry.dev/users-manual-"), "\(again.stdout)\(again.stderr)")
            let second = again.stdout.trimmingCharacters(in: .whitespacesAndNewlines).dropFirst("sync.ferry.dev/".count).dropLast(" created".count)
            let finished = try await session.waitForPhase(String(second), in: ["Succeeded", "Failed"], timeout: .seconds(120))
            #expect(finished["status"]["phase"] == "Succeeded" && finished["status"]["stats"]["recordsEmitted"] == 15, "\(finished.serialized())")
            let written = try String(contentsOfFile: dir + "/out/users.jsonl", encoding: .utf8).split(separator: "\n")
            #expect(written.count == 55, "40 users, then only the 15 new ones")

            // `--refresh clear`: the destination alone, every stream overwritten with
            // nothing, and the state store reset.
            let cleared = try await runFerryCommand(["sync", "users", "--refresh", "clear", "--wait", "--timeout", "120"], in: dir, environment: environment)
            #expect(cleared.code == 0, "\(cleared.stdout)\n\(cleared.stderr)\n\(session.dev.log.suffix(3000))")
            let emptied = try String(contentsOfFile: dir + "/out/users.jsonl", encoding: .utf8)
            #expect(emptied.isEmpty, "users.jsonl after a clear: \(emptied.prefix(200))")
            let reset = try await kubectl.run("get", "configmap", "users-state", "-o", "jsonpath={.data}")
            #expect(reset.succeeded && !reset.stdout.contains("updated_at"), "\(reset.stdout) \(reset.stderr)")

            // A Connection that does not exist: exit 1, the name and namespace in the message.
            let missing = try await runFerryCommand(["sync", "nope", "-n", "default"], in: dir, environment: environment)
            #expect(missing.code == 1 && missing.stderr.contains("Connection nope not found in namespace default"), "\(missing.stderr)")
            // A bad flag value is refused before anything is created.
            let bad = try await runFerryCommand(["sync", "users", "--refresh", "sometimes"], in: dir, environment: environment)
            #expect(bad.code != 0 && bad.stderr.contains("--refresh must be none, refresh or clear"), "\(bad.stderr)")
        }
    }
}
