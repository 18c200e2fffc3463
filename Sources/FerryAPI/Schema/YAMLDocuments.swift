/// Reading multi-document YAML manifests into JSON values, the way kubectl and the API
/// server read them (quoted scalars stay strings; timestamps stay strings).
import KubeCore
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
        do {
            let parser = try Parser(yaml: text)
            var index = 0
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
            out.append(ManifestDocument(index: out.count + 1, result: .failure(ManifestError(message: "invalid YAML: \(error)"))))
        }
        return out
    }

    /// Converts one YAML node to JSON as Kubernetes' YAML-to-JSON conversion does.
    public static func json(from node: Node) throws(ManifestError) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .singleQuoted || scalar.style == .doubleQuoted || scalar.style == .literal || scalar.style == .folded {
                return .string(scalar.string)
            }
            if scalar.string.isEmpty || node.null != nil { return .null }
            if let b = node.bool { return .bool(b) }
            if let i = node.int { return .int(Int64(i)) }
            if let d = node.float { return .double(d) }
            return .string(scalar.string)
        case .sequence(let seq):
            var out: [JSONValue] = []
            for n in seq { out.append(try json(from: n)) }
            return .array(out)
        case .mapping(let map):
            var out: [String: JSONValue] = [:]
            for (k, v) in map {
                guard let key = k.string else { throw ManifestError(message: "mapping key \(k) is not a string") }
                out[key] = try json(from: v)
            }
            return .object(out)
        case .alias:
            throw ManifestError(message: "YAML aliases are not supported")
        }
    }
}
