/// RFC 6902 JSON patch (add, remove, replace, move, copy, test) over `JSONValue`, with
/// error messages phrased like the Go json-patch library kube-apiserver uses.
import Foundation
import KubeCore

/// Why a patch could not be applied; `message` is the detail kube-apiserver puts in the Status.
public struct PatchError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public enum JSONPatch {
    /// Applies every operation in order; the first failing operation aborts the whole patch.
    public static func apply(_ patch: JSONValue, to document: JSONValue) throws(PatchError) -> JSONValue {
        guard case .array(let operations) = patch else {
            throw PatchError("invalid JSON patch: expected an array of operations, got \(patch.typeName)")
        }
        var doc = document
        for operation in operations {
            doc = try applyOperation(operation, to: doc)
        }
        return doc
    }

    private static func applyOperation(_ operation: JSONValue, to doc: JSONValue) throws(PatchError) -> JSONValue {
        guard case .object = operation else { throw PatchError("invalid JSON patch operation: \(operation.serialized())") }
        guard let op = operation["op"].stringValue else { throw PatchError("Unexpected kind: \(operation["op"].serialized())") }
        guard let path = operation["path"].stringValue else {
            throw PatchError("\(op) operation does not apply: missing path")
        }
        let tokens = try JSONPointer.tokens(path)
        switch op {
        case "add":
            guard operation.has("value") else { throw PatchError("add operation does not apply: missing value") }
            return try edit(doc, tokens[...], .add(operation["value"]), op: op, path: path)
        case "remove":
            return try edit(doc, tokens[...], .remove, op: op, path: path)
        case "replace":
            guard operation.has("value") else { throw PatchError("replace operation does not apply: missing value") }
            return try edit(doc, tokens[...], .replace(operation["value"]), op: op, path: path)
        case "move", "copy":
            guard let from = operation["from"].stringValue else { throw PatchError("\(op) operation does not apply: missing from") }
            let fromTokens = try JSONPointer.tokens(from)
            guard let value = JSONPointer.value(at: fromTokens[...], in: doc) else {
                throw PatchError("\(op) operation does not apply: doc is missing from path: \"\(from)\"")
            }
            var current = doc
            if op == "move" {
                if from == path { return doc }
                if path.hasPrefix(from + "/") {
                    throw PatchError("move operation does not apply: cannot move \"\(from)\" into its own child \"\(path)\"")
                }
                current = try edit(current, fromTokens[...], .remove, op: op, path: from)
            }
            return try edit(current, tokens[...], .add(value), op: op, path: path)
        case "test":
            let actual = JSONPointer.value(at: tokens[...], in: doc)
            let expected = operation["value"]
            if let actual, jsonEqual(actual, expected) { return doc }
            throw PatchError("testing value \(path) failed")
        default:
            throw PatchError("Unexpected kind: \(op)")
        }
    }

    enum Leaf { case add(JSONValue), remove, replace(JSONValue) }

    /// Rebuilds `doc` with `leaf` applied at `tokens`.
    static func edit(_ doc: JSONValue, _ tokens: ArraySlice<String>, _ leaf: Leaf, op: String, path: String) throws(PatchError) -> JSONValue {
        guard let token = tokens.first else {
            switch leaf {
            case .add(let v), .replace(let v): return v
            case .remove: return .null
            }
        }
        let missing = PatchError("\(op) operation does not apply: doc is missing path: \"\(path)\"")
        let last = tokens.count == 1
        switch doc {
        case .object(var members):
            if last {
                switch leaf {
                case .add(let v): members[token] = v
                case .replace(let v):
                    guard members[token] != nil else { throw PatchError("replace operation does not apply: doc is missing key: \(path)") }
                    members[token] = v
                case .remove:
                    guard members[token] != nil else { throw missing }
                    members.removeValue(forKey: token)
                }
            } else {
                guard let child = members[token] else { throw missing }
                members[token] = try edit(child, tokens.dropFirst(), leaf, op: op, path: path)
            }
            return .object(members)
        case .array(var items):
            if last, case .add(let v) = leaf {
                if token == "-" { items.append(v); return .array(items) }
                guard let index = JSONPointer.arrayIndex(token), index <= items.count else {
                    throw PatchError("add operation does not apply: index out of range: \(path)")
                }
                items.insert(v, at: index)
                return .array(items)
            }
            guard let index = JSONPointer.arrayIndex(token), index < items.count else {
                if last { throw PatchError("\(op) operation does not apply: index out of range: \(path)") }
                throw missing
            }
            if last {
                switch leaf {
                case .replace(let v): items[index] = v
                case .remove: items.remove(at: index)
                case .add: break  // handled above
                }
            } else {
                items[index] = try edit(items[index], tokens.dropFirst(), leaf, op: op, path: path)
            }
            return .array(items)
        default:
            throw missing
        }
    }

    /// JSON equality where `1` and `1.0` are the same number (as after a JSON round trip in Go).
    static func jsonEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.int, .double), (.double, .int): return a.doubleValue == b.doubleValue
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { jsonEqual($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { jsonEqual(value, $0) } ?? false }
        default: return a == b
        }
    }
}
