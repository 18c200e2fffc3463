/// A `ferry dev` process in a temporary directory with the real kubectl pointed at it, and
/// the Sync look-ups the end-to-end tests share.
import Foundation
import KubeCore
import KubeTestSupport
import Testing

struct DevSession {
    let directory: TestDirectory
    /// `--work-dir` of the dev process: pod directories live in `<workDirectory>/pods`.
    let workDirectory: String
    let dev: FerryProcess
    let kubectl: Kubectl

    /// Starts `ferry dev` with `extraArguments`, waits for ready, runs `body`, and always
    /// stops the process (SIGTERM stops every pod process it started) and removes the files.
    static func with<T>(_ extraArguments: [String] = [], _ body: (DevSession) async throws -> T) async throws -> T {
        let directory = try TestDirectory("ferry-e2e")
        defer { directory.remove() }
        let work = directory.path + "/work"
        let kubeconfig = directory.path + "/dev.kubeconfig"
        let dev = try FerryProcess("dev", ["dev", "--port", "0", "--kubeconfig", kubeconfig, "--work-dir", work] + extraArguments, in: directory.path)
        defer { dev.stop() }
        try await dev.waitReady()
        let kubectl = try Kubectl { try FileManager.default.copyItem(atPath: kubeconfig, toPath: $0) }
        defer { kubectl.cleanUp() }
        return try await body(DevSession(directory: directory, workDirectory: work, dev: dev, kubectl: kubectl))
    }

    /// `kubectl create -f` of a Sync of `connection` with generateName; returns its name.
    func createSync(of connection: String) async throws -> String {
        let file = try kubectl.write("sync-\(UUID().uuidString.prefix(6)).yaml", """
            apiVersion: ferry.dev/v1alpha1
            kind: Sync
            metadata: {generateName: \(connection)-}
            spec: {connectionRef: {name: \(connection)}}
            """)
        let created = try await kubectl.run("create", "-f", file, "-o", "name")
        guard created.succeeded, let name = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "/").last else {
            throw FerryProcessError("kubectl create of a Sync failed: \(created.stderr)\n\(dev.log)")
        }
        return String(name)
    }

    /// The object as JSON (`kind` as kubectl spells it), or nil when it does not exist.
    func object(_ kind: String, _ name: String) async throws -> JSONValue? {
        let got = try await kubectl.run("get", kind, name, "-o", "json")
        // Not a ternary: its `nil` would become JSONValue's null literal.
        guard got.succeeded else { return nil }
        return try JSONValue.parse(got.stdout)
    }

    /// The Sync as JSON, or nil when it does not exist.
    func sync(_ name: String) async throws -> JSONValue? { try await object("fsync", name) }

    /// Polls until the object satisfies `done` (calling `onPoll` each round); throws with
    /// the object and the dev log on timeout.
    @discardableResult
    func waitFor(_ kind: String, _ name: String, _ what: String, timeout: Duration = .seconds(60), onPoll: () -> Void = {},
                 until done: (JSONValue) -> Bool) async throws -> JSONValue {
        var last: JSONValue?
        do {
            try await waitUntil(timeout: timeout) {
                onPoll()
                last = try await object(kind, name)
                return last.map(done) ?? false
            }
        } catch {
            throw FerryProcessError("\(kind) \(name) did not \(what) within \(timeout); last: \(last?.serialized() ?? "none")\n--- dev log ---\n\(dev.log.suffix(6000))")
        }
        return last ?? .null
    }

    /// Polls until the Sync's phase is one of `phases`.
    @discardableResult
    func waitForPhase(_ name: String, in phases: Set<String>, timeout: Duration = .seconds(60), onPoll: () -> Void = {}) async throws -> JSONValue {
        try await waitFor("fsync", name, "reach \(phases.sorted())", timeout: timeout, onPoll: onPoll) {
            $0["status"]["phase"].stringValue.map(phases.contains) ?? false
        }
    }

    /// Whether the pod exists (kubectl get succeeds).
    func podExists(_ name: String) async throws -> Bool {
        let got = try await kubectl.run("get", "pod", name, "-o", "name")
        if got.succeeded { return true }
        #expect(got.stderr.contains("NotFound") || got.stderr.contains("not found"), "\(got.stderr)")
        return false
    }

    /// The pod directories of pod `name` on the dev node (one per UID).
    func podDirectories(_ name: String, namespace: String = "default") -> [String] {
        let pods = workDirectory + "/pods"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: pods)) ?? []
        return entries.filter { $0.hasPrefix("\(namespace)_\(name)_") }.map { "\(pods)/\($0)" }
    }
}

extension JSONValue {
    /// The condition of `type` in `status.conditions`.
    func condition(_ type: String) -> JSONValue? {
        (self["status"]["conditions"].arrayValue ?? []).first { $0["type"].stringValue == type }
    }
}
