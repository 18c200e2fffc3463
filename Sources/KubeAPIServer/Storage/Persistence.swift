/// Write-through persistence for `dataDirectory`: the whole state is snapshotted to
/// `state.json` (written atomically, debounced) and reloaded on start, so objects survive a
/// restart and resourceVersions keep rising. Watch history does not survive: older RVs get 410.
import Foundation
import KubeCore

enum Persistence {
    static let fileName = "state.json"

    static func snapshot(_ s: ClusterState) -> JSONValue {
        var items: [JSONValue] = []
        for (storageKey, byKey) in s.objects.sorted(by: { $0.key < $1.key }) {
            for (_, object) in byKey.sorted(by: { $0.key < $1.key }) {
                items.append(["storageKey": .string(storageKey), "object": object])
            }
        }
        return ["resourceVersion": .string(String(s.resourceVersion)), "objects": .array(items)]
    }

    static func write(_ snapshot: JSONValue, directory: String) throws {
        let url = URL(fileURLWithPath: directory).appendingPathComponent(fileName)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(snapshot.serializedBytes()).write(to: url, options: .atomic)
        } catch {
            throw APIServerError(message: "persisting API server state to \(url.path): \(error)")
        }
    }

    /// Restores a snapshot into a fresh state; false when there is none.
    static func load(into s: inout ClusterState, directory: String) throws -> Bool {
        let url = URL(fileURLWithPath: directory).appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return false }
        let snapshot: JSONValue
        do {
            snapshot = try JSONValue.parse(Array(try Data(contentsOf: url)))
        } catch {
            throw APIServerError(message: "reading persisted API server state from \(url.path): \(error)")
        }
        guard let rvText = snapshot["resourceVersion"].stringValue, let rv = Int64(rvText) else {
            throw APIServerError(message: "reading persisted API server state from \(url.path): no resourceVersion")
        }
        for item in snapshot["objects"].arrayValue ?? [] {
            guard let storageKey = item["storageKey"].stringValue else { continue }
            s.restore(storageKey, item["object"])
            if storageKey == ResourceType.customResourceDefinition.storageKeyPath, let name = item["object"].name,
               case .success(let resources) = CRDServing.resources(for: item["object"]) {
                s.registry.setCRD(name, resources: resources)
            }
        }
        s.resourceVersion = rv
        s.compactedRV = rv
        s.dirty = false
        return true
    }

    /// The files that keep credentials stable across restarts.
    static func readText(_ directory: String, _ name: String) throws -> String? {
        let path = URL(fileURLWithPath: directory).appendingPathComponent(name).path
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw APIServerError(message: "reading \(path): \(error)")
        }
    }

    static func writeText(_ text: String, _ directory: String, _ name: String) throws {
        let url = URL(fileURLWithPath: directory).appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url, options: .atomic)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: url.path)
        } catch {
            throw APIServerError(message: "writing \(url.path): \(error)")
        }
    }
}
