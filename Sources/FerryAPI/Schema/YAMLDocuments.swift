/// Reading multi-document YAML manifests into JSON values, the way kubectl and the API
/// server read them (quoted scalars stay strings; timestamps stay strings).
import KubeCore
import KubeMachinery
import Yams

/// One document of a manifest file, or why it could not be read.
public struct ManifestDocument: Sendable {
    /// 1-based position of the document in its file.
    public var index: Int
    public var result: Result<JSONValue, ManifestError>
}

public struct ManifestError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

public enum YAMLDocuments {
    /// Splits and parses every document; empty documents (e.g. after a trailing `---`) are skipped.
    /// A syntax error ends parsing, since YAML cannot resynchronise after one.
    public static func parse(_ text: String) -> [ManifestDocument] {
        var out: [ManifestDocument] = []
        // Counts skipped empty documents too, so an error names the document it is in.
        var index = 0
        do {
            let parser = try Parser(yaml: text)
            while let node = try parser.nextRoot() {
                index += 1
                do {
                    let value = try json(from: node)
                    if value == .null { continue }
                    out.append(ManifestDocument(index: index, result: .success(value)))
                } catch {
                    out.append(ManifestDocument(index: index, result: .failure(error)))
                }
            }
        } catch {
            out.append(ManifestDocument(index: index + 1, result: .failure(ManifestError(message: "invalid YAML: \(error)"))))
        }
        return out
    }

    /// Converts one YAML node to JSON as Kubernetes' YAML-to-JSON conversion does.
    public static func json(from node: Node) throws(ManifestError) -> JSONValue {
        do {
            return try YAMLConversion.json(from: node)
        } catch {
            throw ManifestError(message: error.message)
        }
    }
}
