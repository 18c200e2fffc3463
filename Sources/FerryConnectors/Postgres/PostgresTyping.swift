/// The typed final table's columns from a stream's JSON schema, and the cast of one JSON
/// value to a column's PostgreSQL type (NULL plus an `_airbyte_meta` change when it fails).
import KubeCore

enum PostgresColumnType: String, Sendable, Equatable {
    case bigint, numeric, boolean, text, timestamptz, date, jsonb

    /// The type of one property schema: `type` may be a list with "null"; Airbyte's
    /// `airbyte_type: integer` on a number is an integer; unions and the unknown are jsonb.
    static func of(_ schema: JSONValue) -> PostgresColumnType {
        var types: [String]
        if let t = schema["type"].stringValue { types = [t] } else { types = (schema["type"].arrayValue ?? []).compactMap(\.stringValue) }
        types.removeAll { $0 == "null" }
        guard types.count == 1 else { return .jsonb }
        switch types[0] {
        case "integer": return .bigint
        case "number": return schema["airbyte_type"].stringValue == "integer" ? .bigint : .numeric
        case "boolean": return .boolean
        case "string":
            switch schema["format"].stringValue {
            case "date-time": return .timestamptz
            case "date": return .date
            default: return .text
            }
        default: return .jsonb
        }
    }
}

struct PostgresColumn: Sendable, Equatable {
    /// The property's name in the record and the column's name in the final table.
    var name: String
    var type: PostgresColumnType
}

enum PostgresTyping {
    /// Columns every final table has, after the typed ones.
    static let metaColumns = ["_airbyte_raw_id", "_airbyte_extracted_at", "_airbyte_meta"]

    /// One column per top-level property, in name order; properties whose (truncated)
    /// name is taken by an Airbyte column or an earlier property are left to `_airbyte_data`.
    static func columns(of jsonSchema: JSONValue) -> [PostgresColumn] {
        guard let properties = jsonSchema["properties"].objectValue else { return [] }
        var taken = Set(metaColumns)
        var columns: [PostgresColumn] = []
        for name in properties.keys.sorted() where name.utf8.count <= PostgresNaming.identifierLimit {
            guard taken.insert(name).inserted else { continue }
            columns.append(PostgresColumn(name: name, type: .of(properties[name] ?? .null)))
        }
        return columns
    }

    enum Cast: Equatable {
        case null
        case value(String)
        case failed
    }

    /// `value` as PostgreSQL input text for `type`. JSON null and a missing property are
    /// NULL; a value the type cannot hold is `.failed` (Airbyte: NULL and a meta change).
    static func cast(_ value: JSONValue, to type: PostgresColumnType) -> Cast {
        if case .null = value { return .null }
        switch type {
        case .bigint:
            switch value {
            case .int(let i): return .value(String(i))
            case .double(let d) where d.rounded() == d && abs(d) < 9.2e18: return .value(String(Int64(d)))
            case .string(let s): return Int64(s).map { .value(String($0)) } ?? .failed
            default: return .failed
            }
        case .numeric:
            switch value {
            case .int(let i): return .value(String(i))
            case .double(let d): return d.isFinite ? .value(value.serialized()) : .failed
            case .string(let s): return isJSONNumber(s) ? .value(s) : .failed
            default: return .failed
            }
        case .boolean:
            switch value {
            case .bool(let b): return .value(b ? "t" : "f")
            case .string(let s) where s == "true" || s == "false": return .value(s == "true" ? "t" : "f")
            default: return .failed
            }
        case .text:
            // Airbyte's typing reads the property as text: non-strings keep their JSON text.
            if case .string(let s) = value { return .value(withoutNUL(s)) }
            return .value(withoutNUL(value.serialized()))
        case .timestamptz:
            guard case .string(let s) = value, PostgresTemporal.isTimestamp(s) else { return .failed }
            return .value(s)
        case .date:
            guard case .string(let s) = value, PostgresTemporal.isDate(s) else { return .failed }
            return .value(s)
        case .jsonb:
            return .value(String(decoding: jsonbText(value), as: UTF8.self))
        }
    }

    /// JSON text PostgreSQL's jsonb accepts: it rejects `\u0000`, so NUL characters in
    /// strings are removed (as Airbyte's Postgres destination does).
    static func jsonbText(_ value: JSONValue) -> [UInt8] {
        let bytes = value.serializedBytes()
        guard containsEscapedNUL(bytes) else { return bytes }
        return strippingNUL(value).serializedBytes()
    }

    static func containsEscapedNUL(_ bytes: [UInt8]) -> Bool {
        let pattern: [UInt8] = Array(#"\u0000"#.utf8)
        guard bytes.count >= pattern.count else { return false }
        var i = 0
        while i <= bytes.count - pattern.count {
            if bytes[i] == 0x5C && bytes[i + 1] == 0x75 && bytes[(i + 2)..<(i + 6)].elementsEqual(pattern[2...]) { return true }
            i += 1
        }
        return false
    }

    static func strippingNUL(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let s): return .string(withoutNUL(s))
        case .array(let a): return .array(a.map(strippingNUL))
        case .object(let o):
            var out: [String: JSONValue] = [:]
            for (k, v) in o { out[withoutNUL(k)] = strippingNUL(v) }
            return .object(out)
        default: return value
        }
    }

    static func withoutNUL(_ s: String) -> String {
        s.utf8.contains(0) ? String(decoding: s.utf8.filter { $0 != 0 }, as: UTF8.self) : s
    }

    /// JSON's number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    static func isJSONNumber(_ s: String) -> Bool {
        var it = Array(s.utf8)[...]
        func digits() -> Int { var n = 0; while let c = it.first, c >= 0x30 && c <= 0x39 { it.removeFirst(); n += 1 }; return n }
        if it.first == 0x2D { it.removeFirst() }
        if it.first == 0x30 { it.removeFirst() } else if digits() == 0 { return false }
        if it.first == 0x2E { it.removeFirst(); if digits() == 0 { return false } }
        if it.first == 0x65 || it.first == 0x45 {
            it.removeFirst()
            if it.first == 0x2B || it.first == 0x2D { it.removeFirst() }
            if digits() == 0 { return false }
        }
        return it.isEmpty
    }
}
