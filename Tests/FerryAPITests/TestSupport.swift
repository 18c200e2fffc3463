/// Paths of the repository's committed files and small JSON helpers for the FerryAPI tests.
import Foundation
import KubeCore

enum Repository {
    /// The repository root, found from this file's path (Tests/FerryAPITests/TestSupport.swift).
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let crds = root.appendingPathComponent("crds")
    static let examples = root.appendingPathComponent("examples")

    static func yamlFiles(in dir: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path)
            .filter { $0.hasSuffix(".yaml") }.sorted()
            .map { dir.appendingPathComponent($0) }
    }

    static func read(_ url: URL) throws -> String {
        try String(contentsOf: url, encoding: .utf8)
    }
}

extension JSONValue {
    /// Schema sub-nodes keyed by the path segment they describe (`.name`, `[]`, `.*`).
    var schemaChildren: [(segment: String, node: JSONValue)] {
        var out: [(String, JSONValue)] = []
        if case .object(let props) = self["properties"] { out += props.map { (".\($0.key)", $0.value) } }
        if case .object = self["items"] { out.append(("[]", self["items"])) }
        if case .object = self["additionalProperties"] { out.append((".*", self["additionalProperties"])) }
        return out
    }
}
