/// Just enough of the Kubernetes protobuf encoding to accept what typed clients (kubectl
/// `create namespace|configmap|secret|serviceaccount`) send: the `k8s\0` + `runtime.Unknown`
/// envelope and those kinds' fields. Responses are always JSON, which such clients accept.
import Foundation
import KubeCore

enum KubeProtobuf {
    static let magic: [UInt8] = [0x6B, 0x38, 0x73, 0x00]  // "k8s\0"

    static func isProtobuf(_ contentType: String?) -> Bool {
        contentType?.lowercased().hasPrefix("application/vnd.kubernetes.protobuf") == true
    }

    /// Decodes a protobuf body into the JSON object it represents.
    static func decode(_ body: [UInt8]) throws(APIError) -> JSONValue {
        guard body.count >= 4, Array(body.prefix(4)) == magic else {
            throw .badRequest("the object provided is unrecognized (must be of type JSON or YAML): missing protobuf envelope")
        }
        do {
            let unknown = try fields(body[4...])
            let typeMeta = try fields((unknown.first { $0.number == 1 }?.bytes ?? [])[...])
            let apiVersion = typeMeta.first { $0.number == 1 }.map { $0.string } ?? ""
            let kind = typeMeta.first { $0.number == 2 }.map { $0.string } ?? ""
            let raw = unknown.first { $0.number == 2 }?.bytes ?? []
            var obj: JSONValue = ["apiVersion": .string(apiVersion), "kind": .string(kind)]
            let f = try fields(raw[...])
            if let meta = f.first(where: { $0.number == 1 }) { obj["metadata"] = try objectMeta(meta.bytes) }
            switch (apiVersion, kind) {
            case ("v1", "Namespace"):
                if let spec = f.first(where: { $0.number == 2 }) {
                    let finalizers = try fields(spec.bytes[...]).filter { $0.number == 1 }.map { JSONValue.string($0.string) }
                    if !finalizers.isEmpty { obj["spec"] = ["finalizers": .array(finalizers)] }
                }
            case ("v1", "ConfigMap"):
                obj["data"] = try stringMap(f.filter { $0.number == 2 }, base64: false)
                obj["binaryData"] = try stringMap(f.filter { $0.number == 3 }, base64: true)
                if let immutable = f.first(where: { $0.number == 4 }) { obj["immutable"] = .bool(immutable.varint != 0) }
            case ("v1", "Secret"):
                obj["data"] = try stringMap(f.filter { $0.number == 2 }, base64: true)
                if let type = f.first(where: { $0.number == 3 }) { obj["type"] = .string(type.string) }
                obj["stringData"] = try stringMap(f.filter { $0.number == 4 }, base64: false)
                if let immutable = f.first(where: { $0.number == 5 }) { obj["immutable"] = .bool(immutable.varint != 0) }
            case ("v1", "ServiceAccount"):
                if let automount = f.first(where: { $0.number == 4 }) { obj["automountServiceAccountToken"] = .bool(automount.varint != 0) }
            default:
                throw APIError(code: 415, reason: .unsupportedMediaType,
                               message: "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml")
            }
            return obj
        } catch let e as APIError {
            throw e
        } catch {
            throw .badRequest("the object provided is unrecognized: invalid protobuf body")
        }
    }

    private static func objectMeta(_ bytes: [UInt8]) throws -> JSONValue {
        var meta: JSONValue = .emptyObject
        let f = try fields(bytes[...])
        for (number, key) in [(1, "name"), (2, "generateName"), (3, "namespace")] {
            if let v = f.first(where: { $0.number == number }), !v.string.isEmpty { meta[key] = .string(v.string) }
        }
        meta["labels"] = try stringMap(f.filter { $0.number == 11 }, base64: false)
        meta["annotations"] = try stringMap(f.filter { $0.number == 12 }, base64: false)
        let finalizers = f.filter { $0.number == 14 }.map { JSONValue.string($0.string) }
        if !finalizers.isEmpty { meta["finalizers"] = .array(finalizers) }
        return meta
    }

    /// Protobuf map entries (key = 1, value = 2); bytes values become base64 like JSON does.
    private static func stringMap(_ entries: [Field], base64: Bool) throws -> JSONValue {
        guard !entries.isEmpty else { return .null }
        var out: [String: JSONValue] = [:]
        for entry in entries {
            let kv = try fields(entry.bytes[...])
            let key = kv.first { $0.number == 1 }?.string ?? ""
            let value = kv.first { $0.number == 2 }?.bytes ?? []
            out[key] = .string(base64 ? Data(value).base64EncodedString() : String(decoding: value, as: UTF8.self))
        }
        return .object(out)
    }

    struct Field {
        var number: Int
        var varint: UInt64 = 0
        var bytes: [UInt8] = []
        var string: String { String(decoding: bytes, as: UTF8.self) }
    }

    struct WireError: Error {}

    /// Splits a message into its fields (varint and length-delimited; fixed widths skipped).
    static func fields(_ data: ArraySlice<UInt8>) throws -> [Field] {
        var out: [Field] = []
        var i = data.startIndex
        func varint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard i < data.endIndex, shift < 64 else { throw WireError() }
                let b = data[i]
                i += 1
                result |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return result }
                shift += 7
            }
        }
        while i < data.endIndex {
            let tag = try varint()
            let number = Int(tag >> 3)
            switch tag & 7 {
            case 0: out.append(Field(number: number, varint: try varint()))
            case 1: i += 8
            case 2:
                let length = Int(try varint())
                guard length >= 0, i + length <= data.endIndex else { throw WireError() }
                out.append(Field(number: number, bytes: Array(data[i..<(i + length)])))
                i += length
            case 5: i += 4
            default: throw WireError()
            }
            if i > data.endIndex { throw WireError() }
        }
        return out
    }
}
