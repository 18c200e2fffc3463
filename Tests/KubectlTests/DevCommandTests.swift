/// `ferry dev` as a user runs it: one process with the API server, the local node and the
/// controllers; the real kubectl applies the examples, runs a pod and reads its logs.
import Foundation
import KubeCore
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
                         "--apply", examples + "/00-default-workerpool.yaml", "--example"]
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

        // `--example` is examples/01-sample-to-jsonl.yaml as it is in the repository, plus a
        // Sync of it that runs as a worker pod on the local node: the source, destination
        // and orchestrator containers are this binary's processes.
        let documents = try String(contentsOfFile: examples + "/01-sample-to-jsonl.yaml", encoding: .utf8).components(separatedBy: "\n---\n")
        #expect(documents.count == 3)
        for document in documents {
            let item = try JSONValue.parse(try await kubectl.run("create", "--dry-run=client", "-o", "json", "-f", "-", stdin: document).stdout)
            let kind = item["kind"].stringValue ?? "", name = item.name ?? ""
            let served = try JSONValue.parse(try await kubectl.run("get", kind.lowercased() + ".ferry.dev", name, "-o", "json").stdout)
            #expect(Self.contains(served["spec"], item["spec"]), "\(kind) \(name) differs from examples/01-sample-to-jsonl.yaml")
        }
        let done = try await kubectl.run("wait", "--for=jsonpath={.status.phase}=Succeeded", "fsync/sample-to-files-example", "--timeout=60s")
        let yaml = try await kubectl.run("get", "fsync", "sample-to-files-example", "-o", "yaml").stdout
        #expect(done.succeeded, "\(done.stderr) \(yaml)")
        let records = try await kubectl.run("get", "fsync", "sample-to-files-example", "-o", "jsonpath={.status.stats.recordsCommitted} {.status.attempts[0].podName}")
        #expect(records.stdout == "2000 sample-to-files-example-1")

        // SIGTERM stops everything; the process exits on its own.
        dev.terminate()
        try await waitUntil(timeout: .seconds(20)) { !dev.isRunning }
        #expect(dev.terminationStatus == 0, "\(readLog())")
    }

    /// Whether `served` holds everything `written` says (the server adds defaults).
    static func contains(_ served: JSONValue, _ written: JSONValue) -> Bool {
        switch (served, written) {
        case (.object(let a), .object(let b)): return b.allSatisfy { key, value in a[key].map { contains($0, value) } ?? false }
        case (.array(let a), .array(let b)): return a.count == b.count && zip(a, b).allSatisfy { contains($0, $1) }
        default: return served == written
        }
    }
}
