/// Request bodies: JSON or YAML (by Content-Type) into `JSONValue`, and the 400
/// kube-apiserver answers for bodies it cannot decode.
import KubeCore
import KubeMachinery
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
        do {
            return try YAMLConversion.json(from: node)
        } catch {
            throw .badRequest("error converting YAML to JSON: \(error.message)")
        }
    }
}
