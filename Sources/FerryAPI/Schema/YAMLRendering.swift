/// Deterministic YAML rendering of JSON values, for the generated CRD files: block style,
/// a fixed key order (identity keys first, the rest sorted), strings quoted whenever a
/// plain scalar could be read back as something else.
import Foundation
import KubeCore

public enum YAMLRendering {
    /// Keys written before all others, in this order, so a CRD reads top-down like a hand-written one.
    static let leadingKeys = ["apiVersion", "kind", "metadata", "name", "type", "description", "group", "names", "scope"]

    /// The value as a YAML document (no `---`), ending in a newline.
    public static func render(_ value: JSONValue) -> String {
        lines(value).joined(separator: "\n") + "\n"
    }

    /// Several documents separated by `---`, after a generated-file header.
    public static func renderDocuments(_ values: [JSONValue], header: String) -> String {
        header + values.map { "---\n" + render($0) }.joined()
    }

    static func orderedKeys(_ object: [String: JSONValue]) -> [String] {
        let leading = leadingKeys.filter { object[$0] != nil }
        return leading + object.keys.filter { !leadingKeys.contains($0) }.sorted()
    }

    static func lines(_ value: JSONValue) -> [String] {
        switch value {
        case .object(let object) where !object.isEmpty:
            var out: [String] = []
            for key in orderedKeys(object) {
                let child = object[key] ?? .null
                let k = scalar(.string(key))
                if isInline(child) {
                    out.append("\(k): \(scalar(child))")
                } else {
                    out.append("\(k):")
                    out += lines(child).map { "  " + $0 }
                }
            }
            return out
        case .array(let items) where !items.isEmpty:
            var out: [String] = []
            for item in items {
                if isInline(item) {
                    out.append("- " + scalar(item))
                } else {
                    let l = lines(item)
                    out.append("- " + l[0])
                    out += l.dropFirst().map { "  " + $0 }
                }
            }
            return out
        default:
            return [scalar(value)]
        }
    }

    static func isInline(_ value: JSONValue) -> Bool {
        switch value {
        case .object(let o): return o.isEmpty
        case .array(let a): return a.isEmpty
        default: return true
        }
    }

    static func scalar(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double: return value.serialized()
        case .string(let s): return isPlainSafe(s) ? s : JSONValue.string(s).serialized()
        case .object: return "{}"
        case .array: return "[]"
        }
    }

    static let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"]
    static let plainCharacters = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: " _./()-,;'+=<>$"))

    /// Whether `s` can be written unquoted and is read back as the same string.
    static func isPlainSafe(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, let last = s.unicodeScalars.last else { return false }
        guard CharacterSet.letters.contains(first), last != " " else { return false }
        guard s.unicodeScalars.allSatisfy({ $0.isASCII && plainCharacters.contains($0) }) else { return false }
        return !reserved.contains(s.lowercased())
    }
}
