/// The CRDs and examples against the embedded API server, driven by the real kubectl:
/// every CRD becomes Established, `kubectl apply -f crds/ -f examples/` succeeds, the
/// `ferry` category lists everything, explain shows the descriptions, defaults and CEL
/// transition rules apply, and the WorkerPool scale subresource works.
import FerryAPI
import Foundation
import KubeAPIServer
import KubeCore
import KubeTestSupport
import Testing

@Suite("CRDs on the embedded API server", .serialized)
struct ServerTests {
    @Test func applyCRDsAndExamplesWithKubectl() async throws {
        try #require(Kubectl.isInstalled, "kubectl must be on PATH")
        try await withAPIServer { server in
            let kubectl = try Kubectl(server: server)
            defer { kubectl.cleanUp() }
            let crds = Repository.crds.path
            let examples = Repository.examples.path

            var r = try await kubectl.run("apply", "-f", crds)
            #expect(r.succeeded, "\(r.stderr)")
            // As examples/README.md says: wait until every CRD is served.
            r = try await kubectl.run("wait", "--for=condition=Established", "-f", crds, "--timeout=20s")
            #expect(r.succeeded, "\(r.stderr)")
            #expect(r.stdout.components(separatedBy: "condition met").count - 1 == FerryAPI.kinds.count, "\(r.stdout)")

            // The command from the README, in one go (the CRDs are now unchanged).
            r = try await kubectl.run("apply", "-f", crds, "-f", examples)
            #expect(r.succeeded, "\(r.stderr)")
            #expect(r.stdout.contains("connection.ferry.dev/faker-to-warehouse created"), "\(r.stdout)")

            // The category lists every kind with its columns.
            r = try await kubectl.run("get", "ferry")
            #expect(r.succeeded, "\(r.stderr)")
            for object in ["source.ferry.dev/sample", "source.ferry.dev/faker", "destination.ferry.dev/local-files", "destination.ferry.dev/warehouse",
                           "connection.ferry.dev/sample-to-files", "connection.ferry.dev/nightly-faker", "workerpool.ferry.dev/default", "workerpool.ferry.dev/batch"] {
                #expect(r.stdout.contains(object), "\(object) missing from:\n\(r.stdout)")
            }
            r = try await kubectl.run("get", "fconn")
            let header = r.stdout.split(separator: "\n").first.map { $0.split(separator: " ", omittingEmptySubsequences: true) } ?? []
            #expect(header.starts(with: ["NAME", "SOURCE", "DESTINATION", "CRON", "READY", "LAST", "SYNC"]), "\(r.stdout)")
            #expect(r.stdout.contains("30 2 * * *"))

            // explain prints the schema's descriptions.
            r = try await kubectl.run("explain", "connection.spec.schedule")
            #expect(r.succeeded, "\(r.stderr)")
            #expect(r.stdout.contains("exactly one of cron or every"), "\(r.stdout)")
            #expect(r.stdout.contains("IANA time zone"), "\(r.stdout)")
            #expect(r.stdout.contains("Quartz"), "\(r.stdout)")

            // Defaults from the schema are filled in by the server.
            r = try await kubectl.run("get", "connection", "sample-to-files", "-o", "json")
            let connection = try JSONValue.parse(r.stdout)
            #expect(connection[path: ["spec", "retry", "maxSuccessiveFailures"]] == 5)
            #expect(connection[path: ["spec", "retry", "backoff", "maxSeconds"]] == 1800)
            #expect(connection[path: ["spec", "timeouts", "attempt"]] == "72h")
            #expect(connection[path: ["spec", "concurrencyPolicy"]] == "Forbid")
            #expect(connection[path: ["spec", "workerPool"]] == "default")
            #expect(connection[path: ["spec", "history", "failed"]] == 3)
            r = try await kubectl.run("get", "connection", "nightly-faker", "-o", "json")
            #expect(try JSONValue.parse(r.stdout)[path: ["spec", "schedule", "timeZone"]] == "Europe/Berlin")

            // The scale subresource drives spec.workers.
            r = try await kubectl.run("scale", "fpool", "default", "--replicas=5")
            #expect(r.succeeded, "\(r.stderr)")
            r = try await kubectl.run("get", "fpool", "default", "-o", "jsonpath={.spec.workers}")
            #expect(r.stdout == "5")

            // A Sync's spec is immutable except cancel, which cannot be undone.
            let sync = try kubectl.write("sync.yaml", """
                apiVersion: ferry.dev/v1alpha1
                kind: Sync
                metadata: {name: manual-1}
                spec: {connectionRef: {name: sample-to-files}}
                """)
            r = try await kubectl.run("create", "-f", sync)
            #expect(r.succeeded, "\(r.stderr)")
            r = try await kubectl.run("patch", "fsync", "manual-1", "--type=merge", "-p", #"{"spec":{"connectionRef":{"name":"other"}}}"#)
            #expect(!r.succeeded)
            #expect(r.stderr.contains("connectionRef is immutable"), "\(r.stderr)")
            r = try await kubectl.run("patch", "fsync", "manual-1", "--type=merge", "-p", #"{"spec":{"cancel":true}}"#)
            #expect(r.succeeded, "\(r.stderr)")
            r = try await kubectl.run("patch", "fsync", "manual-1", "--type=merge", "-p", #"{"spec":{"cancel":false}}"#)
            #expect(!r.succeeded)
            #expect(r.stderr.contains("cancel cannot be unset once true"), "\(r.stderr)")
            r = try await kubectl.run("get", "fsync")
            #expect(r.stdout.split(separator: "\n").first?.split(separator: " ", omittingEmptySubsequences: true) == ["NAME", "CONNECTION", "PHASE", "RECORDS", "DURATION", "AGE"], "\(r.stdout)")
        }
    }
}
