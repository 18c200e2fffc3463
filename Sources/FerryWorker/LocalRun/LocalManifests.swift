/// The objects `ferry run` reads from manifest files: Sources, Destinations, Connections
/// and v1 Secrets, validated as `ferry validate` validates them.
import FerryAPI
import Foundation
import KubeCore

/// A manifest's namespace/name; objects without a namespace are in `default`, as kubectl
/// puts them (unlike the controller runtime's `ObjectKey`, where nil means cluster-scoped).
public struct ManifestKey: Sendable, Hashable, CustomStringConvertible {
    public var namespace: String
    public var name: String
    public init(namespace: String?, name: String) {
        self.namespace = namespace ?? "default"
        self.name = name
    }
    public var description: String { "\(namespace)/\(name)" }
}

public struct LocalManifests: Sendable {
    public var sources: [ManifestKey: Source] = [:]
    public var destinations: [ManifestKey: Destination] = [:]
    public var connections: [ManifestKey: Connection] = [:]
    /// Each Secret's keys and decoded values (`stringData` over `data`, as the API server merges them).
    public var secrets: [ManifestKey: [String: String]] = [:]

    public init() {}

    /// Reads files, and the `.yaml`, `.yml` and `.json` files of directories (not recursively,
    /// as `kubectl apply -f DIR`), in name order.
    public static func load(paths: [String]) throws(LocalRunError) -> LocalManifests {
        var files: [(name: String, text: String)] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw .badInput("\(path): no such file or directory")
            }
            var names = [path]
            if isDirectory.boolValue {
                let entries: [String]
                do { entries = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
                    throw .badInput("reading directory \(path): \(error.localizedDescription)")
                }
                names = entries.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") || $0.hasSuffix(".json") }.sorted()
                    .map { (path as NSString).appendingPathComponent($0) }
                if names.isEmpty { throw .badInput("\(path): no .yaml, .yml or .json files") }
            }
            for name in names {
                guard let data = FileManager.default.contents(atPath: name), let text = String(data: data, encoding: .utf8) else {
                    throw .badInput("\(name): cannot read the file as UTF-8 text")
                }
                files.append((name, text))
            }
        }
        let problems = ManifestValidator.validate(files: files)
        if let first = problems.first {
            throw .badInput(first.description + (problems.count > 1 ? " (and \(problems.count - 1) more problems; see ferry validate)" : ""))
        }
        var manifests = LocalManifests()
        for file in files {
            for document in YAMLDocuments.parse(file.text) {
                // The validator has reported every document that failed to parse.
                guard case .success(let value) = document.result else { continue }
                let objects = value["kind"] == "List" ? value["items"].arrayValue ?? [] : [value]
                for object in objects { try manifests.add(object, file: file.name) }
            }
        }
        return manifests
    }

    mutating func add(_ object: JSONValue, file: String) throws(LocalRunError) {
        let kind = object["kind"].stringValue ?? ""
        let apiVersion = object["apiVersion"].stringValue ?? ""
        guard let name = object.name else { return }
        let key = ManifestKey(namespace: object["metadata"]["namespace"].stringValue, name: name)
        func decode<T: Decodable>(_ type: T.Type) throws(LocalRunError) -> T {
            do { return try object.decode(T.self) } catch { throw .badInput("\(file): \(kind)/\(name): cannot decode: \(error)") }
        }
        func duplicate() -> LocalRunError { .badInput("\(file): \(kind) \(key) is defined more than once") }
        switch (apiVersion, kind) {
        case (FerryAPI.apiVersion, "Source"):
            guard sources[key] == nil else { throw duplicate() }
            sources[key] = try decode(Source.self)
        case (FerryAPI.apiVersion, "Destination"):
            guard destinations[key] == nil else { throw duplicate() }
            destinations[key] = try decode(Destination.self)
        case (FerryAPI.apiVersion, "Connection"):
            guard connections[key] == nil else { throw duplicate() }
            connections[key] = try decode(Connection.self)
        case ("v1", "Secret"):
            guard secrets[key] == nil else { throw duplicate() }
            secrets[key] = try Self.secretValues(object, label: "\(file): Secret \(key)")
        default:
            break  // Other kinds (WorkerPools, Syncs, ...) do not take part in a local run.
        }
    }

    /// `data` (base64) merged with `stringData` (plain), which wins on a shared key.
    static func secretValues(_ object: JSONValue, label: String) throws(LocalRunError) -> [String: String] {
        var values: [String: String] = [:]
        for (key, encoded) in object["data"].objectValue ?? [:] {
            guard let text = encoded.stringValue, let data = Data(base64Encoded: text), let value = String(data: data, encoding: .utf8) else {
                throw .badInput("\(label): data.\(key) is not base64-encoded UTF-8 text")
            }
            values[key] = value
        }
        for (key, plain) in object["stringData"].objectValue ?? [:] {
            guard let value = plain.stringValue else { throw .badInput("\(label): stringData.\(key) must be a string") }
            values[key] = value
        }
        return values
    }

    /// The Connection to run: the one named (in any namespace, if only one has the name),
    /// or the only one there is.
    public func connection(named name: String?) throws(LocalRunError) -> (ManifestKey, Connection) {
        let known = connections.keys.map(\.description).sorted().joined(separator: ", ")
        guard let name else {
            guard connections.count == 1, let only = connections.first else {
                throw .badInput(connections.isEmpty ? "the manifests define no Connection"
                                                    : "the manifests define \(connections.count) Connections (\(known)); choose one with --connection")
            }
            return (only.key, only.value)
        }
        let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
        let matches = connections.filter { parts.count == 2 ? $0.key == ManifestKey(namespace: parts[0], name: parts[1]) : $0.key.name == name }
        guard let match = matches.first else {
            throw .badInput("Connection \"\(name)\" is not in the manifests (defined: \(known.isEmpty ? "none" : known))")
        }
        guard matches.count == 1 else { throw .badInput("Connection \"\(name)\" is in several namespaces; use --connection NAMESPACE/NAME") }
        return (match.key, match.value)
    }
}
