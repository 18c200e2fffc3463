/// RFC 6901 JSON pointers: parsing, escaping, and the checks `secretRefs` paths need.
import KubeCore

public enum JSONPointer {
    public static func tokens(_ pointer: String) throws(PatchError) -> [String] {
        if pointer.isEmpty { return [] }
        guard pointer.hasPrefix("/") else { throw PatchError("JSON pointer must be empty or start with a \"/\": \(pointer)") }
        return pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    static func arrayIndex(_ token: String) -> Int? {
        guard !token.isEmpty, token.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        if token.count > 1 && token.hasPrefix("0") { return nil }
        return Int(token)
    }

    static func value(at tokens: ArraySlice<String>, in doc: JSONValue) -> JSONValue? {
        var current = doc
        for token in tokens {
            switch current {
            case .object(let members):
                guard let next = members[token] else { return nil }
                current = next
            case .array(let items):
                guard let i = arrayIndex(token), i < items.count else { return nil }
                current = items[i]
            default: return nil
            }
        }
        return current
    }

    /// nil when `pointer` is a non-empty RFC 6901 pointer, otherwise why not.
    public static func problem(in pointer: String) -> String? {
        guard pointer.hasPrefix("/") else { return "must be a JSON pointer starting with '/', e.g. /password" }
        let tokens = pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        for token in tokens {
            if token.isEmpty { return "must not contain an empty segment" }
            let chars = Array(token)
            for (i, c) in chars.enumerated() where c == "~" {
                if i + 1 >= chars.count || (chars[i + 1] != "0" && chars[i + 1] != "1") {
                    return "'~' must be followed by 0 or 1 (~0 is '~', ~1 is '/')"
                }
            }
        }
        return nil
    }

    public static func escape(_ key: String) -> String {
        key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}
