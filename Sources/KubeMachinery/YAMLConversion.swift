/// YAML to JSON as Kubernetes converts manifests (sigs.k8s.io/yaml): quoted and block
/// scalars stay strings, plain scalars become null, booleans and numbers where YAML
/// says so; mapping keys must be strings; aliases are refused.
import KubeCore
import Yams

public struct YAMLConversionError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public enum YAMLConversion {
    public static func json(from node: Node) throws(YAMLConversionError) -> JSONValue {
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
                guard let key = k.string else { throw YAMLConversionError("mapping key \(k) is not a string") }
                out[key] = try json(from: v)
            }
            return .object(out)
        case .alias:
            throw YAMLConversionError("YAML aliases are not supported")
        }
    }
}
