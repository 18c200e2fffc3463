/// `ferry dev` as a user runs it: one process with the API server, the local node and the
/// controllers; the real kubectl applies the examples, runs a pod and reads its logs.
import Foundation
import KubeTestSupport
import Testing

@Suite(.enabled(if: Kubectl.isInstalled), .timeLimit(.minutes(2))) struct DevCommandTests {
    @Test func devServesKubectlRunsPodsAndStopsCleanly() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-dev-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../examples").standardizedFileURL.path
        let logPath = dir + "/dev.log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let dev = Process()
        dev.executableURL = URL(fileURLWithPath: ExternalResources.ferryBinary)
        dev.arguments = ["dev", "--port", "0", "--kubeconfig", dir + "/dev.kubeconfig",
                         "--example", examples + "/00-default-workerpool.yaml", "--example", examples + "/01-sample-to-jsonl.yaml"]
        dev.currentDirectoryURL = URL(fileURLWithPath: dir)
        dev.standardOutput = log
        dev.standardError = log
        try dev.run()
        defer { if dev.isRunning { dev.interrupt(); dev.waitUntilExit() } }
        let readLog = { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
        try await waitUntil(timeout: .seconds(30)) { readLog().contains("ready") || !dev.isRunning }
        #expect(readLog().contains("ferry dev ready at https://127.0.0.1:"), "\(readLog())")

        let kubectl = try Kubectl { try FileManager.default.copyItem(atPath: dir + "/dev.kubeconfig", toPath: $0) }
        defer { kubectl.cleanUp() }
        // The CRDs are installed and the examples applied before `ready`.
        let list = try await kubectl.run("get", "fconn,fsrc,fdst,fpool", "-o", "name")
        #expect(list.stdout.split(separator: "\n").sorted() == [
            "connection.ferry.dev/sample-to-files", "destination.ferry.dev/local-files", "source.ferry.dev/sample", "workerpool.ferry.dev/default",
        ], "\(list.stderr)")
        #expect(try await kubectl.run("get", "node", "ferry-dev", "-o", "name").stdout == "node/ferry-dev\n")

        // A pod with no node runs on the local node; kubectl logs reads its output.
        let pod = try kubectl.write("pod.yaml", """
            apiVersion: v1
            kind: Pod
            metadata: {name: hello}
            spec:
              restartPolicy: Never
              containers:
              - {name: main, image: busybox, command: [sh, -c, "echo hello from the local node"]}
            """)
        #expect(try await kubectl.run("apply", "-f", pod).succeeded)
        let wait = try await kubectl.run("wait", "--for=jsonpath={.status.phase}=Succeeded", "pod/hello", "--timeout=30s")
        #expect(wait.succeeded, "\(wait.stderr)")
        #expect(try await kubectl.run("logs", "hello").stdout == "hello from the local node\n")

        // A Sync of the sample connection runs as a worker pod on the local node: the
        // source, destination and orchestrator containers are this binary's processes.
        let sync = try kubectl.write("sync.yaml", """
            apiVersion: ferry.dev/v1alpha1
            kind: Sync
            metadata: {name: first}
            spec: {connectionRef: {name: sample-to-files}}
            """)
        #expect(try await kubectl.run("create", "-f", sync).succeeded)
        let done = try await kubectl.run("wait", "--for=jsonpath={.status.phase}=Succeeded", "fsync/first", "--timeout=60s")
        let yaml = try await kubectl.run("get", "fsync", "first", "-o", "yaml").stdout
        #expect(done.succeeded, "\(done.stderr) \(yaml)")
        let records = try await kubectl.run("get", "fsync", "first", "-o", "jsonpath={.status.stats.recordsCommitted} {.status.attempts[0].podName}")
        #expect(records.stdout == "2000 first-1")

        // SIGTERM stops everything; the process exits on its own.
        dev.terminate()
        try await waitUntil(timeout: .seconds(20)) { !dev.isRunning }
        #expect(dev.terminationStatus == 0, "\(readLog())")
    }
}
