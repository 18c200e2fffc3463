/// Runtime values of the CEL subset interpreter, and their conversion from/to JSON.
import Foundation
import KubeCore

/// A CEL error: compile errors at CRD creation, or evaluation errors (no such key, overflow...).
struct CELError: Error, Sendable, Equatable, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

enum CELValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case bytes([UInt8])
    case list([CELValue])
    case map([CELValue: CELValue])
    /// Nanoseconds.
    case duration(Int64)
    /// Seconds since the Unix epoch.
    case timestamp(Double)
    case type(String)

    var typeName: String {
        switch self {
        case .null: return "null_type"
        case .bool: return "bool"
        case .int: return "int"
        case .uint: return "uint"
        case .double: return "double"
        case .string: return "string"
        case .bytes: return "bytes"
        case .list: return "list"
        case .map: return "map"
        case .duration: return "google.protobuf.Duration"
        case .timestamp: return "google.protobuf.Timestamp"
        case .type: return "type"
        }
    }

    /// Converts a JSON value; `node` (the schema) makes `type: number` values doubles, as
    /// Kubernetes types them from the schema rather than from the literal.
    static func from(_ json: JSONValue, node: SchemaNode? = nil) -> CELValue {
        switch json {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return node?.type == "number" ? .double(Double(i)) : .int(i)
        case .double(let d):
            if node?.type == "integer" || node?.intOrString == true, let i = json.intValue { return .int(i) }
            return .double(d)
        case .string(let s):
            if let node, node.type == "string" {
                if node.format == "duration", let d = CELFunctions.parseDuration(s) { return .duration(d) }
                if node.format == "date-time", let t = KubeTime.parse(s) { return .timestamp(t.timeIntervalSince1970) }
            }
            return .string(s)
        case .array(let a): return .list(a.map { from($0, node: node?.items) })
        case .object(let o):
            var m: [CELValue: CELValue] = [:]
            for (k, v) in o { m[.string(k)] = from(v, node: node?.propertySchema(k)) }
            return .map(m)
        }
    }

    var json: JSONValue {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .uint(let u): return u <= UInt64(Int64.max) ? .int(Int64(u)) : .double(Double(u))
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .bytes(let b): return .string(Data(b).base64EncodedString())
        case .list(let l): return .array(l.map(\.json))
        case .map(let m):
            var o: [String: JSONValue] = [:]
            for (k, v) in m { o[k.displayString] = v.json }
            return .object(o)
        case .duration(let d): return .string(CELFunctions.formatDuration(d))
        case .timestamp(let t): return .string(KubeTime.format(Date(timeIntervalSince1970: t)))
        case .type(let t): return .string(t)
        }
    }

    /// `string(x)` conversion / message rendering.
    var displayString: String {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .uint(let u): return String(u)
        case .double(let d): return d.rounded() == d && abs(d) < 1e15 ? String(format: "%.0f", d) : String(d)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .bytes(let b): return String(decoding: b, as: UTF8.self)
        case .duration(let d): return CELFunctions.formatDuration(d)
        case .timestamp: return json.stringValue ?? ""
        case .type(let t): return t
        case .list, .map: return json.serialized()
        }
    }

    /// CEL's heterogeneous equality: numbers compare by value across int/uint/double.
    static func equal(_ a: CELValue, _ b: CELValue) -> Bool {
        if let x = a.numeric, let y = b.numeric { return x == y }
        switch (a, b) {
        case (.list(let x), .list(let y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.map(let x), .map(let y)):
            return x.count == y.count && x.allSatisfy { k, v in y[k].map { equal(v, $0) } ?? false }
        default: return a == b
        }
    }

    var numeric: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .uint(let u): return Double(u)
        case .double(let d): return d
        default: return nil
        }
    }
}
