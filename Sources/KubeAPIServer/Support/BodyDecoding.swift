/// Request bodies: JSON or YAML (by Content-Type) into `JSONValue`, and the 400
/// kube-apiserver answers for bodies it cannot decode.
import KubeCore
import Yams

enum BodyDecoding {
    static func isYAML(_ contentType: String?) -> Bool {
        guard let ct = contentType?.lowercased() else { return false }
        return ct.hasPrefix("application/yaml") || ct.hasPrefix("application/x-yaml") || ct.hasPrefix("text/yaml")
            || ct.hasPrefix("application/apply-patch+yaml")
    }

    /// Decodes a body as JSON, or YAML when the content type says so.
    static func decode(_ body: [UInt8], contentType: String?) throws(APIError) -> JSONValue {
        if body.isEmpty { throw .badRequest("the request body is empty; an object was expected") }
        if KubeProtobuf.isProtobuf(contentType) { return try KubeProtobuf.decode(body) }
        if isYAML(contentType) {
            guard let text = String(validating: body, as: UTF8.self) else {
                throw .badRequest("the request body is not valid UTF-8")
            }
            do {
                guard let node = try Yams.compose(yaml: text) else { throw APIError.badRequest("the request body is empty; an object was expected") }
                return try yamlToJSON(node)
            } catch let e as APIError {
                throw e
            } catch {
                throw .badRequest("error converting YAML to JSON: \(error)")
            }
        }
        do {
            return try JSONValue.parse(body)
        } catch {
            throw .badRequest("the object provided is unrecognized (must be of type JSON or YAML): couldn't get version/kind; json parse error: \(error.message)")
        }
    }

    static func yamlToJSON(_ node: Node) throws(APIError) -> JSONValue {
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
            for n in seq { out.append(try yamlToJSON(n)) }
            return .array(out)
        case .mapping(let map):
            var out: [String: JSONValue] = [:]
            for (k, v) in map {
                guard let key = k.string else { throw .badRequest("error converting YAML to JSON: non-string mapping key") }
                out[key] = try yamlToJSON(v)
            }
            return .object(out)
        case .alias:
            throw .badRequest("error converting YAML to JSON: YAML aliases are not supported")
        }
    }
}
