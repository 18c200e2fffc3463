/// The deployed shape as separate processes — `ferry apiserver`, `ferry node` and `ferry
/// operator` — with the operator killed (SIGKILL) while a Sync's worker pod runs: its
/// replacement finishes the Sync from the status and the pod, and no attempt ever gets a
/// second pod.
import Foundation
import KubeCore
import KubeTestSupport
import Testing

@Suite(.enabled(if: Kubectl.isInstalled), .timeLimit(.minutes(3))) struct OperatorRestartTests {
    static func startOperator(_ name: String, kubeconfig: String, in directory: String) throws -> FerryProcess {
        // No leader election (one replica at a time here) and no listeners, so parallel tests never clash on ports.
        try FerryProcess(name, ["operator", "--kubeconfig", kubeconfig, "--leader-elect=false",
                                "--metrics-bind-address", "0", "--health-probe-bind-address", "0"], in: directory)
    }

    /// `ferry apiserver` with the CRDs applied and Established, and `ferry node` (binding
    /// unassigned pods: there is no scheduler) running; `body` gets the kubectl, the
    /// kubeconfig path and the directory. Both processes are always stopped.
    static func withAPIServerAndNode<T>(runtime: String, _ body: (Kubectl, String, String, FerryProcess) async throws -> T) async throws -> T {
        try await withFerryAPIServer(directoryPrefix: "ferry-e2e-processes") { kubectl, kubeconfig, directory in
            // The test's PATH has no `ferry`: the node must run worker pods' `ferry` as itself.
            let node = try FerryProcess("node", ["node", "--kubeconfig", kubeconfig, "--name", "n1", "--runtime", runtime, "--schedule-unassigned",
                                                 "--work-dir", directory + "/node"], in: directory)
            defer { node.stop() }
            try await waitUntil(timeout: .seconds(30)) { try await kubectl.run("get", "node", "n1").succeeded || !node.isRunning }
            try #require(node.isRunning, "\(node.log)")
            return try await body(kubectl, kubeconfig, directory, node)
        }
    }

    @Test func theExamplesRunOnSeparateAPIServerNodeAndOperatorProcesses() async throws {
        try await Self.withAPIServerAndNode(runtime: "local") { kubectl, kubeconfig, directory, node in
            let op = try Self.startOperator("operator", kubeconfig: kubeconfig, in: directory)
            defer { op.stop() }
            var r = try await kubectl.run("apply", "-f", examplesDirectory + "/00-default-workerpool.yaml", "-f", examplesDirectory + "/01-sample-to-jsonl.yaml")
            try #require(r.succeeded, "\(r.stderr)")
            r = try await kubectl.run("create", "-f", try kubectl.write("sync.yaml", """
                apiVersion: ferry.dev/v1alpha1
                kind: Sync
                metadata: {name: first}
                spec: {connectionRef: {name: sample-to-files}}
                """))
            try #require(r.succeeded, "\(r.stderr)")
            var sync: JSONValue = .null
            do {
                try await waitUntil(timeout: .seconds(60)) {
                    sync = (try? JSONValue.parse(try await kubectl.run("get", "fsync", "first", "-o", "json").stdout)) ?? .null
                    return ["Succeeded", "Failed", "Cancelled"].contains(sync["status"]["phase"].stringValue ?? "")
                }
            } catch {
                Issue.record("\(sync.serialized())\n--- operator ---\n\(op.log.suffix(3000))\n--- node ---\n\(node.log.suffix(3000))")
                throw error
            }
            #expect(sync["status"]["phase"] == "Succeeded", "\(sync.serialized())")
            #expect(sync["status"]["stats"]["recordsCommitted"].intValue == 2000, "\(sync.serialized())")
        }
    }

    @Test func anOperatorKilledMidSyncIsReplacedAndTheSyncSucceedsWithOnePod() async throws {
        try await Self.withAPIServerAndNode(runtime: "simulated") { kubectl, kubeconfig, directory, node in
            let firstOperator = try Self.startOperator("operator-1", kubeconfig: kubeconfig, in: directory)
            defer { firstOperator.stop() }

            let manifests = try kubectl.write("manifests.yaml", """
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
                  config: {count: 10}
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
                metadata: {name: slow}
                spec:
                  sourceRef: {name: sample}
                  destinationRef: {name: files}
                  streams: [{name: users, syncMode: full_refresh, destinationSyncMode: overwrite}]
                  podTemplate:
                    annotations: {ferry.dev/simulate-duration-seconds: "10"}
                """)
            var r = try await kubectl.run("apply", "-f", manifests)
            try #require(r.succeeded, "\(r.stderr)")

            // Every worker pod event from now on: name and UID (not the Source's and
            // Destination's probe pods, which come and go on their own).
            let watch = try kubectl.start("get", "pods", "-w", "-l", "!ferry.dev/probe", "-o", #"jsonpath={.metadata.name} {.metadata.uid}{"\n"}"#)
            defer { watch.stop() }

            r = try await kubectl.run("create", "-f", try kubectl.write("sync.yaml", """
                apiVersion: ferry.dev/v1alpha1
                kind: Sync
                metadata: {name: restart}
                spec: {connectionRef: {name: slow}}
                """))
            try #require(r.succeeded, "\(r.stderr)")
            do {
                try await waitUntil(timeout: .seconds(40)) {
                    try await kubectl.run("get", "pod", "restart-1", "-o", "jsonpath={.status.phase}").stdout == "Running"
                }
            } catch {
                Issue.record("the worker pod did not run:\n\(firstOperator.log.suffix(4000))\n--- node ---\n\(node.log.suffix(3000))")
                throw error
            }
            let uid = try await kubectl.run("get", "pod", "restart-1", "-o", "jsonpath={.metadata.uid}").stdout
            #expect(!uid.isEmpty)

            // The operator dies without a chance to clean up; a new one takes over.
            firstOperator.kill()
            #expect(!firstOperator.isRunning)
            let secondOperator = try Self.startOperator("operator-2", kubeconfig: kubeconfig, in: directory)
            defer { secondOperator.stop() }

            var sync: JSONValue = .null
            do {
                try await waitUntil(timeout: .seconds(60)) {
                    let got = try await kubectl.run("get", "fsync", "restart", "-o", "json")
                    sync = (try? JSONValue.parse(got.stdout)) ?? .null
                    return ["Succeeded", "Failed", "Cancelled"].contains(sync["status"]["phase"].stringValue ?? "")
                }
            } catch {
                Issue.record("\(sync.serialized())\n--- operator-2 ---\n\(secondOperator.log.suffix(4000))")
                throw error
            }
            #expect(sync["status"]["phase"] == "Succeeded", "\(sync.serialized())\n\(secondOperator.log.suffix(4000))")
            let attempts = sync["status"]["attempts"].arrayValue ?? []
            #expect(attempts.count == 1, "\(sync.serialized())")
            #expect(attempts.first?["podName"] == "restart-1")
            #expect(attempts.first?["phase"] == "Succeeded")

            // One pod, one UID, throughout (the Succeeded pod stays: the sweeper keeps it 10 min).
            let pods = try await kubectl.run("get", "pods", "-l", "!ferry.dev/probe", "-o", "name")
            #expect(pods.stdout == "pod/restart-1\n", "\(pods.stdout)")
            #expect(try await kubectl.run("get", "pod", "restart-1", "-o", "jsonpath={.metadata.uid}").stdout == uid)
            try await waitUntil(timeout: .seconds(10)) { watch.text.contains("restart-1") }
            watch.stop()
            let seen = Set(watch.text.split(separator: "\n").map(String.init))
            #expect(seen == ["restart-1 \(uid)"], "pod events: \(watch.text)")
        }
    }
}
